"""Time the desk's admin screens as the desk grows: ticket and claim lists, dashboard, ticket page.

Run through bench/admin.py: .venv/bin/python bench/admin.py --screens [--claims 10000 100000]
[--million] [--repeat 9] [--database-url postgres://.../db]. It empties the desk's tables in the
given database (migrated first), seeds the claims with SQL set inserts (one statement per table,
never a row at a time), then GETs each screen through the test client as a logged-in editor and
reports the server time (wall and CPU of this process plus its PostgreSQL backend) and the
number of queries.
"""

import statistics
import time

# Ten claims per piece; the stages a desk's archive holds (most work finished long ago).
CLAIMS_PER_ARTICLE = 10
STAGE_SHARES = [
    ("published", 55),
    ("dismissed", 25),
    ("new", 5),
    ("queued", 5),
    ("researching", 4),
    ("in_review", 2),
    ("changes_requested", 1),
    ("approved", 1),
    ("correcting", 1),
    ("scheduled", 1),
]
TOPICS = ["bridge", "hospital", "school", "tram line", "library", "harbour", "stadium", "budget"]
SPEAKERS = 5000  # "Councillor Speaker<n>": a search for one speaker matches one claim in 5,000
CHECKERS = 12
TABLES = [
    "claims_passage",
    "claims_evidence",
    "claims_citation",
    "claims_snapshot",
    "claims_source",
    "reviews_event",
    "reviews_ticket",
    "claims_claim",
    "claims_articleevent",
    "claims_article",
]


def _stage_sql() -> str:
    """Return a CASE that spreads `n` over the stages in STAGE_SHARES (out of 100)."""
    cases, upto = [], 0
    for stage, share in STAGE_SHARES:
        upto += share
        cases.append(f"WHEN n %% 100 < {upto} THEN '{stage}'")
    return "CASE " + " ".join(cases) + " END"


def seed(claims: int) -> dict:
    """Empty the desk's tables and insert `claims` claims, their pieces and tickets in bulk."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    users = get_user_model()
    editor, _new = users.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    editor.groups.add(Group.objects.get(name="Editor"))
    checkers = []
    for i in range(CHECKERS):
        checker, _new = users.objects.get_or_create(
            username=f"bench-checker{i}", defaults={"is_staff": True}
        )
        checker.groups.add(Group.objects.get(name="Fact-checker"))
        checkers.append(checker.pk)
    articles = max(1, claims // CLAIMS_PER_ARTICLE)
    topics = "ARRAY[" + ",".join(f"'{t}'" for t in TOPICS) + "]"
    checker_ids = "ARRAY[" + ",".join(str(pk) for pk in checkers) + "]"
    body = "The council spent millions on the bridge. It feels wasteful."
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        cursor.execute(
            "INSERT INTO claims_article (id, title, slug, author, publication, url, published_at,"
            " body, body_format, plain_text, content_hash, paragraph_count, sentence_count,"
            " ingested_at, updated_at, ingest_client)"
            " SELECT n, 'Bench piece ' || n || ' on the ' || (" + topics + ")[1 + n %% 8],"
            " 'bench-' || n,"
            " 'Columnist ' || n %% 200, 'Gazette ' || n %% 5, 'https://gazette.example/' || n,"
            " now() - n * interval '1 minute', %s, 'text', %s, lpad(to_hex(n), 64, '0'), 1, 2,"
            " now() - n * interval '1 minute', now(), ''"
            " FROM generate_series(1, %s) AS n",
            [body, body, articles],
        )
        cursor.execute(
            'INSERT INTO claims_claim (id, article_id, text, start, "end", paragraph, sentence,'
            " position, score, checkworthy, reasons, split, attributed_uncited, claimant,"
            " created_at)"
            " SELECT n, 1 + (n - 1) / %s, 'Councillor Speaker' || n %% %s || ' said the council'"
            " || ' spent ' || n %% 997 || ' million on the ' || (" + topics + ")[1 + n %% 8]"
            " || ' in ' || 2000 + n %% 25 || '.', 0, 40, 0, 0, (n - 1) %% %s,"
            " (n::bigint * 7919 %% 1000) / 1000.0, n %% 7 <> 0, '[]'::jsonb, false, n %% 11 = 0,"
            " CASE WHEN n %% 3 = 0 THEN 'Councillor Speaker' || n %% %s ELSE '' END,"
            " now() - n * interval '6 seconds'"
            " FROM generate_series(1, %s) AS n",
            [CLAIMS_PER_ARTICLE, SPEAKERS, CLAIMS_PER_ARTICLE, SPEAKERS, claims],
        )
        cursor.execute(
            "INSERT INTO reviews_ticket (id, claim_id, stage, due_at, dismiss_reason, version,"
            " created_at, updated_at, assignee_id)"
            f" SELECT n, n, s, now() + ((n %% 240) - 120) * interval '1 hour',"
            " CASE WHEN s = 'dismissed' THEN 'opinion' ELSE '' END, 1,"
            " now() - n * interval '6 seconds', now() - n * interval '6 seconds',"
            " CASE WHEN s IN ('new', 'queued', 'dismissed') THEN NULL"
            f" ELSE ({checker_ids})[1 + n %% {CHECKERS}] END"
            f" FROM (SELECT n, {_stage_sql()} AS s FROM generate_series(1, %s) AS n) AS t",
            [claims],
        )
        for table in ("claims_article", "claims_claim", "reviews_ticket"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    seeded = time.perf_counter() - began
    page = _research_ticket(claim_id=1, by=checkers[0])
    return {"editor": editor, "seconds": seeded, "page_ticket": page, "checker": checkers[1]}


def _research_ticket(*, claim_id: int, by: int) -> int:
    """Give claim `claim_id` 20 citations, each with an archived snapshot and 5 ranked passages."""
    from claims.models import Citation, Passage, Snapshot, Source
    from reviews.models import Ticket

    text = "The bridge cost 4.2 million dollars according to the audited accounts. " * 40
    sources = Source.objects.bulk_create(
        Source(url=f"https://records.example/{i}", normalized_url=f"https://records.example/{i}")
        for i in range(20)
    )
    Citation.objects.bulk_create(
        Citation(
            claim_id=claim_id,
            source=s,
            href=s.url,
            anchor=f"record {i}",
            origin="desk",
            added_by_id=by,
        )
        for i, s in enumerate(sources)
    )
    snapshots = Snapshot.objects.bulk_create(
        Snapshot(
            source=s,
            final_url=s.url,
            status=200,
            content_type="text/html",
            sha256=f"{i:064x}",
            size=len(text),
            text=text,
            title=f"Record {i}",
        )
        for i, s in enumerate(sources)
    )
    for source, snapshot in zip(sources, snapshots, strict=True):
        source.last_snapshot = snapshot
    Source.objects.bulk_update(sources, ["last_snapshot"])
    Passage.objects.bulk_create(
        Passage(
            snapshot=snap,
            claim_id=claim_id,
            rank=r,
            score=1 - r / 10,
            start=r * 70,
            end=r * 70 + 69,
            text=text[r * 70 : r * 70 + 69],
        )
        for snap in snapshots
        for r in range(5)
    )
    ticket = Ticket.objects.get(claim_id=claim_id)
    Ticket.objects.filter(pk=ticket.pk).update(stage="researching", assignee_id=by)
    return ticket.pk


def screens(seeded: dict) -> list[tuple[str, str, dict]]:
    """Return (label, path, query) for each screen the benchmark GETs."""
    from django.urls import reverse

    tickets = reverse("admin:reviews_ticket_changelist")
    return [
        ("ticket list", tickets, {}),
        ("ticket list, page 40", tickets, {"p": "40"}),
        ("ticket list, stage=researching", tickets, {"stage__exact": "researching"}),
        ("ticket list, stage=published", tickets, {"stage__exact": "published"}),
        ("ticket list, one assignee", tickets, {"assignee__id__exact": str(seeded["checker"])}),
        ("ticket list, search a speaker", tickets, {"q": "Speaker4217"}),
        ("ticket list, search a topic", tickets, {"q": "harbour"}),
        ("claim list", reverse("admin:claims_claim_changelist"), {}),
        ("dashboard", reverse("admin:index"), {}),
        (
            "ticket page (20 citations, 100 passages)",
            reverse("admin:reviews_ticket_change", args=[seeded["page_ticket"]]),
            {},
        ),
    ]


def run(*, sizes: list[int], repeat: int, timed, show_queries: bool = False) -> list[dict]:
    """Seed each size in turn and time every screen; print and return one row per (size, screen)."""
    import os

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rows = []
    for size in sizes:
        seeded = seed(size)
        print(f"{size:,} claims seeded in {seeded['seconds']:.1f} s")
        client = Client()
        client.force_login(seeded["editor"])
        for label, path, query in screens(seeded):

            def get(path=path, query=query, client=client):
                response = client.get(path, query)
                assert response.status_code == 200, (path, query, response.status_code)
                return response

            connection.queries_log.clear()  # a full log (maxlen) would capture nothing
            with CaptureQueriesContext(connection) as captured:
                get()
            queries = len(captured.captured_queries)
            if show_queries:
                for q in captured.captured_queries:
                    print(f"    {q['time']:>6} s  {' '.join(q['sql'].split())[:160]}")
            walls, cpus = timed(get, repeat)
            row = {
                "claims": size,
                "screen": label,
                "wall": statistics.median(walls),
                "cpu": statistics.median(cpus),
                "queries": queries,
                "load": os.getloadavg()[0],
            }
            rows.append(row)
            print(
                f"  {size:>9,}  {label:<42} wall {row['wall']:6.0f} ms  CPU {row['cpu']:6.0f} ms"
                f"  {row['queries']:>3} queries  load {row['load']:.1f}",
                flush=True,
            )
    return rows
