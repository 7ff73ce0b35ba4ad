"""Sample a running fetch worker's threads: where a Celery thread-pool worker spends its CPU.

Run: CELERY_BROKER_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/tools/sample_worker.py
  [--urls 200] [--threads 32] [--database-url postgres://...]
A poor man's py-spy: bench/fetching.py's set-up (its own database, a loopback server with no
delay), but the worker runs with a thread that every 2 ms reads every thread's stack
(sys._current_frames). A thread whose innermost frame is a known wait (socket, select, lock,
sleep, psycopg's wait) counts as waiting; any other counts as running or ready to run, which on
a GIL-bound worker is the CPU. Each sample is charged to the first stage found on the stack.
"""

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

# Innermost functions that wait without holding the GIL.
WAITS = {
    "wait", "select", "poll", "recv", "recv_into", "sleep", "acquire", "accept", "read",
    "_wait_for_tstate_lock", "readline", "epoll", "get", "_recv", "connect", "sendall",
    "_worker",  # concurrent.futures' idle thread, blocked in SimpleQueue.get (C, no frame)
}  # fmt: skip
# Stages, innermost first: a sample goes to the first one found walking out from the leaf.
STAGES = [
    ("TF-IDF ranking", "claims/ranking.py"),
    ("trafilatura extraction", "claims/fetching/content.py"),
    ("fetch (HTTP client, SSRF checks)", "claims/fetching/"),
    ("ORM and PostgreSQL", "django/db/"),
    ("archive (gzip, storage)", "django/core/files/"),
    ("source_fetch, other", "claims/services/"),
    ("Celery and kombu (messages, pool, logging)", "/celery/"),
    ("Celery and kombu (messages, pool, logging)", "/kombu/"),
    ("logging", "/logging/"),
]

SAMPLER = """
import atexit, collections, sys, threading, time
counts = collections.Counter()
WAITS = {waits!r}
STAGES = {stages!r}
def sample():
    me = threading.get_ident()
    while True:
        time.sleep(0.002)
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            if frame.f_code.co_name in WAITS:
                counts["(waiting)"] += 1
                continue
            stage = None
            f = frame
            while f is not None and stage is None:
                path = f.f_code.co_filename
                for name, needle in STAGES:
                    if needle in path:
                        stage = name
                        break
                f = f.f_back
            if stage is None:
                code = frame.f_code
                stage = "other: " + code.co_filename.rsplit("/", 2)[-1] + ":" + code.co_name
            counts[stage] += 1
def dump():
    with open({out!r}, "w") as handle:
        for stage, n in counts.most_common():
            handle.write(f"{{n}}\\t{{stage}}\\n")
atexit.register(dump)
threading.Thread(target=sample, daemon=True).start()
from celery.__main__ import main
sys.argv = ["celery"] + {argv!r}
main()
"""


def _user_sys(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_sample"
    )
    args = parser.parse_args()
    from fetching import SlowServer, cpu_seconds

    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    server = SlowServer(0.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    queue = f"bench-sample-{uuid.uuid4().hex[:8]}"
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="tests.settings",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
        FETCH_ALLOW_PRIVATE_NETWORKS="1",
        FETCH_ALLOWED_PORTS=str(server.server_address[1]),
        FETCH_QUEUE=queue,
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=str(REPO),
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from claims.models import Source
    from claims.services import sources_schedule
    from tests.claims.sourcing import cite

    call_command("migrate", verbosity=0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    ids = [cite(f"{base}/report/{i}").pk for i in range(args.urls)]
    out = tmp / "samples.tsv"
    argv = [
        "-A", "factcheck", "worker", "-Q", queue, "-P", "threads", "-c", str(args.threads),
        "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "-l", "INFO",
    ]  # fmt: skip
    code = SAMPLER.format(waits=WAITS, stages=STAGES, out=str(out), argv=argv)
    log = tmp / "worker.log"
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    worker = subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    while b"ready." not in log.read_bytes():
        if worker.poll() is not None:
            raise SystemExit(log.read_text()[-3000:])
        time.sleep(0.2)
    idle = cpu_seconds(worker.pid)
    user_sys = _user_sys(worker.pid)
    started = time.perf_counter()
    with transaction.atomic():
        sources_schedule(source_ids=ids)
    waiting = Source.objects.filter(pk__in=ids).exclude(state=Source.State.FETCHED)
    while waiting.exists():
        time.sleep(0.05)
    wall = time.perf_counter() - started
    cpu = cpu_seconds(worker.pid) - idle
    user, system = (
        after - before for after, before in zip(_user_sys(worker.pid), user_sys, strict=True)
    )
    worker.terminate()
    worker.wait(30)
    counts = collections.Counter()
    for line in out.read_text().splitlines():
        n, stage = line.split("\t")
        counts[stage] += int(n)
    running = sum(n for stage, n in counts.items() if stage != "(waiting)")
    per = cpu / args.urls * 1000
    print(f"{args.urls} sources, 1 × {args.threads} threads, no latency: {wall:.2f} s wall, ")
    print(
        f"worker CPU {per:.1f} ms per source (with the sampler's own cost); "
        f"load {os.getloadavg()[0]:.1f}; user {user / args.urls * 1000:.1f} ms, "
        f"system {system / args.urls * 1000:.1f} ms"
    )
    print(
        "| stage (running or ready samples) | share | ≈ ms CPU per source |\n| --- | ---: | ---: |"
    )
    for stage, n in counts.most_common():
        if stage != "(waiting)":
            print(f"| {stage} | {n / running:.0%} | {per * n / running:.1f} |")
    connections.close_all()
    server.shutdown()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)


if __name__ == "__main__":
    main()
