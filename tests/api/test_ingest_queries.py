"""Ingesting a piece costs the same number of queries however many claims and links it has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Citation, Source
from reviews.models import Ticket
from tests.api.conftest import client_as

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"


def piece(claims: int, tag: str) -> str:
    """Return a markdown piece of ``claims`` cited figures, each with its own link."""
    return "\n\n".join(
        f"The {tag} council spent {n + 2} million dollars on roads in {1990 + n}, "
        f"[the audit says](https://audit.example/{tag}/report/{n})."
        for n in range(claims)
    )


def ingest(client, claims: int, tag: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            ARTICLES,
            {"title": f"Roads {tag}", "body": piece(claims, tag), "format": "markdown"},
            format="json",
        )
    assert response.status_code == 201, response.content
    return len(queries), response.json()


def test_a_piece_of_40_cited_claims_costs_the_queries_of_a_piece_of_3():
    cms = client_as("ingest key")
    ingest(cms, 2, "warm")  # First-use look-ups (the key, content types) are not per piece.

    few, small = ingest(cms, 3, "small")
    many, large = ingest(cms, 40, "large")

    assert len(small["claims"]) == 3 and len(large["claims"]) == 40
    assert many == few
    assert Source.objects.filter(normalized_url__contains="/large/").count() == 40
    assert Citation.objects.filter(source__normalized_url__contains="/large/").count() == 40
    assert Ticket.objects.filter(claim__article_id=large["article"]["id"]).count() == 40
