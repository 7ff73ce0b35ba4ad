"""The matching endpoints: similar published verdicts (public) and a claim's matches (staff)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ExternalFactCheck
from reviews.models import ExternalRatingMap
from reviews.services.matching import claim_match
from reviews.workflow import Stage
from tests.api.conftest import client_as
from tests.api.verdicts import published_verdict
from tests.reviews.factories import rating, ticket_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching")]
SIMILAR = "/api/v1/verdicts/similar/"


def published_on(text: str):
    verdict = published_verdict(text=text)
    revision = verdict.published_revision
    revision.summary = "Ohio's figures say so."
    revision.save(update_fields=["summary"])
    return verdict


def test_similar_ranks_published_verdicts_with_scores_and_levels():
    ohio = published_on("Unemployment rose to 9 percent in Ohio.")
    harbour = published_on("The mayor sold the harbour to a private company.")
    ticket_in(Stage.IN_REVIEW, text="Joblessness climbed to 9 percent in Ohio.")
    response = client_as("anonymous").get(
        SIMILAR, {"text": "Joblessness climbed to 9 percent in Ohio"}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    # The unrelated harbour verdict stays below "suggested"; the draft in review is never searched.
    assert [r["verdict"]["id"] for r in results] == [ohio.pk]
    assert harbour.pk not in [r["verdict"]["id"] for r in results]
    assert results[0]["level"] == "confirmed"
    assert results[0]["verdict"]["rating"]["label"]


def test_similar_costs_the_same_queries_for_one_verdict_or_five():
    published_on("Unemployment rose to 9 percent in Ohio.")
    client = client_as("anonymous")
    client.get(SIMILAR, {"text": "warm the cache"})
    with CaptureQueriesContext(connection) as one:
        client.get(SIMILAR, {"text": "unemployment in Ohio"})
    for n in range(4):
        published_on(f"Unemployment rose to {n + 10} percent in Ohio.")
    client.get(SIMILAR, {"text": "warm the cache again"})
    with CaptureQueriesContext(connection) as five:
        response = client.get(SIMILAR, {"text": "unemployment in Ohio"})
    assert len(response.json()["results"]) == 5
    assert len(five) == len(one)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "text"),
        ({"text": "  "}, "text"),
        ({"text": "x" * 2001}, "text"),
        ({"text": "abc", "top": "0"}, "top"),
        ({"text": "abc", "top": "many"}, "top"),
        ({"text": "abc", "q": "x"}, "q"),
    ],
)
def test_similar_refuses_bad_parameters_with_a_400_naming_them(params, field):
    response = client_as("anonymous").get(SIMILAR, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_similar_is_rate_limited(settings):
    published_on("Unemployment rose to 9 percent in Ohio.")
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "anon": "2/min",
        },
    }
    from rest_framework.throttling import SimpleRateThrottle

    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        client = client_as("anonymous")
        codes = [client.get(SIMILAR, {"text": "Ohio jobs"}).status_code for _ in range(3)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 429]


def test_claim_matches_are_for_the_desk_only_and_show_ours_and_theirs():
    ours = published_on("Unemployment rose to 9 percent in Ohio.")
    theirs = ExternalFactCheck.objects.create(
        url="https://checker.example/check/ohio",
        publisher="Checker",
        claim_reviewed="Unemployment rose to 9 percent in Ohio last year.",
        rating_text="Mostly False",
        imported_from="test",
    )
    ExternalRatingMap.objects.create(
        publisher="checker", rating_text="mostly false", rating=rating("mostly-false")
    )
    new = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=new.claim_id)
    url = f"/api/v1/claims/{new.claim_id}/matches/"
    for role in ("anonymous", "read key"):
        assert client_as(role).get(url).status_code in (401, 403)
    response = client_as("fact-checker").get(url)
    assert response.status_code == 200
    rows = {(r["kind"], r["ours"]): r for r in response.json()["results"]}
    verdict_row = rows[("verdict", True)]
    assert verdict_row["verdict_id"] == ours.pk
    assert verdict_row["url"].endswith(f"/verdicts/{ours.pk}/")
    assert rows[("external", False)]["external_id"] == theirs.pk
    assert rows[("external", False)]["rating"] == "Mostly False (Mostly false)"
    assert client_as("editor").get("/api/v1/claims/987654321/matches/").status_code == 404


def test_both_endpoints_are_in_the_openapi_schema():
    schema = client_as("anonymous").get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/verdicts/similar/" in schema["paths"]
    assert "/api/v1/claims/{id}/matches/" in schema["paths"]


@pytest.mark.parametrize("raw", ["²", "١٢", "abc"])
def test_a_non_ascii_digit_id_is_a_404_not_a_500(raw):
    assert client_as("editor").get(f"/api/v1/claims/{raw}/matches/").status_code == 404
    assert client_as("anonymous").get(f"/api/v1/verdicts/{raw}/").status_code == 404
