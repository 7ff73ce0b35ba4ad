"""Measure `article_receive` throughput: 1,000 distinct pieces ingested into PostgreSQL.

Run: .venv/bin/python bench/ingest.py [--articles 1000] [--links 2] [--existing 0]
  [--database-url postgres://...]
It creates (and afterwards drops) its own database, so it never touches real data. With
CELERY_BROKER_URL set (Redis), each piece's cited links queue real fetch messages on a queue of
their own, which nobody consumes and the run deletes; without it, --links must be 0 (the
fetches would run in-process). `--existing N` first stores N claims (bulk, not timed) to show
how ingestion's cost grows with the desk. Extraction (the check-worthiness encoder) and the
rest of ingestion (the database writes) are timed apart.
"""

import argparse
import cProfile
import functools
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SUBJECTS = [
    "The city council",
    "The regional transit agency",
    "The health ministry",
    "The state university",
    "The port authority",
    "The national weather service",
    "The school board",
    "The central bank",
]
VERBS = ["spent", "borrowed", "approved", "cut", "reallocated", "requested"]
OBJECTS = [
    "on road repairs",
    "for new classrooms",
    "for flood defences",
    "on staff pay",
    "for a cyber-security audit",
    "on electric buses",
]
OPINIONS = [
    "It feels like a gamble with other people's money.",
    "Frankly, the whole plan reads like an election flyer.",
    "Residents should be forgiven for their scepticism.",
    "Nobody seems to have asked whether this is wise.",
    "One wonders what the next budget will look like.",
]
ATTRIBUTIONS = [
    "According to reporting by the local paper,",
    "Officials said that",
    "Critics complained that",
    "A leaked memo suggests that",
]


def piece(rng: random.Random, index: int, links: int = 0) -> str:
    """Write a synthetic opinion piece of about 400 words; `index` keeps every piece distinct."""
    paragraphs = []
    for p in range(6):
        sentences = []
        for _ in range(4):
            subject, verb, obj = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)
            amount = f"{rng.randint(2, 950)}.{rng.randint(1, 9)} million dollars"
            sentences.append(f"{subject} {verb} {amount} {obj} in {rng.randint(1998, 2025)}.")
            sentences.append(
                f"{rng.choice(ATTRIBUTIONS)} the figure rose by {rng.randint(2, 60)}%"
                f" and staff walked away from talks with {rng.choice(SUBJECTS).lower()}."
            )
            sentences.append(rng.choice(OPINIONS))
        if p < links:
            # A cited figure: markdown's link, as a CMS sends it.
            sentences.append(
                f"The audit put it at {rng.randint(2, 90)} million dollars, "
                f"[the auditor said](https://audit{p}.example/piece/{index}/report)."
            )
        paragraphs.append(f"Piece {index}, part {p}. " + " ".join(sentences))
    return "\n\n".join(paragraphs)


def seed_claims(count: int) -> None:
    """Store ``count`` claims with their tickets, 100 to an article, in bulk (not timed).

    One INSERT ... SELECT generate_series per table, then VACUUM ANALYZE (what autovacuum does
    long before a desk holds this many), so a million takes a minute or two, not an hour.
    """
    from django.db import connection

    per = 100
    articles = max(1, count // per)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO claims_article (title, slug, author, publication, url, body,"
            " body_format, plain_text, content_hash, paragraph_count, sentence_count,"
            " ingested_at, updated_at, ingest_client)"
            " SELECT 'Seeded ' || n, 'seeded-' || n, '', '', '', 'Seeded piece ' || n || '.',"
            " 'text', 'Seeded piece ' || n || '.', 'seeded-' || n, 1, %s, now(), now(), ''"
            " FROM generate_series(1, %s) AS n",
            [per, articles],
        )
        cursor.execute(
            'INSERT INTO claims_claim (article_id, text, start, "end", paragraph, sentence,'
            " position, score, checkworthy, reasons, split, attributed_uncited, claimant,"
            " created_at)"
            " SELECT a.id, 'The seeded council spent ' || a.id || '.' || k || ' million dollars.',"
            " 0, 10, 0, k, k, 0.5, true, '[]'::jsonb, false, false, '', now()"
            " FROM claims_article a CROSS JOIN generate_series(0, %s) AS k"
            " WHERE a.content_hash LIKE 'seeded-%%'",
            [per - 1],
        )
        cursor.execute(
            "INSERT INTO reviews_ticket (claim_id, stage, dismiss_reason, version, created_at,"
            " updated_at) SELECT id, 'new', '', 1, now(), now() FROM claims_claim"
        )
        cursor.execute("VACUUM ANALYZE")


class Timed:
    """Wrap a function and add up the seconds (wall and this process's CPU) spent in it."""

    def __init__(self, function) -> None:
        self.function, self.seconds, self.cpu = function, 0.0, 0.0
        functools.update_wrapper(self, function)

    def __call__(self, *args, **kwargs):
        started, cpu = time.perf_counter(), time.process_time()
        try:
            return self.function(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.cpu += time.process_time() - cpu


def backend_cpu_seconds() -> float:
    """Return the CPU time this process's PostgreSQL backend has used (same machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    queued = os.environ.get("CELERY_BROKER_URL", "").startswith("redis")
    parser.add_argument(
        "--links",
        type=int,
        default=2 if queued else 0,
        help="cited links per piece, at most 6 (default 2 with a Redis broker, else 0)",
    )
    parser.add_argument("--existing", type=int, default=0, help="claims stored beforehand")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_ingest"
    )
    args = parser.parse_args()
    name = args.database_url.rsplit("/", 1)[1]
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    os.environ.update(
        DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="tests.settings", LOG_LEVEL="WARNING"
    )
    queue = f"bench-ingest-{os.getpid()}"
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if args.links and not broker.startswith("redis"):
        raise SystemExit("--links needs CELERY_BROKER_URL=redis://...: fetches must be queued")
    if not args.links:
        os.environ.pop("CELERY_BROKER_URL", None)
    os.environ["FETCH_QUEUE"] = queue
    import django

    django.setup()
    from django.core.management import call_command

    import claims.services.ingestion as ingestion
    from claims.models import Source
    from reviews.services import article_receive

    call_command("migrate", verbosity=0)
    if args.existing:
        seed_claims(args.existing)
    extraction = ingestion.extract = Timed(ingestion.extract)
    normalizing = ingestion.normalize = Timed(ingestion.normalize)
    rng = random.Random(20261126)
    bodies = [piece(rng, i, args.links) for i in range(args.articles)]
    words = sum(len(b.split()) for b in bodies)
    durations, claims = [], 0
    load = os.getloadavg()[0]
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    # Warm up outside the timing: the encoder's model and Celery's app load once per process.
    article_receive(
        body=piece(rng, -1, args.links), title="Warm-up", author="Bench", fmt="markdown"
    )
    extraction.seconds = extraction.cpu = normalizing.seconds = normalizing.cpu = 0.0
    db_cpu = backend_cpu_seconds()
    started, cpu = time.perf_counter(), time.process_time()
    for i, body in enumerate(bodies):
        t0 = time.perf_counter()
        result = article_receive(
            body=body, title=f"Bench piece {i}", author="Bench", fmt="markdown"
        )
        durations.append(time.perf_counter() - t0)
        claims += result.assertions
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu
    db_cpu = backend_cpu_seconds() - db_cpu
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(150)
    durations.sort()
    n = args.articles
    sources = Source.objects.count()
    print(
        f"ingested {n} articles ({words} words, {claims} claims, {sources} sources queued) "
        f"in {wall:.1f} s over {args.existing:,} existing claims; load {load:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    print(
        f"  end to end: {n / wall:.1f} articles/s, {claims / wall:.0f} claims/s, "
        f"{words / wall:.0f} words/s"
    )
    print(
        f"  per article: p50 {statistics.median(durations) * 1000:.1f} ms, "
        f"p99 {durations[int(len(durations) * 0.99) - 1] * 1000:.1f} ms"
    )
    extracting = extraction.seconds + normalizing.seconds
    rest = wall - extracting
    print(
        f"  extraction (normalize + extract): {extracting / n * 1000:.1f} ms per article; "
        f"the rest (writes, tickets, citations, queueing): {rest / n * 1000:.1f} ms per article, "
        f"{n / rest:.1f} articles/s without extraction"
    )
    extracting_cpu = extraction.cpu + normalizing.cpu
    rest_cpu = cpu - extracting_cpu + db_cpu
    print(
        f"  CPU: extraction {extracting_cpu / n * 1000:.1f} ms per article; the rest"
        f" {rest_cpu / n * 1000:.1f} ms per article (this process"
        f" {(cpu - extracting_cpu) / n * 1000:.1f} + PostgreSQL backend {db_cpu / n * 1000:.1f}),"
        f" {n / rest_cpu:.1f} articles/s of CPU without extraction,"
        f" {n / (cpu + db_cpu):.1f} with it"
    )
    from django.db import connections

    connections.close_all()
    if args.links:
        import redis

        redis.Redis.from_url(broker).delete(queue)
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)


if __name__ == "__main__":
    main()
