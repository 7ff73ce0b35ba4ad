"""Drive the production stack with five minutes of mixed newsroom traffic (locust) and report it."""

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.claims.httpserver import LocalServer, page, reply  # noqa: E402
from tests.system.desk import TO_REVIEW, desk_client, drive, ingest, key_client, piece  # noqa: E402
from tests.system.stack import Postgres, Redis, Stack  # noqa: E402

REPORT_HTML = b"""<!doctype html><html><head><title>Bridge audit finds overspend</title></head>
<body><article><h1>Bridge audit finds overspend</h1>
<p>According to the audit, the council spent 4.2 million dollars on the bridge in 2023, nearly
double the 2.3 million dollars it had budgeted for the year.</p>
<p>Residents asked why the overruns were not reported earlier; the mayor promised an answer.</p>
</article></body></html>"""
LOCUSTFILE = REPO / "bench" / "locust" / "mixed.py"
USERS = {"Reader": 10, "SyncClient": 6, "Cms": 1, "DeskPair": 4}


def start_stack(root: Path, origin: LocalServer) -> Stack:
    """Start a private PostgreSQL and Redis and the Procfile's processes, as in production."""
    postgres = Postgres(root).init().start()
    redis = Redis(root).start()
    stack = Stack(root, postgres, redis, {"API_THROTTLE_CACHE_URL": redis.url(1)}).prepare()
    # WEB_CONCURRENCY and the rest at the gunicorn config's own defaults, not the test suite's.
    for name in ("WEB_CONCURRENCY", "WORKER_CONCURRENCY", "FETCH_CONCURRENCY"):
        stack.env.pop(name, None)
    fetcher = {"FETCH_ALLOW_PRIVATE_NETWORKS": "1", "FETCH_ALLOWED_PORTS": str(origin.port)}
    return stack.start_all(env_for={"fetcher": fetcher})


def seed(stack: Stack, origin: LocalServer) -> dict:
    """Create the desk's people and keys, ten pieces, and five published verdicts."""
    out = subprocess.run(
        [
            *(sys.executable, "-m", "tests.system.seed", "--fact-checkers", "4", "--editors", "4"),
            *("--read-keys", "4", "--webhook", origin.url("/webhook"), "--prefix", "load"),
        ],
        cwd=REPO,
        env=stack.env,
        capture_output=True,
        text=True,
        check=True,
    )
    config = json.loads(out.stdout.strip().splitlines()[-1])
    config["origin"] = origin.url("").rstrip("/")
    slugs, claims = [], []
    with key_client(stack.base_url, config["ingest_key"]) as cms:
        for n in range(10):
            body = ingest(cms, piece([origin.url(f"/report?seed={n}")], tag=f"seed{n}")).json()
            slugs.append(body["article"]["slug"])
            claims.append(body["claims"][0]["id"])
    fact_checker = desk_client(stack.base_url, config["fact_checkers"][0]["session"])
    editor = desk_client(stack.base_url, config["editors"][0]["session"])
    for claim_id in claims[:5]:
        drive(fact_checker, claim_id, *TO_REVIEW)
        drive(editor, claim_id, ("vote", {"approve": True}), ("publish", {}))
    # Readers reach articles through published verdicts: only those have a public page.
    config["slugs"] = slugs[:5]
    return config


def run_locust(stack: Stack, config_path: Path, csv_prefix: Path, duration: int) -> int:
    users = sum(USERS.values())
    command = [
        *(str(Path(sys.executable).parent / "locust"), "-f", str(LOCUSTFILE), "--headless"),
        *("-u", str(users), "-r", str(users), "-t", f"{duration}s", "--host", stack.base_url),
        *("--csv", str(csv_prefix), "--only-summary", "--stop-timeout", "10"),
    ]
    print("$", " ".join(command))
    env = {**os.environ, "LOAD_CONFIG": str(config_path)}
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def report(csv_prefix: Path, stack: Stack, duration: int) -> None:
    """Print throughput, p50/p99 per endpoint and errors as a Markdown table."""
    rows = list(csv.DictReader(open(f"{csv_prefix}_stats.csv")))  # noqa: SIM115
    print("\n| endpoint | requests | errors | req/s | p50 ms | p99 ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        name = row["Name"] if row["Type"] else "**all**"
        print(
            f"| {row['Type']} {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.2f} | {row['50%']} | {row['99%']} |"
        )
    failures = Path(f"{csv_prefix}_failures.csv").read_text().strip().splitlines()[1:]
    print(f"\nfailures: {len(failures)} kinds", *failures, sep="\n")
    counts = stack.rows(
        "SELECT (SELECT count(*) FROM claims_article), "
        "(SELECT count(*) FROM claims_source WHERE state = 'fetched'), "
        "(SELECT count(*) FROM claims_source WHERE state <> 'fetched'), "
        "(SELECT count(*) FROM reviews_verdict WHERE published_revision_id IS NOT NULL), "
        "(SELECT count(*) FROM reviews_webhookdelivery WHERE state = 'delivered'), "
        "(SELECT count(*) FROM reviews_webhookdelivery WHERE state <> 'delivered')"
    )[0]
    names = "articles, sources fetched, not fetched, verdicts published, webhooks delivered, not"
    print(f"\nafter {duration}s — {names}: {counts}")
    print(f"machine: {platform.processor() or platform.machine()}, nproc={os.cpu_count()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=300, help="seconds of traffic")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="factcheck-load-"))
    root.chmod(0o755)
    origin = LocalServer().start()
    origin.route("/report", page(REPORT_HTML))
    origin.route("/webhook", lambda request: reply(request, body=b""))
    stack = start_stack(root, origin)
    try:
        config = seed(stack, origin)
        config_path = root / "load-config.json"
        config_path.write_text(json.dumps(config))
        started = time.monotonic()
        code = run_locust(stack, config_path, root / "load", args.duration)
        # Let the workers drain what the last seconds queued before counting the end state.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and stack.scalar(
            "SELECT count(*) FROM claims_source WHERE state IN ('pending', 'fetching')"
        ):
            time.sleep(1)
        report(root / "load", stack, round(time.monotonic() - started))
        assert httpx.get(f"{stack.base_url}/healthz", timeout=5).status_code == 200
    finally:
        stack.stop_all()
        stack.redis.stop()
        stack.postgres.stop()
        origin.stop()
        shutil.rmtree(root, ignore_errors=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
