"""ClaimReview JSON-LD is valid schema.org, built from the published revision only."""

import pytest

from reviews.models import VerdictRevision
from reviews.workflow import Stage
from tests.api.schemaorg import problems
from tests.api.verdicts import published_verdict
from tests.reviews.factories import rating

pytestmark = pytest.mark.django_db


def test_a_verdicts_claimreview_is_valid_schema_org_json_ld(anonymous, verdict, settings):
    settings.CLAIMREVIEW_PUBLISHER_NAME = "The Desk"
    settings.CLAIMREVIEW_PUBLISHER_URL = "https://desk.example"
    settings.DESK_BASE_URL = "https://desk.example"
    article = verdict.ticket.claim.article

    response = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    review = response.json()
    assert problems(review) == []
    assert review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == verdict.ticket.claim.text
    assert review["url"] == f"https://desk.example/verdicts/{verdict.pk}/"
    assert review["author"] == {
        "@type": "Organization",
        "name": "The Desk",
        "url": "https://desk.example",
    }
    assert review["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "False",
    }
    claim = review["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["author"] == {"@type": "Person", "name": article.author}
    assert claim["appearance"]["url"] == article.url
    assert review["datePublished"].startswith(verdict.published_at.date().isoformat())


def test_a_rating_off_the_scale_gives_only_its_name(anonymous, verdict):
    VerdictRevision.objects.filter(pk=verdict.published_revision_id).update(
        rating=rating("misleading")
    )

    review = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()

    assert review["reviewRating"] == {"@type": "Rating", "alternateName": "Misleading"}
    assert problems(review) == []


def test_the_claims_date_is_the_articles_publication(anonymous):
    verdict = published_verdict(article__published_at="2026-03-01T08:00:00+00:00")

    review = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()

    assert review["itemReviewed"]["datePublished"] == "2026-03-01T08:00:00+00:00"
    assert problems(review) == []


def test_a_retracted_verdict_has_no_claimreview_any_more(anonymous):
    verdict = published_verdict(stage=Stage.RETRACTED)

    response = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/")

    assert response.status_code == 410
    assert "retracted" in response.json()["error"]["message"]


def test_an_articles_claimreview_is_a_graph_of_its_standing_verdicts(anonymous):
    first = published_verdict()
    article = first.ticket.claim.article
    second = published_verdict(article=article, start=0, end=5)
    retracted = published_verdict(stage=Stage.RETRACTED, article=article, start=0, end=8)

    response = anonymous.get(f"/api/v1/articles/{article.pk}/claimreview/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    graph = response.json()
    assert problems(graph) == []
    urls = {review["url"] for review in graph["@graph"]}
    assert len(urls) == 2
    assert not any(url.endswith(f"/verdicts/{retracted.pk}/") for url in urls)
    assert any(url.endswith(f"/verdicts/{second.pk}/") for url in urls)


def test_the_claimreview_can_also_be_asked_for_as_plain_json(anonymous, verdict):
    response = anonymous.get(
        f"/api/v1/verdicts/{verdict.pk}/claimreview/", HTTP_ACCEPT="application/json"
    )

    assert response["Content-Type"] == "application/json"
    assert response.json()["@type"] == "ClaimReview"
