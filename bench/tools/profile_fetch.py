"""Profile `source_fetch` in one process: where a source's worker CPU goes, by function.

Run: .venv/bin/python bench/tools/profile_fetch.py [--urls 100] [--top 25] [--sort tottime]
  [--database-url postgres://postgres@127.0.0.1:5432/factcheck_bench_profile]
It creates (and afterwards drops) its own PostgreSQL database, serves the same page as
bench/fetching.py from a loopback server with no delay, and fetches every source in turn
under cProfile (no Celery, no threads), so the profile shows the service's own cost.
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
    # One warm-up fetch: imports and first-use caches are not per-source cost.
    source_fetch(source_id=cite(f"{base}/warm-up").pk)
    ids = [cite(f"{base}/report/{i}").pk for i in range(args.urls)]
    profiler = cProfile.Profile()
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
    print("(CPU includes the loopback server's thread; profile times are wall, with overhead)")
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


if __name__ == "__main__":
    main()
