"""Time the desk's admin screens as the desk grows: ticket and claim lists, dashboard, ticket page.

Run through bench/admin.py: .venv/bin/python bench/admin.py --screens [--claims 10000 100000]
[--million] [--large-piece] [--repeat 9] [--database-url postgres://.../db]. It empties the
desk's tables in the given database (migrated first), seeds the claims with SQL set inserts (one
statement per table, never a row at a time; every claim its own score, as a model's float
scores are, then VACUUM ANALYZE as autovacuum would have run), then GETs each screen through the
test client as a logged-in editor and reports the server time (wall and CPU of this process plus
its PostgreSQL backend) and the number of queries. With --keep, tables that already hold the size
asked for are reused (a million takes minutes to seed). With --large-piece it then adds one
piece of 1.74M characters and 30,000 claims on top of the last size, times the screens that show
it, and times an editor removing a second copy of it (the admin's confirmed action, then the
background job until its rows are gone).
"""

import hashlib
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


def seed(claims: int, *, reuse: bool = False) -> dict:
    """Empty the desk's tables and insert `claims` claims, their pieces and tickets in bulk.

    With `reuse`, keep the tables if they already hold exactly `claims` seeded claims (and the
    research ticket): a second run at a million claims then skips the minutes of seeding.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from claims.models import Citation, Claim

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
    if reuse and Claim.objects.count() == claims and Citation.objects.filter(claim_id=1).exists():
        from reviews.models import Ticket

        page = Ticket.objects.get(claim_id=1).pk
        return {"editor": editor, "seconds": 0.0, "page_ticket": page, "checker": checkers[1]}
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
            " (n::bigint * 7919 %% 1000003) / 1000003.0, n %% 7 <> 0, '[]'::jsonb, false,"
            " n %% 11 = 0,"
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
        # What autovacuum has done long before a desk holds this many rows: statistics, and
        # the visibility map that lets a count read an index alone.
        cursor.execute("VACUUM ANALYZE")
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


def run(
    *, sizes: list[int], repeat: int, timed, show_queries: bool = False, reuse: bool = False
) -> list[dict]:
    """Seed each size in turn and time every screen; print and return one row per (size, screen)."""
    import os

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    rows = []
    for size in sizes:
        seeded = seed(size, reuse=reuse)
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


# One large piece (issue 15): 30,000 claims in about 1.74M characters, ten sentences a paragraph.
LARGE_CLAIMS = 30_000
LARGE_SENTENCE_SQL = (
    "'Depot ' || lpad(n::text, 5, '0') || ' on the harbour line cost '"
    " || lpad((n %% 97 + 2)::text, 3, '0') || ' million dollars.'"
)
PUBLIC_VERDICTS = 20  # the public piece has this many published verdicts, spread through it


def _large_sentence(n: int) -> str:
    """Return the piece's sentence `n` (1-based), as LARGE_SENTENCE_SQL spells it."""
    return f"Depot {n:05d} on the harbour line cost {n % 97 + 2:03d} million dollars."


def _large_body(claims: int) -> str:
    sentences = [_large_sentence(n) for n in range(1, claims + 1)]
    return "\n\n".join(" ".join(sentences[p : p + 10]) for p in range(0, claims, 10))


def seed_large_piece(*, slug: str, by, claims: int = LARGE_CLAIMS, public: bool) -> dict:
    """Insert one ingested piece of `claims` claims in bulk, its tickets and its intake record.

    Each sentence is a claim with its offsets into the text; every ticket is new (a piece just
    ingested), except, when `public`, PUBLISHED_VERDICTS claims with a published verdict, so
    that the piece has a public page.
    """
    from django.db import connection
    from django.utils import timezone

    from claims.models import Article, Claim
    from reviews.models import Intake, Rating, Verdict, VerdictRevision

    body = _large_body(claims)
    length = len(_large_sentence(1))
    assert all(len(_large_sentence(n)) == length for n in (1, 99, claims))
    began = time.perf_counter()
    article = Article.objects.create(
        title=f"A long piece ({slug})",
        slug=slug,
        author="Columnist 1",
        publication="Gazette 1",
        body=body,
        body_format="text",
        plain_text=body,
        content_hash=hashlib.sha256(f"{slug}\n{body}".encode()).hexdigest(),
        paragraph_count=claims // 10,
        sentence_count=claims,
        ingested_by=by,
    )
    with connection.cursor() as cursor:
        # Sentence i (0-based) starts after i sentences and their separators: one space each,
        # and one more character for every paragraph break ("\n\n") before it.
        cursor.execute(
            'INSERT INTO claims_claim (article_id, text, start, "end", paragraph, sentence,'
            " position, score, checkworthy, reasons, split, attributed_uncited, claimant,"
            " created_at)"
            f" SELECT %s, {LARGE_SENTENCE_SQL}, i, i + %s, (n - 1) / 10, n - 1, n - 1,"
            " (n::bigint * 7919 %% 1000) / 1000.0, true, '[]'::jsonb, false, false, '', now()"
            " FROM (SELECT n, (n - 1) * %s + (n - 1) / 10 AS i"
            " FROM generate_series(1, %s) AS n) AS t",
            [article.pk, length, length + 1, claims],
        )
        cursor.execute(
            "INSERT INTO reviews_ticket (claim_id, stage, due_at, dismiss_reason, version,"
            " created_at, updated_at, assignee_id)"
            " SELECT id, 'new', now() + interval '48 hours', '', 1, now(), now(), NULL"
            " FROM claims_claim WHERE article_id = %s",
            [article.pk],
        )
    last = Claim.objects.get(article=article, position=claims - 1)
    assert body[last.start : last.end] == last.text, (last.text, body[last.start : last.end])
    if public:
        from reviews.models import Ticket

        rating = Rating.objects.order_by("pk").first()
        step = claims // PUBLIC_VERDICTS
        tickets = list(
            Ticket.objects.filter(
                claim__article=article, claim__position__in=range(0, claims, step)
            )
        )
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(stage="published")
        verdicts = Verdict.objects.bulk_create(Verdict(ticket=t) for t in tickets)
        revisions = VerdictRevision.objects.bulk_create(
            VerdictRevision(
                verdict=v, number=1, rating=rating, summary="s", explanation="e", author=by
            )
            for v in verdicts
        )
        for verdict, revision in zip(verdicts, revisions, strict=True):
            verdict.current_revision = verdict.published_revision = revision
            verdict.published_at = timezone.now()
        Verdict.objects.bulk_update(
            verdicts, ["current_revision", "published_revision", "published_at"]
        )
    intake = Intake.objects.create(
        title=article.title,
        author=article.author,
        publication=article.publication,
        body_format="text",
        characters=len(body),
        state=Intake.State.INGESTED,
        article=article,
        summary={"assertions": claims, "checkworthy": claims},
        progress=f"Done: {claims:,} claims, {claims:,} check-worthy.",
        received_by=by,
        finished_at=timezone.now(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "article": article.pk,
        "slug": slug,
        "intake": intake.pk,
        "characters": len(body),
        "seconds": time.perf_counter() - began,
    }


def large_screens(piece: dict) -> list[tuple[str, str, dict]]:
    """Return (label, path, query) for each screen that shows the large piece."""
    from django.urls import reverse

    article = str(piece["article"])
    return [
        ("article list", reverse("admin:claims_article_changelist"), {}),
        (
            "the piece's admin page",
            reverse("admin:claims_article_change", args=[piece["article"]]),
            {},
        ),
        (
            "claim list, filtered by the piece",
            reverse("admin:claims_claim_changelist"),
            {"article__id__exact": article},
        ),
        (
            "ticket list, filtered by the piece",
            reverse("admin:reviews_ticket_changelist"),
            {"claim__article__id__exact": article},
        ),
        (
            f"public article page ({PUBLIC_VERDICTS} published verdicts)",
            reverse("article_page", args=[piece["slug"]]),
            {},
        ),
    ]


def run_large(*, editor, repeat: int, timed, backend_cpu, show_queries: bool = False) -> list[dict]:
    """Add a large public piece and time its screens; add a second and time its removal."""
    import os

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from claims.models import Article, Claim
    from reviews.models import Intake, Ticket
    from reviews.services import intake as intake_service
    from reviews.tasks import remove_piece

    rows = []
    piece = seed_large_piece(slug="bench-large-public", by=editor, public=True)
    print(
        f"one piece of {piece['characters']:,} characters and {LARGE_CLAIMS:,} claims seeded"
        f" in {piece['seconds']:.1f} s"
    )
    client = Client()
    client.force_login(editor)
    for label, path, query in large_screens(piece):

        def get(path=path, query=query):
            response = client.get(path, query)
            assert response.status_code == 200, (path, query, response.status_code)
            return response

        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            size = len(get().content)
        queries = len(captured.captured_queries)
        if show_queries:
            for q in captured.captured_queries:
                print(f"    {q['time']:>6} s  {' '.join(q['sql'].split())[:160]}")
        walls, cpus = timed(get, repeat)
        rows.append(_row(label, walls, cpus, queries, extra=f"{size:,} bytes"))

    # The same piece pasted twice by mistake: an editor removes the copy (nothing public).
    mistake = seed_large_piece(slug="bench-large-mistake", by=editor, public=False)
    queued = []
    real_enqueue = intake_service._enqueue_removal
    intake_service._enqueue_removal = queued.append  # time the request and the job apart
    try:
        began, cpu, db_cpu = _clocks(backend_cpu)
        response = client.post(
            reverse("admin:reviews_intake_changelist"),
            {
                "action": "remove_selected",
                "_selected_action": [mistake["intake"]],
                "confirm": "yes",
                "removal_reason": "Pasted twice by mistake.",
            },
        )
        asked = _since(began, cpu, db_cpu, backend_cpu)
    finally:
        intake_service._enqueue_removal = real_enqueue
    assert response.status_code == 302, response.status_code
    assert queued == [mistake["intake"]], queued
    began, cpu, db_cpu = _clocks(backend_cpu)
    state = remove_piece(intake_id=mistake["intake"])
    job = _since(began, cpu, db_cpu, backend_cpu)
    assert state == Intake.State.REMOVED, state
    assert not Article.objects.filter(pk=mistake["article"]).exists()
    assert not Claim.objects.filter(article_id=mistake["article"]).exists()
    assert not Ticket.objects.filter(claim__article_id=mistake["article"]).exists()
    rows.append(_row("removal: the editor's confirmed action (request)", *asked, None))
    rows.append(_row("removal: the background job, until the rows are gone", *job, None))
    total = [a + b for a, b in zip(asked[0], job[0], strict=True)]
    total_cpu = [a + b for a, b in zip(asked[1], job[1], strict=True)]
    rows.append(_row("removal: request + job", total, total_cpu, None))
    print(f"  load average {os.getloadavg()[0]:.1f}")
    return rows


def _clocks(backend_cpu) -> tuple[float, float, float]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return time.perf_counter(), time.process_time(), backend_cpu(pid)


def _since(began, cpu, db_cpu, backend_cpu) -> tuple[list[float], list[float]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    wall = (time.perf_counter() - began) * 1000
    spent = (time.process_time() - cpu + backend_cpu(pid) - db_cpu) * 1000
    return [wall], [spent]


def _row(label, walls, cpus, queries, extra: str = "") -> dict:
    import os

    row = {
        "claims": LARGE_CLAIMS,
        "screen": label,
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "queries": queries,
        "load": os.getloadavg()[0],
    }
    print(
        f"  {'large':>9}  {label:<52} wall {row['wall']:7.0f} ms  CPU {row['cpu']:7.0f} ms"
        f"  {queries if queries is not None else '-':>3} queries  load {row['load']:.1f}"
        f"  {extra}",
        flush=True,
    )
    return row
