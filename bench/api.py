"""Measure the verdict list under gunicorn against a bare JsonResponse view, side by side.

Run: .venv/bin/python bench/api.py [--verdicts 100000] [--seconds 10] [--rounds 2]
     .venv/bin/python bench/api.py --curve [--million]      # 10k and 100k (and 1M) verdicts
     .venv/bin/python bench/api.py --before /path/to/older/checkout   # its API beside ours

It seeds its own PostgreSQL database (one per size, kept with --keep), then starts gunicorn
servers on loopback ports with production settings, all at once: the bare view, the API with
its body cache (CACHE_URL in memory), the API with no body cache (dummycache: every full page
is rendered) and, with --before, the API of another checkout. Each round measures every
scenario one after another for --seconds; a scenario's figure is its median over the rounds.
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
    """Return a page of published verdicts as bare rows: the floor the API is held to.

    `?cursor=` (the API's own cursor) starts after that position, as the API's sync does.
    """
    from django.db.models import Q
    from django.http import JsonResponse

    from reviews.api.pagination import decode_cursor
    from reviews.selectors import verdicts_published

    rows = verdicts_published().order_by("updated_at", "id")
    if "cursor" in request.GET:
        when, pk = decode_cursor(request.GET["cursor"])
        rows = rows.filter(updated_at__gte=when).filter(
            Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk)
        )
    return JsonResponse(list(rows.values(*BASELINE_FIELDS)[:50]), safe=False)


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


def _insert_select(model, given: dict, source: str, source_params=()) -> None:
    """INSERT INTO `model`'s table SELECT `given` FROM `source`, in one statement.

    `given` maps a column to an SQL expression, or to (expression, its parameters). Every other
    column takes the model field's default (now() for auto_now fields, NULL if nullable), so the
    rows are what the ORM would have written.
    """
    from django.db import connection

    unknown = set(given) - {field.column for field in model._meta.concrete_fields}
    assert not unknown, unknown
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in given:
            expression, own = given[field.column], ()
            if isinstance(expression, tuple):
                expression, own = expression
            values.append(expression)
            params.extend(own)
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values.append("now()")
        elif field.has_default() or field.get_default() is not None:
            # A default, or the empty string Django writes for a text field left blank.
            values.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            values.append("NULL")
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {source}",
            [*params, *source_params],
        )


def seed(count: int) -> None:
    """Insert `count` published verdicts, ten claims to an article: one INSERT…SELECT a table."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from claims.models import Article, Claim
    from reviews.models import Rating, Ticket, Verdict, VerdictRevision
    from reviews.workflow import Stage

    author = get_user_model().objects.create(username="bench", is_staff=True)
    ratings = list(Rating.objects.order_by("order").values_list("pk", flat=True))
    text = "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful."
    with transaction.atomic():
        _insert_select(
            Article,
            {
                "title": "'Bench piece ' || g * 10",
                "slug": "'bench-' || g * 10",
                "author": "'Columnist ' || (g * 10) %% 500",
                "publication": "'The Bench Gazette'",
                "url": "'https://gazette.example/' || g * 10",
                "published_at": "now()",
                "body": ("%s", [text]),
                "plain_text": ("%s", [text]),
                "content_hash": "lpad(to_hex(g * 10), 64, '0')",
            },
            "generate_series(0, %s) AS g ORDER BY g",
            [(count - 1) // 10],
        )
        _insert_select(
            Claim,
            {
                "article_id": "a.id",
                "text": ("%s", [text[:59]]),
                "start": "0",
                "end": "59",
                "paragraph": "0",
                "sentence": "0",
                "position": "p",
                "score": "0.9",
                "checkworthy": "true",
            },
            "claims_article a CROSS JOIN generate_series(0, 9) AS p ORDER BY a.id, p LIMIT %s",
            [count],
        )
        _insert_select(
            Ticket,
            {"claim_id": "c.id", "stage": ("%s", [Stage.PUBLISHED]), "assignee_id": str(author.pk)},
            "claims_claim c ORDER BY c.id",
        )
        _insert_select(Verdict, {"ticket_id": "t.id"}, "reviews_ticket t ORDER BY t.id")
        _insert_select(
            VerdictRevision,
            {
                "verdict_id": "v.id",
                "number": "1",
                "rating_id": (
                    "(%s::bigint[])[1 + (row_number() OVER (ORDER BY v.id) - 1) %% %s]",
                    [ratings, len(ratings)],
                ),
                "summary": "'Bench summary ' || (row_number() OVER (ORDER BY v.id) - 1)"
                " || ': the figure was 2.1 million dollars.'",
                "explanation": (
                    "%s",
                    ["The council's accounts list the bridge at 2.1 million dollars."],
                ),
                "author_id": str(author.pk),
            },
            "reviews_verdict v ORDER BY v.id",
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_verdict v SET current_revision_id = r.id, published_revision_id = r.id,"
            " published_at = now(), updated_at = now() - (v.id || ' milliseconds')::interval"
            " FROM reviews_verdictrevision r WHERE r.verdict_id = v.id"
        )
        cursor.execute("VACUUM ANALYZE")
    print(f"  seeded {count:,} verdicts", file=sys.stderr)


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
            # At least one request each: on a loaded machine a thread may start after `stop`.
            while not mine or time.monotonic() < stop:
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


PG = ["-h", "127.0.0.1", "-U", "postgres"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_database(url: str, count: int, *, keep: bool) -> None:
    """Create the database at `url` with `count` published verdicts (reused with --keep)."""
    from django.core.management import call_command
    from django.db import connections

    name = url.rsplit("/", 1)[1]
    listed = subprocess.run(
        ["psql", *PG, "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if not (keep and name in listed):
        subprocess.run(["dropdb", *PG, "--if-exists", name], check=True)
        subprocess.run(["createdb", *PG, name], check=True)
        connections.close_all()
        connections.databases["default"]["NAME"] = name
        connections["default"].settings_dict["NAME"] = name
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        try:
            seed(count)
        except BaseException:
            # A half-seeded database must not be reused by the next --keep run.
            connections.close_all()
            subprocess.run(["dropdb", *PG, "--if-exists", name], check=True)
            raise
        print(f"seeded {count:,} verdicts in {time.perf_counter() - started:.0f} s")
    connections.close_all()


def deep_cursor(url: str, depth: float) -> str:
    """Return the API cursor `depth` of the way through the sync order (0.9: near the end)."""
    import psycopg

    from reviews.api.pagination import encode_cursor

    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        (total,) = db.execute("SELECT count(*) FROM reviews_verdict").fetchone()
        when, pk = db.execute(
            "SELECT updated_at, id FROM reviews_verdict ORDER BY updated_at, id OFFSET %s LIMIT 1",
            [int(total * depth)],
        ).fetchone()
    return encode_cursor(when, pk)


def explain_deep_page(url: str, cursor: str) -> str:
    """Return PostgreSQL's plan for the API's page query at `cursor` (the index must bound it)."""
    from django.db import connections

    from reviews.api.pagination import SyncPagination
    from reviews.api.views import public_verdicts
    from reviews.representation import verdict_rows

    class Request:
        query_params = {"cursor": cursor}

    name = url.rsplit("/", 1)[1]
    connections.close_all()
    connections["default"].settings_dict["NAME"] = name
    page = SyncPagination().positioned(verdict_rows(public_verdicts()), Request())
    plan = page[:51].explain()
    connections.close_all()
    return plan


class Server:
    """One gunicorn serving `code`'s project plus the bare view, with its own environment."""

    def __init__(self, label: str, code: Path, env: dict, workers: int):
        self.label, self.port = label, free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(REPO / ".venv/bin/gunicorn"),
                "bench.api:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=code,
            env={**env, "BENCH_API_SERVE": "1", "PYTHONPATH": str(code)},
        )

    def wait(self) -> None:
        import httpx

        for _ in range(150):
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.label} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def measure(servers: dict, *, cursor: str | None, seconds: float, rounds: int, threads: int):
    """Run every scenario once a round, `rounds` times; return each one's median figures."""
    import httpx

    json_only = {"Accept": "application/json"}
    query = "?page_size=50" + (f"&cursor={cursor}" if cursor else "")
    api = "/api/v1/verdicts/" + query
    bare = "/bench/baseline/" + (f"?cursor={cursor}" if cursor else "")
    ours = servers["ours"].base
    first = httpx.get(ours + api, headers=json_only)
    assert first.status_code == 200 and len(first.json()["results"]) == 50, first.text[:300]
    rows = httpx.get(servers["bare"].base + bare).json()
    assert [r["id"] for r in rows] == [r["id"] for r in first.json()["results"]]
    etag = first.headers["ETag"]
    scenarios = [
        ("bare JsonResponse view, same 50 rows", servers["bare"].base + bare, {}),
        ("API, cold (no body cache: rendered)", servers["cold"].base + api, json_only),
        ("API, warm (same page again, unchanged)", ours + api, json_only),
        ("API, 304 revalidation", ours + api, {**json_only, "If-None-Match": etag}),
    ]
    if "before" in servers:
        before = servers["before"].base + api
        old_etag = httpx.get(before, headers=json_only).headers["ETag"]
        scenarios += [
            ("before: API full page", before, json_only),
            ("before: API 304", before, {**json_only, "If-None-Match": old_etag}),
        ]
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in scenarios}
    for _ in range(rounds):
        for label, url, headers in scenarios:
            load(url, seconds=2, threads=threads, headers=headers)  # warm-up
            runs[label].append(load(url, seconds=seconds, threads=threads, headers=headers))
    results = {}
    for label, figures in runs.items():
        results[label] = {
            "rps": statistics.median(f["rps"] for f in figures),
            "p50": statistics.median(f["p50"] for f in figures),
            "p99": statistics.median(f["p99"] for f in figures),
            "statuses": figures[-1]["statuses"],
        }
    return results


def table(title: str, results: dict) -> None:
    floor = results["bare JsonResponse view, same 50 rows"]["rps"]
    with open("/proc/loadavg") as loadavg:
        load_now = " ".join(loadavg.read().split()[:3])
    print(f"\n{title} (load average after: {load_now})")
    print("| measurement | requests/s | p50 ms | p99 ms | vs. bare view | statuses |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, f in results.items():
        print(
            f"| {label} | {f['rps']:.0f} | {f['p50']:.1f} | {f['p99']:.1f} "
            f"| {f['rps'] / floor:.2f} | {f['statuses']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verdicts", type=int, default=100_000)
    parser.add_argument("--curve", action="store_true", help="10,000 and 100,000 verdicts")
    parser.add_argument("--million", action="store_true", help="with --curve: 1,000,000 too")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", type=Path, help="serve this checkout's API beside ours")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument(
        "--keep", action="store_true", help="Keep the seeded databases; reuse them if they exist."
    )
    parser.add_argument(
        "--seed-only", action="store_true", help="Seed the databases (implies --keep), then stop."
    )
    args = parser.parse_args()
    sizes = [10_000, 100_000, *([1_000_000] if args.million else [])]
    sizes = sizes if args.curve else [args.verdicts]
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

    for size in sizes:
        url = f"{args.database_url}_{size}"
        prepare_database(url, size, keep=args.keep or args.seed_only)
        if args.seed_only:
            continue
        sized = {**env, "DATABASE_URL": url}
        servers = {
            "bare": Server("bare", REPO, sized, args.workers),
            "ours": Server("ours", REPO, {**sized, "CACHE_URL": "locmemcache://"}, args.workers),
            "cold": Server("cold", REPO, {**sized, "CACHE_URL": "dummycache://"}, args.workers),
        }
        if args.before:
            servers["before"] = Server("before", args.before.resolve(), sized, args.workers)
        try:
            for server in servers.values():
                server.wait()
            pages = [("first page", None)]
            if args.curve:
                pages.append(("deep cursor page (90 % through)", deep_cursor(url, 0.9)))
            for name, cursor in pages:
                figures = measure(
                    servers,
                    cursor=cursor,
                    seconds=args.seconds,
                    rounds=args.rounds,
                    threads=args.threads,
                )
                table(f"{size:,} verdicts, {name}, page of 50", figures)
            if args.curve:
                print(f"\nPlan of the API's page query at the deep cursor ({size:,}):")
                print(explain_deep_page(url, deep_cursor(url, 0.9)))
        finally:
            for server in servers.values():
                server.stop()
            if not args.keep:
                subprocess.run(["dropdb", *PG, "--if-exists", url.rsplit("/", 1)[1]], check=True)


if __name__ == "__main__":
    main()
