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
    assert review["claimReviewed"] == verdict.published_revision.short_claim
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
        "name": "False",
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

    assert review["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "Misleading",
        "name": "Misleading",
    }
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


# What Google lists for fact checks (developers.google.com/search/docs/appearance/structured-data/
# factcheck): required, then recommended, by the node they belong to.
GOOGLE_REQUIRED = {
    "ClaimReview": ["claimReviewed", "reviewRating", "url"],
    "Rating": ["alternateName"],
}
GOOGLE_RECOMMENDED = {
    "ClaimReview": ["author", "datePublished", "itemReviewed"],
    "Claim": ["appearance", "author", "datePublished", "firstAppearance"],
    "Rating": ["bestRating", "name", "ratingValue", "worstRating"],
    "Organization": ["name", "url"],
}
# Google's numeric fields describe a rating on a scale; a rating off the scale has none.
NUMERIC = {"bestRating", "ratingValue", "worstRating"}


def missing_google_properties(review: dict, *, numeric: bool) -> list[str]:
    nodes = {
        "ClaimReview": review,
        "Claim": review["itemReviewed"],
        "Rating": review["reviewRating"],
        "Organization": review["author"],
    }
    missing = []
    for listed in (GOOGLE_REQUIRED, GOOGLE_RECOMMENDED):
        for node, properties in listed.items():
            for prop in properties:
                if prop in NUMERIC and not numeric:
                    continue
                if nodes[node].get(prop) in (None, "", {}, []):
                    missing.append(f"{node}.{prop}")
    return missing


def test_every_published_verdict_has_what_google_requires_and_recommends(anonymous, settings):
    settings.CLAIMREVIEW_PUBLISHER_URL = "https://desk.example"
    slugs = ["true", "mostly-true", "half-true", "mostly-false", "false", "misleading"]
    verdicts = [published_verdict(article__published_at="2026-03-01T08:00:00+00:00") for _ in slugs]
    for verdict, slug in zip(verdicts, slugs, strict=True):
        VerdictRevision.objects.filter(pk=verdict.published_revision_id).update(rating=rating(slug))
    graph_pages = {v.ticket.claim.article_id for v in verdicts}
    listed = anonymous.get("/api/v1/verdicts/").json()["results"]
    assert {item["id"] for item in listed} == {v.pk for v in verdicts}
    for verdict, slug in zip(verdicts, slugs, strict=True):
        review = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()
        numeric = rating(slug).numeric_value is not None
        assert missing_google_properties(review, numeric=numeric) == [], slug
        assert len(review["claimReviewed"]) <= 75
        assert review["inLanguage"] == "en"
        assert problems(review) == []
    for article_id in graph_pages:
        graph = anonymous.get(f"/api/v1/articles/{article_id}/claimreview/").json()
        for review in graph["@graph"]:
            assert (
                missing_google_properties(review, numeric="ratingValue" in review["reviewRating"])
                == []
            )


def test_the_short_claim_and_an_earlier_appearance_come_from_the_published_revision(anonymous):
    verdict = published_verdict()
    VerdictRevision.objects.filter(pk=verdict.published_revision_id).update(
        short_claim="Council spent $4m on the bridge",
        first_appearance_url="https://radio.example/interview",
    )

    review = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()

    assert review["claimReviewed"] == "Council spent $4m on the bridge"
    assert review["itemReviewed"]["firstAppearance"] == {
        "@type": "CreativeWork",
        "url": "https://radio.example/interview",
    }
    assert problems(review) == []


def test_without_an_earlier_appearance_the_piece_is_the_first(anonymous, verdict):
    review = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()

    claim = review["itemReviewed"]
    assert claim["firstAppearance"] == claim["appearance"]
    assert claim["firstAppearance"]["url"] == verdict.ticket.claim.article.url


def test_the_language_comes_from_the_settings(anonymous, verdict, settings):
    settings.CLAIMREVIEW_LANGUAGE = "de"

    review = anonymous.get(f"/api/v1/verdicts/{verdict.pk}/claimreview/").json()

    assert review["inLanguage"] == "de"
    assert problems(review) == []
