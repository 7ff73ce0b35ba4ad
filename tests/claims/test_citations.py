"""Links in a piece become citations of the claims around them, one source per URL."""

import hashlib

import pytest
from django.contrib.auth.models import Permission

from claims.errors import ClaimsError
from claims.extraction import Link, extract
from claims.models import Article, Citation, Claim, Passage, Source
from claims.services import citation_add, citations_from_links, claims_for_span, source_fetch
from claims.tasks import fetch_source
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

pytestmark = pytest.mark.django_db

COUNCIL = "The council spent 4.2 million dollars on the bridge in 2023"
JOBS = "Unemployment fell to 3.1 percent last year"

HTML = (
    '<p>The council spent <a href="https://ledger.example/audit?utm_source=x">4.2 million '
    'dollars</a> on the bridge in 2023. The mayor called the audit <a href="mailto:press@'
    'city.example">unfair</a>.</p><p>Unemployment fell to 3.1 percent last year, according to '
    '<a href="https://stats.example/jobs">the statistics office</a>.</p>'
    '<p>Read <a href="/about">about us</a> or <a href="javascript:alert(1)">subscribe</a>.</p>'
)
MARKDOWN = (
    "The council spent [4.2 million dollars](https://ledger.example/audit) on the bridge in "
    "2023.\n\nUnemployment fell to 3.1 percent last year, according to "
    "[the office](https://stats.example/jobs).\n"
)
TEXT = (
    "The council spent 4.2 million dollars on the bridge in 2023 (https://ledger.example/audit)."
    " It was a waste.\n\nUnemployment fell to 3.1 percent last year. https://stats.example/jobs\n"
)


def ingest(body: str, fmt: str) -> tuple[Article, list[Claim], list[Link]]:
    """Store a piece and its claims as ingestion does, and return its links."""
    extraction = extract(body, fmt=fmt)
    article = ArticleFactory(
        body=body,
        plain_text=extraction.plain_text,
        content_hash=hashlib.sha256(extraction.plain_text.encode()).hexdigest(),
    )
    claims = [
        ClaimFactory(article=article, start=a.start, end=a.end, text=a.text, position=i)
        for i, a in enumerate(extraction.assertions)
    ]
    return article, claims, list(extraction.links)


def cited_urls(claims: list[Claim]) -> dict[str, set[str]]:
    return {
        claim.text[:40]: set(claim.citations.values_list("source__normalized_url", flat=True))
        for claim in claims
    }


@pytest.mark.parametrize(("fmt", "body"), [("html", HTML), ("markdown", MARKDOWN)])
def test_links_cite_the_claim_whose_text_holds_their_anchor(fmt, body):
    article, claims, links = ingest(body, fmt)

    citations = citations_from_links(article=article, claims=claims, links=links)

    by_claim = {c.text: c for c in claims}
    council = next(c for t, c in by_claim.items() if t.startswith(COUNCIL))
    jobs = next(c for t, c in by_claim.items() if t.startswith(JOBS))
    assert cited_urls([council]) == {council.text[:40]: {"https://ledger.example/audit"}}
    assert cited_urls([jobs]) == {jobs.text[:40]: {"https://stats.example/jobs"}}
    assert Citation.objects.count() == len(citations) == 2
    citation = council.citations.get()
    assert citation.anchor == "4.2 million dollars"
    assert article.plain_text[citation.start : citation.end] == citation.anchor
    assert citation.added_by is None


def test_bare_urls_in_plain_text_cite_their_claim_even_just_after_its_full_stop():
    article, claims, links = ingest(TEXT, "text")

    citations_from_links(article=article, claims=claims, links=links)

    council = next(c for c in claims if c.text.startswith(COUNCIL))
    jobs = next(c for c in claims if c.text.startswith(JOBS))
    assert set(council.citations.values_list("source__normalized_url", flat=True)) == {
        "https://ledger.example/audit"
    }
    assert set(jobs.citations.values_list("source__normalized_url", flat=True)) == {
        "https://stats.example/jobs"
    }


def test_mail_script_and_relative_links_cite_nothing():
    article, claims, links = ingest(HTML, "html")

    citations_from_links(article=article, claims=claims, links=links)

    assert not Source.objects.filter(normalized_url__contains="about").exists()
    assert not Source.objects.exclude(normalized_url__startswith="https://").exists()
    assert Source.objects.count() == 2


def test_one_source_per_normalized_url_is_shared_by_every_citing_claim():
    first, claims_a, links_a = ingest(MARKDOWN, "markdown")
    second, claims_b, links_b = ingest(HTML, "html")

    citations_from_links(article=first, claims=claims_a, links=links_a)
    citations_from_links(article=second, claims=claims_b, links=links_b)
    citations_from_links(article=second, claims=claims_b, links=links_b)

    audit = Source.objects.get(normalized_url="https://ledger.example/audit")
    assert audit.citations.count() == 2
    assert audit.state == Source.State.PENDING and audit.next_attempt_at is not None
    assert Source.objects.count() == 2


def test_new_sources_are_scheduled_after_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(fetch_source, "delay", lambda **kwargs: sent.append(kwargs["source_id"]))
    article, claims, links = ingest(MARKDOWN, "markdown")

    with django_capture_on_commit_callbacks(execute=True):
        citations_from_links(article=article, claims=claims, links=links)
        assert sent == []

    assert sorted(sent) == sorted(Source.objects.values_list("id", flat=True))


# The attach rules on spans: "X rose 5%, according to [the report], while Y fell 2%."
SPLIT = "Prices rose 5 percent, according to the report, while wages fell 2 percent. Next one."


def spans(text: str, *parts: str) -> list[Claim]:
    return [
        Claim(id=i, start=text.index(part), end=text.index(part) + len(part))
        for i, part in enumerate(parts)
    ]


def test_a_link_between_two_claims_of_one_sentence_cites_the_one_before():
    claims = spans(SPLIT, "Prices rose 5 percent", "wages fell 2 percent.")
    start = SPLIT.index("the report")

    assert [c.id for c in claims_for_span(SPLIT, claims, start, start + 10)] == [0]


def test_a_link_before_a_claim_in_its_sentence_cites_it():
    text = "According to the report, wages fell 2 percent. Next one."
    claims = spans(text, "wages fell 2 percent.")
    start = text.index("the report")

    assert [c.id for c in claims_for_span(text, claims, start, start + 10)] == [0]


def test_a_link_in_a_sentence_of_its_own_cites_nothing():
    text = "Wages fell 2 percent. Read the report for details. Next one."
    claims = spans(text, "Wages fell 2 percent.", "Next one.")
    start = text.index("the report")

    assert claims_for_span(text, claims, start, start + 10) == []


def test_a_link_overlapping_two_claims_cites_both():
    claims = spans(SPLIT, "Prices rose 5 percent", "wages fell 2 percent.")
    start = SPLIT.index("5 percent")
    end = SPLIT.index("wages") + 5

    assert [c.id for c in claims_for_span(SPLIT, claims, start, end)] == [0, 1]


# --- A fact-checker adds a URL ------------------------------------------------------------


def fact_checker():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="add_citation"))
    return user


def test_a_fact_checker_adds_a_url_and_its_fetch_is_scheduled(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(fetch_source, "delay", lambda **kwargs: sent.append(kwargs["source_id"]))
    claim, user = ClaimFactory(), fact_checker()

    with django_capture_on_commit_callbacks(execute=True):
        citation = citation_add(claim=claim, url="https://Ledger.example/audit#p2", by=user)

    assert citation.added_by == user and citation.start is None
    assert citation.source.normalized_url == "https://ledger.example/audit"
    assert sent == [citation.source_id]


@pytest.mark.usefixtures("fetch_settings")
def test_a_url_added_to_an_archived_source_is_ranked_at_once_without_refetching(server):
    server.route("/report", page(REPORT_HTML))
    source = source_fetch(source_id=cite(server.url("/report")).pk)
    claim = bridge_claim()

    citation_add(claim=claim, url=server.url("/report"), by=fact_checker())

    assert len(server.received) == 1
    assert Passage.objects.filter(claim=claim, snapshot=source.last_snapshot).exists()


@pytest.mark.parametrize("url", ["not a url", "ftp://files.example/x", "javascript:alert(1)"])
def test_a_bad_url_is_refused_with_a_message_that_says_what_to_do(url):
    with pytest.raises(ClaimsError, match="full address"):
        citation_add(claim=ClaimFactory(), url=url, by=fact_checker())
    assert not Source.objects.exists()


def test_citing_the_same_source_twice_is_refused():
    claim, user = ClaimFactory(), fact_checker()
    citation_add(claim=claim, url="https://ledger.example/audit", by=user)

    with pytest.raises(ClaimsError, match="already cites"):
        citation_add(claim=claim, url="https://ledger.example/audit?utm_medium=x", by=user)


def test_someone_without_the_permission_cannot_add_a_url():
    with pytest.raises(ClaimsError, match="fact-checker role"):
        citation_add(claim=ClaimFactory(), url="https://ledger.example/a", by=UserFactory())
    assert not Citation.objects.exists()
