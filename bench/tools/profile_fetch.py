"""Profile `source_fetch` in one process: where a source's worker CPU goes, by function.

Run: .venv/bin/python bench/tools/profile_fetch.py [--urls 100] [--top 25] [--sort tottime]
  [--database-url postgres://postgres@127.0.0.1:5432/factcheck_bench_profile] [--threads 32]
It creates (and afterwards drops) its own PostgreSQL database, serves the same page as
bench/fetching.py from a loopback server with no delay, and fetches every source in turn
under cProfile (no Celery, no threads), so the profile shows the service's own cost.

With --threads N it profiles what a fresh fetch worker's threads pay on first use instead: N
threads start together, as a worker's do when the first messages arrive, and each profiles its
own first fetch and times (CPU of the thread) its first and second.
"""

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

# The categories a reader of BENCHMARKS.md cares about, matched on cumulative time.
STAGES = {
    "fetch (network, SSRF checks)": "claims/fetching/client.py:",
    "trafilatura extraction": "claims/fetching/content.py:",
    "TF-IDF ranking": "claims/ranking.py:",
    "archive (gzip, storage)": "_store_body",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=100)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_profile"
    )
    parser.add_argument("--threads", type=int, default=0, help="profile first use per thread")
    parser.add_argument(
        "--plain", action="store_true", help="time the fetches (thread CPU) without the profiler"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="profile the thread's CPU time instead of wall time"
    )
    args = parser.parse_args()
    from fetching import SlowServer

    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    server = SlowServer(0.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    os.environ.update(
        DATABASE_URL=args.database_url,
        DJANGO_SETTINGS_MODULE="tests.settings",
        LOG_LEVEL="WARNING",
        FETCH_ALLOW_PRIVATE_NETWORKS="1",
        FETCH_ALLOWED_PORTS=str(server.server_address[1]),
        MEDIA_ROOT=str(tmp / "media"),
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from claims.services import source_fetch
    from tests.claims.sourcing import cite

    call_command("migrate", verbosity=0)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    if args.threads:
        first_use(args, base)
        connections.close_all()
        server.shutdown()
        drop = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name]
        subprocess.run(drop, check=True)
        return
    # One warm-up fetch: imports and first-use caches are not per-source cost.
    source_fetch(source_id=cite(f"{base}/warm-up").pk)
    ids = [cite(f"{base}/report/{i}").pk for i in range(args.urls)]
    if args.plain:
        cpu = time.thread_time()
        for source_id in ids:
            source_fetch(source_id=source_id)
        cpu = time.thread_time() - cpu
        print(f"{args.urls} sources, one thread, no profiler: {cpu * 1000 / args.urls:.2f} ms CPU")
        connections.close_all()
        server.shutdown()
        drop = ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name]
        subprocess.run(drop, check=True)
        return
    # With --cpu the profile counts only this thread's CPU: waits on PostgreSQL drop out.
    profiler = cProfile.Profile(time.thread_time) if args.cpu else cProfile.Profile()
    cpu, wall = time.process_time(), time.perf_counter()
    profiler.enable()
    for source_id in ids:
        source_fetch(source_id=source_id)
    profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    stats = pstats.Stats(profiler)
    per = 1000 / args.urls
    import claims

    print(f"code profiled: {Path(claims.__file__).parent.parent}")
    print(f"{args.urls} sources in one process: {cpu * per:.1f} ms CPU, {wall * per:.1f} ms wall")
    kind = "this thread's CPU" if args.cpu else "wall"
    print(f"(CPU includes the loopback server's thread; profile times are {kind}, with overhead)")
    total = sum(row[3] for key, row in stats.stats.items() if key[2] == "source_fetch")
    print("| stage | ms per source | share of source_fetch |\n| --- | ---: | ---: |")
    for stage, needle in STAGES.items():
        cumulative = max(
            (
                row[3]
                for (path, line, func), row in stats.stats.items()
                if needle in f"{path}:{line}:{func}" or func == needle
            ),
            default=0.0,
        )
        print(f"| {stage} | {cumulative * per:.1f} | {cumulative / total:.0%} |")
    print(f"| source_fetch in all | {total * per:.1f} | 100% |")
    stats.sort_stats(args.sort).print_stats(args.top)
    connections.close_all()
    server.shutdown()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)


def first_use(args, base: str) -> None:
    """Profile each thread's first fetch, all threads starting at once, in a fresh process."""
    from django.db import connections

    from claims.services import source_fetch
    from tests.claims.sourcing import cite

    ids = [[cite(f"{base}/first/{t}/{i}").pk for i in range(2)] for t in range(args.threads)]
    connections.close_all()
    start = threading.Barrier(args.threads)
    profiles, first, second = [], [], []

    def thread(mine: list[int]) -> None:
        profiler = cProfile.Profile(time.thread_time) if args.cpu else cProfile.Profile()
        start.wait()
        cpu = time.thread_time()
        profiler.enable()
        source_fetch(source_id=mine[0])
        profiler.disable()
        first.append(time.thread_time() - cpu)
        cpu = time.thread_time()
        source_fetch(source_id=mine[1])
        second.append(time.thread_time() - cpu)
        profiles.append(profiler)
        connections.close_all()

    workers = [threading.Thread(target=thread, args=(mine,)) for mine in ids]
    cpu = time.process_time()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    cpu = time.process_time() - cpu
    n = args.threads
    print(f"{n} threads, two fetches each, started at once: {cpu * 1000 / n:.1f} ms CPU per thread")
    print(
        f"thread CPU, first fetch: {sum(first) * 1000 / n:.1f} ms mean, max {max(first) * 1000:.1f}"
    )
    mean, worst = sum(second) * 1000 / n, max(second) * 1000
    print(f"thread CPU, second fetch: {mean:.1f} ms mean, max {worst:.1f}")
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        stats.add(profile)
    kind = "each thread's CPU" if args.cpu else "wall"
    print(f"first fetches, profiled (times summed over the {n} threads, {kind}, with overhead):")
    stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
