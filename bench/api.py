"""Measure the verdict list under gunicorn against a bare JsonResponse view, and a 304 revalidation.

Run: .venv/bin/python bench/api.py [--verdicts 100000] [--seconds 15] [--threads 6]
It creates (and afterwards drops) its own PostgreSQL database, serves it with gunicorn on a
loopback port with production settings, and loads it from a bounded, threaded client loop.
The baseline view exists only inside this benchmark's own WSGI module, never in the project.
"""

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BASELINE_FIELDS = [
    "id",
    "ticket__claim__text",
    "ticket__claim__start",
    "ticket__claim__end",
    "ticket__claim__article__title",
    "ticket__claim__article__author",
    "ticket__claim__article__publication",
    "ticket__claim__article__url",
    "ticket__claim__article__published_at",
    "published_revision__rating__slug",
    "published_revision__rating__label",
    "published_revision__rating__numeric_value",
    "published_revision__summary",
    "published_revision__explanation",
    "published_revision__number",
    "published_at",
    "updated_at",
    "retracted_at",
    "retraction_reason",
]


def baseline(request):
    """Return the first page of published verdicts as bare rows: the floor the API is held to."""
    from django.http import JsonResponse

    from reviews.selectors import verdicts_published

    rows = verdicts_published().order_by("updated_at", "id").values(*BASELINE_FIELDS)[:50]
    return JsonResponse(list(rows), safe=False)


if os.environ.get("BENCH_API_SERVE") == "1":
    # Imported by gunicorn: the project's URLs plus the baseline, for this process only.
    import django
    from django.conf import settings
    from django.urls import path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    django.setup()
    from django.core.wsgi import get_wsgi_application

    from factcheck import urls as project_urls

    settings.ROOT_URLCONF = __name__
    urlpatterns = [path("bench/baseline/", baseline), *project_urls.urlpatterns]
    application = get_wsgi_application()


def seed(count: int) -> None:
    """Bulk-insert `count` published verdicts, ten claims to an article."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from claims.models import Article, Claim
    from reviews.models import Rating, Ticket, Verdict, VerdictRevision
    from reviews.workflow import Stage

    author = get_user_model().objects.create(username="bench", is_staff=True)
    ratings = list(Rating.objects.order_by("order"))
    now = timezone.now()
    text = "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful."
    batch = 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        articles = Article.objects.bulk_create(
            Article(
                title=f"Bench piece {start + i}",
                slug=f"bench-{start + i}",
                author=f"Columnist {(start + i) % 500}",
                publication="The Bench Gazette",
                url=f"https://gazette.example/{start + i}",
                published_at=now,
                body=text,
                plain_text=text,
                content_hash=f"{start + i:064x}",
            )
            for i in range(0, size, 10)
        )
        claims = Claim.objects.bulk_create(
            Claim(
                article=articles[i // 10],
                text=text[:59],
                start=0,
                end=59,
                paragraph=0,
                sentence=0,
                position=i % 10,
                score=0.9,
                checkworthy=True,
            )
            for i in range(size)
        )
        tickets = Ticket.objects.bulk_create(
            Ticket(claim=claim, stage=Stage.PUBLISHED, assignee=author) for claim in claims
        )
        verdicts = Verdict.objects.bulk_create(Verdict(ticket=ticket) for ticket in tickets)
        VerdictRevision.objects.bulk_create(
            VerdictRevision(
                verdict=verdict,
                number=1,
                rating=ratings[i % len(ratings)],
                summary=f"Bench summary {start + i}: the figure was 2.1 million dollars.",
                explanation="The council's accounts list the bridge at 2.1 million dollars.",
                author=author,
            )
            for i, verdict in enumerate(verdicts)
        )
        print(f"  seeded {start + size:,} verdicts", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_verdict v SET current_revision_id = r.id, published_revision_id = r.id,"
            " published_at = now(), updated_at = now() - (v.id || ' milliseconds')::interval"
            " FROM reviews_verdictrevision r WHERE r.verdict_id = v.id"
        )
        cursor.execute("ANALYZE")


def load(url: str, *, seconds: float, threads: int, headers: dict | None = None) -> dict:
    """Hit `url` from `threads` client loops for `seconds`; return throughput and latencies."""
    import httpx

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop():
        mine, seen = [], {}
        with httpx.Client(headers=headers or {}, timeout=10) as client:
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = client.get(url)
                mine.append(time.perf_counter() - started)
                seen[response.status_code] = seen.get(response.status_code, 0) + 1
        with lock:
            latencies.extend(mine)
            for code, n in seen.items():
                statuses[code] = statuses.get(code, 0) + n

    workers = [threading.Thread(target=loop) for _ in range(threads)]
    began = time.monotonic()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(int(len(latencies) * 0.99) - 1, 0)] * 1000,
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=0, help="0: any free loopback port")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_api"
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep the seeded database; reuse it if it exists."
    )
    args = parser.parse_args()
    name = args.database_url.rsplit("/", 1)[1]
    if not args.port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.port = probe.getsockname()[1]
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    exists = (
        name
        in subprocess.run(
            ["psql", *pg, "-Atc", "SELECT datname FROM pg_database"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    )
    reuse = args.keep and exists
    if not reuse:
        subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)
        subprocess.run(["createdb", *pg, name], check=True)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        # The load comes from one address: lift the per-address limit so it measures the work.
        "API_THROTTLE_ANON": "100000000/min",
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
    }
    env.pop("CELERY_BROKER_URL", None)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    if not reuse:
        started = time.perf_counter()
        seed(args.verdicts)
        print(f"seeded {args.verdicts:,} verdicts in {time.perf_counter() - started:.0f} s")
    connections.close_all()

    server = subprocess.Popen(
        [
            str(REPO / ".venv/bin/gunicorn"),
            "bench.api:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env={**env, "BENCH_API_SERVE": "1"},
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        import httpx

        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        api = f"{base}/api/v1/verdicts/?page_size=50"
        first = httpx.get(api, headers={"Accept": "application/json"})
        assert first.status_code == 200 and len(first.json()["results"]) == 50, first.text[:300]
        rows = httpx.get(f"{base}/bench/baseline/").json()
        assert [r["id"] for r in rows] == [r["id"] for r in first.json()["results"]]
        json_only = {"Accept": "application/json"}
        scenarios = [
            ("bare JsonResponse view, same 50 rows", f"{base}/bench/baseline/", {}),
            ("API verdict list, page of 50", api, json_only),
            (
                "API verdict list, 304 revalidation",
                api,
                {**json_only, "If-None-Match": first.headers["ETag"]},
            ),
        ]
        results = {}
        for label, url, headers in scenarios:
            load(url, seconds=2, threads=args.threads, headers=headers)  # warm-up
            results[label] = load(url, seconds=args.seconds, threads=args.threads, headers=headers)
        floor = results[scenarios[0][0]]["rps"]
        print("\n| measurement | requests/s | p50 ms | p99 ms | vs. bare view | statuses |")
        print("| --- | --- | --- | --- | --- | --- |")
        for label, figures in results.items():
            print(
                f"| {label} | {figures['rps']:.0f} | {figures['p50']:.1f} | {figures['p99']:.1f} "
                f"| {figures['rps'] / floor:.2f} | {figures['statuses']} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)


if __name__ == "__main__":
    main()
