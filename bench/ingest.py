"""Measure `article_receive` throughput: 1,000 distinct pieces ingested into PostgreSQL.

Run: .venv/bin/python bench/ingest.py [--articles 1000] [--database-url postgres://...]
It creates (and afterwards drops) its own database, so it never touches real data.
"""

import argparse
import os
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


def piece(rng: random.Random, index: int) -> str:
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
        paragraphs.append(f"Piece {index}, part {p}. " + " ".join(sentences))
    return "\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
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
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from reviews.services import article_receive

    call_command("migrate", verbosity=0)
    rng = random.Random(20261126)
    bodies = [piece(rng, i) for i in range(args.articles)]
    words = sum(len(b.split()) for b in bodies)
    durations, claims = [], 0
    started = time.perf_counter()
    for i, body in enumerate(bodies):
        t0 = time.perf_counter()
        result = article_receive(body=body, title=f"Bench piece {i}", author="Bench")
        durations.append(time.perf_counter() - t0)
        claims += result.assertions
    wall = time.perf_counter() - started
    durations.sort()
    print(f"ingested {args.articles} articles ({words} words, {claims} claims) in {wall:.1f} s")
    print(
        f"  {args.articles / wall:.1f} articles/s, {claims / wall:.0f} claims/s, "
        f"{words / wall:.0f} words/s"
    )
    print(
        f"  per article: p50 {statistics.median(durations) * 1000:.1f} ms, "
        f"p99 {durations[int(len(durations) * 0.99) - 1] * 1000:.1f} ms"
    )
    from django.db import connections

    connections.close_all()
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)


if __name__ == "__main__":
    main()
