"""Ingesting a piece costs the same number of queries however many claims and links it has."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.fetching import normalize_url
from claims.models import Citation, Passage, Snapshot, Source
from claims.services import source_for_url
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


def archive(tag: str, count: int) -> None:
    """Store an archived snapshot for each address ``piece(count, tag)`` links to."""
    now = timezone.now()
    for n in range(count):
        url = f"https://audit.example/{tag}/report/{n}"
        source, _ = source_for_url(url=url, normalized_url=normalize_url(url))
        text = f"Audit {n}.\n\nThe council spent {n + 2} million dollars on roads in {1990 + n}."
        source.last_snapshot = Snapshot.objects.create(
            source=source,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            final_url=url,
            status=200,
            content_type="text/html",
            fetched_at=now,
            last_seen_at=now,
            size=len(text),
            body=f"snapshots/{n}.gz",
            text=text,
        )
        source.state = Source.State.FETCHED
        source.save()


def test_citing_40_archived_sources_costs_the_queries_of_citing_3():
    cms = client_as("ingest key")
    archive("warm", 2)
    ingest(cms, 2, "warm")
    archive("small", 3)
    archive("large", 40)

    few, _ = ingest(cms, 3, "small")
    many, large = ingest(cms, 40, "large")

    assert many == few
    ranked = Passage.objects.filter(claim__article_id=large["article"]["id"])
    assert ranked.values("claim").distinct().count() == 40
    assert ranked.values("snapshot").distinct().count() == 40
    assert all("million dollars" in passage.text for passage in ranked.filter(rank=0))
