"""The claimant (attributed speaker, else author) in ClaimReview and the verdict list's filter."""

import pytest

from tests.api.conftest import client_as
from tests.api.verdicts import published_verdict

pytestmark = pytest.mark.django_db


def test_claimreview_names_the_claimant_and_the_api_filters_by_it():
    spoken = published_verdict()
    claim = spoken.ticket.claim
    claim.claimant = "OpenAI"
    claim.save(update_fields=["claimant"])
    written = published_verdict()
    client = client_as("anonymous")
    review = client.get(f"/api/v1/verdicts/{spoken.pk}/claimreview/").json()
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "OpenAI"}
    other = client.get(f"/api/v1/verdicts/{written.pk}/claimreview/").json()
    assert other["itemReviewed"]["author"]["name"] == written.ticket.claim.article.author
    ids = [
        row["id"]
        for row in client.get("/api/v1/verdicts/", {"claimant": "OpenAI"}).json()["results"]
    ]
    assert ids == [spoken.pk]
