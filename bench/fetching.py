"""Measure cited-source fetching: 200 URLs at 250 ms each through a real thread-pool worker.

Run: .venv/bin/python bench/fetching.py [--urls 200] [--latency 0.25] [--runs 1x8 1x32 2x16]
  [--warm-up 0]
(a run "PxC" is P worker processes of C threads each). With --warm-up N the workers first
fetch N other sources, untimed, so the figures leave out their first-use costs.
Needs PostgreSQL and Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/5). It creates
(and afterwards drops) its own database and serves the pages from a loopback server.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PARAGRAPH = (
    "The regional auditor found that the transit agency spent {n}.4 million dollars on "
    "signal upgrades in 2023, {n} percent more than budgeted. Officials blamed supply delays."
)


class SlowServer(ThreadingHTTPServer):
    """Answer every path after a fixed delay, counting how many requests wait at once."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, latency: float) -> None:
        super().__init__(("127.0.0.1", 0), SlowPage)
        self.latency = latency
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0


class SlowPage(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        server: SlowServer = self.server  # type: ignore[assignment]
        with server.lock:
            server.in_flight += 1
            server.peak = max(server.peak, server.in_flight)
        try:
            time.sleep(server.latency)
            n = abs(hash(self.path)) % 1000
            body = (
                f"<html><head><title>Report {self.path}</title></head><body><article>"
                + "".join(f"<p>{PARAGRAPH.format(n=n + i)}</p>" for i in range(12))
                + "</article></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        finally:
            with server.lock:
                server.in_flight -= 1

    def log_message(self, format: str, *args: object) -> None:
        pass


def start_worker(queue: str, concurrency: int, log: Path) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "factcheck", "worker", "-Q", queue,
        "-P", "threads", "-c", str(concurrency), "-n", f"{log.stem}-{queue}@%h",
        "--without-gossip", "--without-mingle", "-l", "INFO",
    ]  # fmt: skip
    handle = log.open("wb")
    # "ready." is an INFO line; the benchmark process itself logs at WARNING.
    env = {**os.environ, "LOG_LEVEL": "INFO"}
    worker = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise SystemExit(f"worker did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    return worker


def cpu_seconds(pid: int) -> float:
    """Return the user and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(
    processes: int, concurrency: int, urls: int, server: SlowServer, tmp: Path, warm_up: int = 0
) -> dict:
    from django.conf import settings

    from claims.models import Source
    from tests.claims.sourcing import cite

    queue = f"bench-fetch-{uuid.uuid4().hex[:8]}"
    os.environ["FETCH_QUEUE"] = queue
    settings.FETCH_QUEUE = queue
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sources = [cite(f"{base}/{queue}/report/{i}") for i in range(urls)]
    ids = [source.pk for source in sources]
    workers = [
        start_worker(queue, concurrency, tmp / f"worker-{processes}x{concurrency}-{n}.log")
        for n in range(processes)
    ]
    try:
        if warm_up:
            fetch_all([cite(f"{base}/{queue}/warm-up/{i}").pk for i in range(warm_up)])
        server.peak = 0
        # Start-up (imports, Django set-up) is not part of the per-source cost.
        idle_cpu = sum(cpu_seconds(worker.pid) for worker in workers)
        started = time.perf_counter()
        fetch_all(ids)
        wall = time.perf_counter() - started
        worker_cpu = sum(cpu_seconds(worker.pid) for worker in workers) - idle_cpu
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(30)
    fetched = Source.objects.filter(pk__in=ids, state=Source.State.FETCHED).count()
    ideal = urls * server.latency / (processes * concurrency)
    return {
        "run": f"{processes} × {concurrency}",
        "wall": wall,
        "ideal": ideal,
        "fetched": fetched,
        "peak": server.peak,
        "worker_cpu_ms": worker_cpu / urls * 1000,
    }


def fetch_all(ids: list[int]) -> None:
    """Schedule the sources and wait until every one is done with."""
    from django.db import transaction

    from claims.models import Source
    from claims.services import sources_schedule

    with transaction.atomic():
        sources_schedule(source_ids=ids)
    waiting = Source.objects.filter(pk__in=ids).exclude(
        state__in=[Source.State.FETCHED, Source.State.FAILED, Source.State.BLOCKED]
    )
    while waiting.exists():
        time.sleep(0.05)


def dead_broker_scheduling(urls: int) -> float:
    """Return the seconds that citing ``urls`` links takes in a process whose broker is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = (
        "import django, time, uuid; django.setup()\n"
        "from django.db import transaction\n"
        "from claims.extraction import Link\n"
        "from claims.services import citations_from_links\n"
        "from tests.factories import ArticleFactory, ClaimFactory\n"
        "tag = uuid.uuid4().hex\n"
        "claim = ClaimFactory(article=ArticleFactory(slug=tag, body=f'Spent 4 million. {tag}'))\n"
        f"links = [Link(f'https://news.example/{{tag}}/{{i}}', 0, 5) for i in range({urls})]\n"
        "t = time.perf_counter()\n"
        "with transaction.atomic():\n"
        "    citations_from_links(article=claim.article, claims=[claim], links=links)\n"
        "print(time.perf_counter() - t)\n"
    )
    env = {**os.environ, "CELERY_BROKER_URL": f"redis://127.0.0.1:{port}/0", "LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(result.stderr[-3000:])
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--runs", nargs="+", default=["1x8", "1x32", "1x64", "2x32"])
    parser.add_argument("--warm-up", type=int, default=0, help="untimed sources per run first")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_fetching"
    )
    args = parser.parse_args()
    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    server = SlowServer(args.latency)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-fetching-"))
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="tests.settings",
        LOG_LEVEL="WARNING",
        CELERY_BROKER_URL=os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/5"),
        FETCH_ALLOW_PRIVATE_NETWORKS="1",
        FETCH_ALLOWED_PORTS=str(server.server_address[1]),
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONPATH=str(REPO),
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    print(f"{args.urls} URLs, {args.latency * 1000:.0f} ms each, thread-pool worker on Redis")
    if args.warm_up:
        print(f"each worker first fetches {args.warm_up} other sources, untimed")
    # The floor is CPU: each source costs extraction, ranking and ORM work under the GIL.
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start")
    print(
        "| processes × threads | wall time | ideal (N × latency ÷ threads) | ideal ÷ wall "
        "| sources/s | peak in flight | worker CPU per source |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for spec in args.runs:
        processes, concurrency = (int(part) for part in spec.split("x"))
        r = run(processes, concurrency, args.urls, server, tmp, args.warm_up)
        assert r["fetched"] == args.urls, r
        print(
            f"| {r['run']} | {r['wall']:.2f} s | {r['ideal']:.2f} s | "
            f"{r['ideal'] / r['wall']:.0%} | {args.urls / r['wall']:.1f} | {r['peak']} "
            f"| {r['worker_cpu_ms']:.0f} ms |"
        )
    # The same work with no network wait: what the CPU alone allows on this machine.
    server.latency = 0.0
    floor = run(1, 32, args.urls, server, tmp, args.warm_up)
    print(
        f"CPU floor (1 × 32, no latency): {floor['wall']:.2f} s, "
        f"{args.urls / floor['wall']:.1f} sources/s, worker CPU {floor['worker_cpu_ms']:.0f} ms "
        "per source"
    )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")
    dead = dead_broker_scheduling(20)
    print(f"citing 20 links with the broker unreachable: {dead:.2f} s (publish gives up once)")
    connections.close_all()
    server.shutdown()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)


if __name__ == "__main__":
    main()
