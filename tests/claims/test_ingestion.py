"""Ingesting a piece stores the article and its claims once, in one transaction, or nothing."""

import pytest

from claims.errors import ClaimsError
from claims.models import Article, Claim
from claims.services.ingestion import article_ingest
from tests.factories import UserFactory

PIECE = (
    "The city council approved a 12 million dollar budget for the new library in March 2024. "
    "Critics say the plan feels rushed.\n"
    "According to reporting by the local paper, the mayor promised the library would open in "
    "2025. It seems like wishful thinking."
)


@pytest.mark.django_db
def test_ingesting_a_piece_stores_every_assertion_with_exact_offsets():
    result = article_ingest(body=PIECE, title="Library budget", author="A. Writer")
    assert result.created
    article = result.article
    claims = list(article.claims.order_by("position"))
    assert len(claims) == result.assertions >= 4
    for claim in claims:
        assert article.plain_text[claim.start : claim.end] == claim.text
    assert [c.position for c in claims] == list(range(len(claims)))
    assert article.content_hash and article.slug == "library-budget"


@pytest.mark.django_db
def test_ingesting_the_same_piece_twice_creates_nothing_new():
    first = article_ingest(body=PIECE, title="Library budget")
    second = article_ingest(body=PIECE + "\n", title="Another title for the same text")
    assert not second.created
    assert second.article.pk == first.article.pk
    assert Article.objects.count() == 1
    assert Claim.objects.count() == first.assertions
    assert second.assertions == first.assertions


@pytest.mark.django_db
def test_an_attributed_claim_without_a_link_is_flagged_uncited():
    result = article_ingest(body=PIECE, title="Library budget")
    flagged = result.article.claims.filter(attributed_uncited=True)
    assert result.uncited == flagged.count() >= 1
    assert any("According to reporting" in claim.text for claim in flagged)


@pytest.mark.django_db
def test_an_attribution_that_carries_its_link_is_not_flagged_uncited():
    html = (
        "<p><a href='https://paper.example/mayor'>According to reporting by the local paper</a>, "
        "the mayor promised the library would open in 2025.</p>"
    )
    result = article_ingest(body=html, title="Linked", fmt="html")
    assert result.uncited == 0
    assert result.article.claims.filter(attributed_uncited=False).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["", "   \n\t  ", "<script>alert(1)</script><style>p{}</style>"])
def test_a_piece_without_text_is_refused_and_nothing_is_written(body):
    with pytest.raises(ClaimsError):
        article_ingest(body=body, title="Empty", fmt="auto")
    assert not Article.objects.exists()
    assert not Claim.objects.exists()


@pytest.mark.django_db
def test_a_piece_needs_a_title():
    with pytest.raises(ClaimsError, match="title"):
        article_ingest(body=PIECE, title="  ")
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_user_without_the_ingest_permission_is_refused():
    reader = UserFactory(role="API client")
    with pytest.raises(ClaimsError, match="may not ingest"):
        article_ingest(body=PIECE, title="Library budget", by=reader)
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_fact_checker_may_ingest_and_is_recorded_as_the_ingester():
    checker = UserFactory(role="Fact-checker")
    result = article_ingest(body=PIECE, title="Library budget", by=checker)
    assert result.article.ingested_by == checker


@pytest.mark.django_db
def test_a_failure_while_storing_claims_leaves_no_half_written_article(monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Claim.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        article_ingest(body=PIECE, title="Library budget")
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_links_in_a_markdown_piece_become_citations_of_the_claims_that_carry_them():
    body = (
        "The port handled [9 million containers](https://port.example/report) in 2023.\n\n"
        "It feels like a turning point."
    )
    result = article_ingest(body=body, title="Port", fmt="markdown")
    cited = result.article.claims.filter(citations__isnull=False).distinct()
    assert [claim.text for claim in cited] == ["The port handled 9 million containers in 2023."]
    assert cited[0].citations.get().source.normalized_url == "https://port.example/report"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example/a", "not a url"])
def test_a_piece_whose_address_is_not_a_web_address_is_refused(url):
    with pytest.raises(ClaimsError, match="not an http"):
        article_ingest(body=PIECE, title="Library budget", url=url)
    assert not Article.objects.exists()
