"""Time the desk's analytics over a year of 100,000 audit events: the figures and the whole page.

Run: .venv/bin/python bench/admin.py [--events 100000] [--repeat 15] [--database-url postgres://...]
It creates (and afterwards drops) its own PostgreSQL database, seeds a year of work through
bulk inserts (12.5 % of tickets dismissed; the rest queued, taken, drafted, submitted, voted on
twice and published; one in ten corrected; with the stays in each stage that the transition
step writes beside the trail), then times `desk_figures()` for the year and the
analytics page as an editor gets it (GET through the test client, the template rendered).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

YEAR = 2025
# Events a published ticket leaves, and those a correction adds (one ticket in ten).
PUBLISHED_TRAIL = ["queue", "take", "save_draft", "submit", "vote", "vote", "publish"]
CORRECTION_TRAIL = ["open_correction", "save_draft", "submit", "vote", "publish"]
STAGES = {
    "queue": ("new", "queued"),
    "take": ("queued", "researching"),
    "save_draft": ("researching", "researching"),
    "submit": ("researching", "in_review"),
    "vote": ("in_review", "in_review"),
    "publish": ("approved", "published"),
    "open_correction": ("published", "correcting"),
    "dismiss": ("new", "dismissed"),
}


def seed(events: int) -> int:
    """Bulk-insert tickets and their trails until `events` events exist; return the count."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from claims.models import Article, Claim
    from reviews.models import Event, Rating, StageSpell, Ticket, Verdict, VerdictRevision, Vote

    users = get_user_model()
    checkers = [users.objects.create(username=f"checker{i}", is_staff=True) for i in range(12)]
    editors = [users.objects.create(username=f"editor{i}", is_staff=True) for i in range(4)]
    ratings = list(Rating.objects.order_by("order"))
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    per_ticket = len(PUBLISHED_TRAIL) + len(CORRECTION_TRAIL) / 10
    published = int(events * 0.9375 / per_ticket)
    dismissed = events - int(published * per_ticket)
    text = "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful."
    written, batch = 0, 2000
    for first in range(0, published + dismissed, batch):
        numbers = range(first, min(first + batch, published + dismissed))
        articles = Article.objects.bulk_create(
            Article(
                title=f"Bench piece {n}",
                slug=f"bench-{n}",
                author=f"Columnist {n % 200}",
                publication=f"Gazette {n % 5}",
                body=text,
                plain_text=text,
                content_hash=f"{n:064x}",
            )
            for n in numbers
        )
        claims = Claim.objects.bulk_create(
            Claim(
                article=a,
                text=text[:59],
                start=0,
                end=59,
                paragraph=0,
                sentence=0,
                position=0,
                score=0.9,
                checkworthy=n % 7 != 0,
            )
            for n, a in zip(numbers, articles, strict=True)
        )
        opened = {n: start + timedelta(minutes=(n * 37) % (360 * 24 * 60)) for n in numbers}
        tickets = Ticket.objects.bulk_create(
            Ticket(
                claim=c,
                stage="published" if n < published else "dismissed",
                dismiss_reason="" if n < published else "opinion",
                assignee=checkers[n % len(checkers)] if n < published else None,
                due_at=opened[n] + timedelta(hours=48),
                created_at=opened[n],
            )
            for n, c in zip(numbers, claims, strict=True)
        )
        trail, spells = [], []
        for n, ticket in zip(numbers, tickets, strict=True):
            # The stays the transition step would write: the first change closes the stay the
            # ticket was opened in; each change closes the open stay and opens the next.
            stay = StageSpell(ticket=ticket, stage="new", entered_at=opened[n])
            actions = ["dismiss"]
            if n < published:
                actions = PUBLISHED_TRAIL + (CORRECTION_TRAIL if n % 10 == 0 else [])
            at = opened[n]
            for i, action in enumerate(actions):
                at += timedelta(hours=1 + (n * 7 + i * 13) % 29)
                data = {}
                if action == "publish":
                    data = {"rating": ratings[n % 5].slug, "correction": n if i > 6 else None}
                if action == "dismiss":
                    data = {"reason": "opinion"}
                before, after = STAGES[action]
                if before != after:
                    stay.left_at = at
                    spells.append(stay)
                    stay = StageSpell(ticket=ticket, stage=after, entered_at=at)
                trail.append(
                    Event(
                        ticket=ticket,
                        action=action,
                        from_stage=STAGES[action][0],
                        to_stage=STAGES[action][1],
                        data=data,
                        created_at=at,
                    )
                )
            spells.append(stay)
        Event.objects.bulk_create(trail)
        StageSpell.objects.bulk_create(spells)
        written += len(trail)
        worked = [(n, t) for n, t in zip(numbers, tickets, strict=True) if n < published]
        verdicts = Verdict.objects.bulk_create(Verdict(ticket=t) for _n, t in worked)
        revisions = VerdictRevision.objects.bulk_create(
            VerdictRevision(
                verdict=v,
                number=1,
                rating=ratings[n % 5],
                summary="s",
                explanation="e",
                author=checkers[n % len(checkers)],
            )
            for (n, _t), v in zip(worked, verdicts, strict=True)
        )
        Vote.objects.bulk_create(
            Vote(
                revision=r,
                editor=editors[(n + k) % len(editors)],
                approve=True,
                rating=ratings[(n + (k if n % 6 == 0 else 0)) % 5],
                created_at=opened[n] + timedelta(hours=30),
            )
            for (n, _t), r in zip(worked, revisions, strict=True)
            for k in range(2)
        )
        print(f"  {written:,} events", file=sys.stderr)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reviews_verdict v SET current_revision_id = r.id, published_revision_id = r.id,"
            " published_at = now() FROM reviews_verdictrevision r WHERE r.verdict_id = v.id"
        )
        cursor.execute("ANALYZE")
    return written


def _backend_cpu_seconds(pid: int) -> float:
    """Return the CPU time the PostgreSQL backend `pid` has used (it runs on this machine)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def timed(call, repeat: int) -> tuple[list[float], list[float]]:
    """Return sorted wall times and sorted CPU times (this process + its database backend), ms.

    On a shared, loaded machine the wall time mostly measures waiting for a core; the CPU time
    is what the work costs, about what the wall time is on an idle one.
    """
    from django.db import connection

    call()  # warm caches and connections once
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    walls, cpus = [], []
    for _ in range(repeat):
        began, cpu, db_cpu = time.perf_counter(), time.process_time(), _backend_cpu_seconds(pid)
        call()
        walls.append((time.perf_counter() - began) * 1000)
        cpus.append((time.process_time() - cpu + _backend_cpu_seconds(pid) - db_cpu) * 1000)
    return sorted(walls), sorted(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/factcheck_bench_admin"
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="Keep the seeded database; reuse it if it exists. With --screens: reuse the seeded"
        " tables when they hold the size asked for (one size a database).",
    )
    parser.add_argument("--queries", action="store_true", help="Print each query's time once.")
    parser.add_argument(
        "--screens",
        action="store_true",
        help="Time the admin's screens instead (bench/admin_screens.py); empties the database's"
        " desk tables, never drops the database.",
    )
    parser.add_argument("--claims", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="With --screens: add 1,000,000.")
    parser.add_argument(
        "--large-piece",
        action="store_true",
        help="With --screens: then add one 30,000-claim piece, time its screens and its removal.",
    )
    args = parser.parse_args()
    if args.screens:
        screens_main(args)
        return
    name = args.database_url.rsplit("/", 1)[1]
    pg = ["-h", "127.0.0.1", "-U", "postgres"]
    exists = subprocess.run(
        ["psql", *pg, "-d", name, "-c", "SELECT 1 FROM reviews_event LIMIT 1"],
        capture_output=True,
        check=False,
    )
    reuse = args.keep and exists.returncode == 0
    if not reuse:
        subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)
        subprocess.run(["createdb", *pg, name], check=True)
    os.environ.update(
        DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="tests.settings", LOG_LEVEL="WARNING"
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from reviews.analytics import desk_figures, year_scope
    from reviews.models import Event

    try:
        call_command("migrate", verbosity=0)
        setup_test_environment()
        settings.ALLOWED_HOSTS = ["testserver"]
        written = Event.objects.count() if reuse else seed(args.events)
        scope = year_scope(YEAR)
        figures = desk_figures(scope)
        print(
            f"{written:,} events; {figures.ingested:,} claims, {figures.published:,} published, "
            f"{figures.corrections:,} corrections, {figures.agreement.votes:,} rated votes"
        )
        if args.queries:
            from django.db import connection

            def report(execute, sql, params, many, context):
                began = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    took = (time.perf_counter() - began) * 1000
                    print(f"  {took:7.1f} ms  {' '.join(sql.split())[:110]}")

            with connection.execute_wrapper(report):
                desk_figures(scope)
        selector = timed(lambda: desk_figures(scope), args.repeat)
        client = Client()
        boss, _new = get_user_model().objects.get_or_create(
            username="boss", defaults={"is_superuser": True, "is_staff": True}
        )
        client.force_login(boss)
        page_url = reverse("desk_analytics")
        period = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}

        def page():
            response = client.get(page_url, period)
            assert response.status_code == 200, response.status_code

        rendered = timed(page, args.repeat)
        load = os.getloadavg()[0]
        for label, (walls, cpus) in (
            ("desk_figures(year)", selector),
            ("analytics page", rendered),
        ):
            print(
                f"  {label}: wall median {statistics.median(walls):.0f} ms (max {walls[-1]:.0f}),"
                f" CPU median {statistics.median(cpus):.0f} ms (max {cpus[-1]:.0f})"
                f" over {args.repeat} runs; load average {load:.1f} on {os.cpu_count()} cores"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            subprocess.run(["dropdb", *pg, "--if-exists", name], check=True)


def screens_main(args) -> None:
    """Time the admin's screens at each size in `args.claims` (see bench/admin_screens.py)."""
    os.environ.update(
        DATABASE_URL=args.database_url, DJANGO_SETTINGS_MODULE="tests.settings", LOG_LEVEL="WARNING"
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    sys.path.insert(0, str(REPO / "bench"))
    import admin_screens

    call_command("migrate", verbosity=0)
    # No setup_test_environment(): its template instrumentation would be timed with each page.
    settings.ALLOWED_HOSTS = ["testserver"]
    sizes = args.claims + ([1_000_000] if args.million else [])
    print(f"machine: {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f} at the start")
    admin_screens.run(
        sizes=sizes,
        repeat=args.repeat,
        timed=timed,
        show_queries=args.queries,
        reuse=args.keep,
    )
    if args.large_piece:
        from django.contrib.auth import get_user_model

        admin_screens.run_large(
            editor=get_user_model().objects.get(username="bench-editor"),
            repeat=args.repeat,
            timed=timed,
            backend_cpu=_backend_cpu_seconds,
            show_queries=args.queries,
        )


if __name__ == "__main__":
    main()
