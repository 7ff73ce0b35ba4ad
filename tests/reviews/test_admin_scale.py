"""The desk's screens cost the same queries for 3 rows as for 30, and never count a large table."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Citation, Passage, Snapshot, Source
from factcheck.paginator import EstimatedCountPaginator
from reviews.workflow import Stage
from tests.factories import ArticleFactory, ClaimFactory
from tests.reviews.factories import TicketFactory, new_fact_checker, ticket_in

TICKETS = reverse("admin:reviews_ticket_changelist")
CLAIMS = reverse("admin:claims_claim_changelist")


def queries_for(client, url: str, query: dict) -> tuple[int, object]:
    """Return the queries a second GET of `url` costs (the first fills Django's caches)."""
    client.get(url, query)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    return len(captured), response


def tickets(n: int, *, assignee, article) -> None:
    """Add `n` tickets: a third researching for `assignee`, all citing 'harbour'."""
    for i in range(n):
        if i % 3 == 0:
            ticket_in(Stage.RESEARCHING, assignee=assignee)
        else:
            claim = ClaimFactory(article=article if i % 3 == 1 else ArticleFactory())
            TicketFactory(claim=claim)
    for ticket in TicketFactory._meta.model.objects.all():
        claim = ticket.claim
        claim.text = f"The harbour cost {ticket.pk} million."
        claim.save(update_fields=["text"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "query"),
    [
        (TICKETS, {}),
        (TICKETS, {"stage__exact": "researching"}),
        (TICKETS, {"assignee__id__exact": "ASSIGNEE"}),
        (TICKETS, {"claim__article__id__exact": "ARTICLE"}),
        (TICKETS, {"q": "harbour"}),
        (TICKETS, {"q": "harbour cost", "stage__exact": "new"}),
        (CLAIMS, {}),
        (CLAIMS, {"article__id__exact": "ARTICLE"}),
        (CLAIMS, {"claimant": "A. Columnist"}),
        (CLAIMS, {"q": "harbour"}),
    ],
)
def test_a_list_costs_the_same_queries_for_3_rows_and_for_30(client, editor, url, query):
    checker = new_fact_checker(username="list-checker")
    article = ArticleFactory()
    given = {
        key: {"ASSIGNEE": str(checker.pk), "ARTICLE": str(article.pk)}.get(value, value)
        for key, value in query.items()
    }
    client.force_login(editor)
    tickets(3, assignee=checker, article=article)
    few, _response = queries_for(client, url, given)
    tickets(27, assignee=checker, article=article)
    many, response = queries_for(client, url, given)
    assert many == few
    assert response.context["cl"].result_count >= 10


@pytest.mark.django_db
def test_the_assignee_filter_offers_those_who_may_take_work_and_the_one_chosen(client, editor):
    checker = new_fact_checker(username="may-take")
    gone = new_fact_checker(username="left-the-desk")
    ticket_in(Stage.RESEARCHING, assignee=gone)
    gone.is_active = False
    gone.save()
    client.force_login(editor)
    offered = client.get(TICKETS).content.decode()
    assert f"assignee__id__exact={checker.pk}" in offered
    assert f"assignee__id__exact={gone.pk}" not in offered
    chosen = client.get(TICKETS, {"assignee__id__exact": gone.pk})
    assert f"assignee__id__exact={gone.pk}" in chosen.content.decode()
    assert chosen.context["cl"].result_count == 1


@pytest.mark.django_db
def test_the_article_filter_offers_the_latest_pieces_and_the_one_chosen(client, editor):
    first = TicketFactory().claim.article
    for _ in range(21):
        TicketFactory()
    client.force_login(editor)
    assert f'claim__article__id__exact={first.pk}"' not in client.get(TICKETS).content.decode()
    chosen = client.get(TICKETS, {"claim__article__id__exact": first.pk})
    assert f'claim__article__id__exact={first.pk}"' in chosen.content.decode()
    assert chosen.context["cl"].result_count == 1


@pytest.mark.django_db
def test_search_finds_a_claims_text_or_its_pieces_title_and_every_term_must_match(client, editor):
    by_text = ClaimFactory(text="The harbour cost 4 million.")
    by_title = ClaimFactory(article=ArticleFactory(title="Harbour money"))
    neither = ClaimFactory(text="The bridge cost 4 million.")
    for claim in (by_text, by_title, neither):
        TicketFactory(claim=claim)
    client.force_login(editor)
    found = client.get(TICKETS, {"q": "HARBOUR"}).context["cl"].result_list
    assert {t.claim_id for t in found} == {by_text.pk, by_title.pk}
    found = client.get(TICKETS, {"q": 'harbour "4 million"'}).context["cl"].result_list
    assert {t.claim_id for t in found} == {by_text.pk}
    found = client.get(CLAIMS, {"q": "harbour"}).context["cl"].result_list
    assert {c.pk for c in found} == {by_text.pk, by_title.pk}


def research(claim, sources: int, passages_each: int) -> None:
    """Give `claim` cited sources, each archived once with ranked passages."""
    text = "The bridge cost 4.2 million dollars according to the audited accounts. " * 10
    for i in range(Source.objects.count(), Source.objects.count() + sources):
        url = f"https://records.example/{i}"
        source = Source.objects.create(url=url, normalized_url=url)
        Citation.objects.create(claim=claim, source=source, href=url, anchor=f"record {i}")
        snapshot = Snapshot.objects.create(
            source=source,
            final_url=url,
            status=200,
            content_type="text/html",
            sha256=f"{i:064x}",
            size=len(text),
            text=text,
        )
        source.last_snapshot = snapshot
        source.save(update_fields=["last_snapshot"])
        Passage.objects.bulk_create(
            Passage(
                snapshot=snapshot, claim=claim, rank=r, score=0.5, start=r, end=r + 60, text=text
            )
            for r in range(passages_each)
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "assignee"])
def test_the_ticket_page_costs_the_same_queries_for_3_sources_and_for_30(client, editor, role):
    checker = new_fact_checker(username="page-checker")
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(editor if role == "editor" else checker)
    url = reverse("admin:reviews_ticket_change", args=[ticket.pk])
    research(ticket.claim, 3, 1)
    few, _response = queries_for(client, url, {})
    research(ticket.claim, 27, 3)
    many, response = queries_for(client, url, {})
    assert many == few
    assert len(response.context["research"].passages) == 84


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_large_unfiltered_list_shows_the_planners_estimate_and_runs_no_count(
    client, editor, monkeypatch
):
    for _ in range(3):
        TicketFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_ticket")
    TicketFactory()
    TicketFactory()  # five tickets; the planner's estimate still says three
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 2)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(TICKETS)
    assert response.context["cl"].result_count == 3
    counted = [q["sql"] for q in captured if q["sql"].upper().startswith("SELECT COUNT(")]
    assert counted == []
    with connection.cursor() as cursor:
        # The CASE's COUNT(*) is not run when the estimate is used.
        cursor.execute(
            "EXPLAIN (ANALYZE, FORMAT JSON) SELECT CASE WHEN c.reltuples > 2"
            " THEN c.reltuples::bigint ELSE (SELECT COUNT(*) FROM reviews_ticket) END"
            " FROM pg_class c WHERE c.oid = 'reviews_ticket'::regclass"
        )
        (plan,) = cursor.fetchone()
    assert '"Actual Loops": 0' in str(plan).replace("'", '"')
    # Filtered, searched, or under the threshold: counted exactly.
    assert client.get(TICKETS, {"stage__exact": "new"}).context["cl"].result_count == 5
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 10)
    assert client.get(TICKETS).context["cl"].result_count == 5


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_dashboard_estimates_a_large_stage_and_counts_the_others(client, editor, monkeypatch):
    from reviews import selectors

    for _ in range(3):
        TicketFactory()
    ticket_in(Stage.QUEUED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reviews_ticket")
    TicketFactory()
    TicketFactory()  # five new tickets; the statistics still say three
    ticket_in(Stage.QUEUED)
    monkeypatch.setattr(selectors, "STAGE_ESTIMATE_ABOVE", 2)
    client.force_login(editor)
    dash = client.get(reverse("admin:index")).context["dash"]
    stages = {item.stage: item for item in dash.stages}
    assert (stages[Stage.NEW].count, stages[Stage.NEW].estimated) == (3, True)
    assert (stages[Stage.QUEUED].count, stages[Stage.QUEUED].estimated) == (2, False)


@pytest.mark.django_db
def test_a_filtered_list_counts_only_up_to_the_cap_and_says_so(client, editor, monkeypatch):
    from reviews.admin.tickets import TicketAdmin

    for i in range(12):
        TicketFactory(claim=ClaimFactory(text=f"The harbour cost {i} million."))
    TicketFactory(claim=ClaimFactory(text="The bridge cost 3 million."))
    monkeypatch.setattr(EstimatedCountPaginator, "count_cap", 5)
    monkeypatch.setattr(TicketAdmin, "list_per_page", 2)
    client.force_login(editor)

    first = client.get(TICKETS, {"q": "harbour"})
    # Counted to one past the cap (5, or one page past the page asked), never to the end.
    assert first.context["cl"].result_count == 6
    assert first.context["cl"].paginator.count_shown == "5+"
    assert "5+ claim tickets" in first.content.decode()
    assert "5+ results" in first.content.decode()
    assert "?p=3&amp;q=harbour" in first.content.decode()
    # Further pages stay reachable: each counts one page past itself.
    third = client.get(TICKETS, {"q": "harbour", "p": "3"})
    assert third.context["cl"].paginator.count_shown == "8+"
    assert "?p=4&amp;q=harbour" in third.content.decode()
    last = client.get(TICKETS, {"q": "harbour", "p": "6"})
    assert last.context["cl"].paginator.count_shown == "12"
    assert len(last.context["cl"].result_list) == 2
    # A list under the cap shows its exact count.
    few = client.get(TICKETS, {"q": "bridge"})
    assert (few.context["cl"].result_count, few.context["cl"].paginator.count_shown) == (1, "1")


@pytest.mark.django_db
@pytest.mark.parametrize("listed", [1000, 1], ids=["titles-listed", "titles-by-sub-select"])
def test_a_search_matches_the_same_claims_however_its_terms_are_spread(
    client, editor, monkeypatch, listed
):
    # A term in claims' text, in their piece's title, in both, or in neither; the ticket list
    # and the claim list (which also searches the claimant) find exactly the matching ones,
    # whether the pieces titled with it are few (given as ids) or many (a sub-select).
    monkeypatch.setattr("claims.selectors.TITLE_MATCHES_LISTED", listed)
    titled = ArticleFactory(title="Harbour spending")
    ArticleFactory(title="The harbour again")  # a second titled piece, without claims
    plain = ArticleFactory(title="Bridge spending")
    expected_tickets, expected_claims = set(), set()
    for i in range(6):
        claim = ClaimFactory(
            article=titled if i % 2 else plain,
            text=f"The {'harbour' if i % 3 == 0 else 'bridge'} cost {i} million.",
            claimant="Harbour Master" if i == 4 else "A. Columnist",
        )
        ticket = TicketFactory(claim=claim)
        if i % 2 or i % 3 == 0:
            expected_tickets.add(ticket.pk)
        if i % 2 or i % 3 == 0 or i == 4:
            expected_claims.add(claim.pk)
    client.force_login(editor)

    found = client.get(TICKETS, {"q": "harbour"}).context["cl"]
    assert {t.pk for t in found.result_list} == expected_tickets
    assert found.result_count == len(expected_tickets)
    claims = client.get(CLAIMS, {"q": "harbour"}).context["cl"]
    assert {c.pk for c in claims.result_list} == expected_claims
    none = client.get(TICKETS, {"q": "tramway"}).context["cl"]
    assert (list(none.result_list), none.result_count) == ([], 0)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_claim_lists_search_reads_indexes_for_the_text_the_title_and_the_claimant(
    client, editor
):
    from django.db import transaction

    # The pieces titled with the term are few, so the list gets their ids (claims_matching).
    for name in ("Harbour Master", "A. Columnist"):
        ClaimFactory(article=ArticleFactory(title=f"Spending of the {name}"), claimant=name)
    client.force_login(editor)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(CLAIMS, {"q": "master"}).status_code == 200
    (listed_sql,) = [
        q["sql"]
        for q in captured
        if 'UPPER("claims_claim"."claimant"::text) LIKE' in q["sql"]
        and not q["sql"].upper().startswith("SELECT COUNT(")
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        # Only bitmap scans are left: each branch of the search needs an index of its own.
        for planner_switch in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {planner_switch} = off")
        cursor.execute(f"EXPLAIN {listed_sql}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "claim_claimant_trgm_idx" in plan and "claim_text_trgm_idx" in plan, plan
    assert "Seq Scan on claims_claim" not in plan, plan
