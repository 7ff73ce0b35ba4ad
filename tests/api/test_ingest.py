"""A CMS sends pieces with an ingest key; the same piece twice is the same article."""

import pytest

from claims.models import Article
from reviews.models import Ticket
from tests.api.conftest import client_as

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"
PIECE = (
    "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful.\n"
    "Unemployment fell to 3.1 percent last year, according to the statistics office."
)


@pytest.fixture
def cms():
    return client_as("ingest key")


def test_an_ingested_piece_returns_201_with_its_article_and_claims(cms):
    response = cms.post(
        ARTICLES,
        {
            "title": "Bridge money",
            "body": PIECE,
            "author": "Ann Writer",
            "publication": "The Gazette",
            "url": "https://gazette.example/bridge",
            "published_at": "2026-11-20T08:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] is True
    article = Article.objects.get()
    assert body["article"]["id"] == article.pk
    assert body["article"]["author"] == "Ann Writer"
    assert body["article"]["published_at"] == "2026-11-20T08:00:00Z"
    texts = [claim["text"] for claim in body["claims"]]
    assert any(text.startswith("The council spent 4.2 million") for text in texts)
    assert Ticket.objects.filter(claim__article=article).count() == len(body["claims"])
    assert article.ingested_by is None


def test_the_same_piece_twice_answers_200_with_the_existing_article(cms):
    first = cms.post(ARTICLES, {"title": "Bridge money", "body": PIECE}, format="json")

    again = cms.post(ARTICLES, {"title": "Another title", "body": PIECE}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["created"] is False
    assert again.json()["article"]["id"] == first.json()["article"]["id"]
    assert Article.objects.count() == 1


def test_html_with_an_embargo_is_ingested_as_html_and_held_back(cms):
    response = cms.post(
        ARTICLES,
        {
            "title": "Bridge money",
            "body": "<p>The council spent 4.2 million dollars on the bridge in 2023.</p>",
            "format": "html",
            "embargo_until": "2030-01-01T00:00:00Z",
        },
        format="json",
    )

    assert response.status_code == 201
    article = Article.objects.get()
    assert article.body_format == "html"
    assert article.embargo_until.year == 2030


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": PIECE}, "title"),
        ({"title": "No body"}, "body"),
        ({"title": "Bad date", "body": PIECE, "published_at": "soon"}, "published_at"),
        ({"title": "Bad format", "body": PIECE, "format": "pdf"}, "format"),
        ({"title": "Bad URL", "body": PIECE, "url": "not a url"}, "url"),
    ],
)
def test_a_bad_input_is_a_400_naming_the_field(cms, payload, field):
    response = cms.post(ARTICLES, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Article.objects.exists()


def test_a_piece_without_text_is_refused_with_the_reason(cms):
    response = cms.post(ARTICLES, {"title": "Empty", "body": "<p> </p>", "format": "html"})

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not Article.objects.exists()


def test_a_body_over_the_size_limit_is_a_413(cms, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = cms.post(ARTICLES, {"title": "Long", "body": PIECE * 20}, format="json")

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_fact_checker_ingests_as_themselves():
    client = client_as("fact-checker")

    response = client.post(ARTICLES, {"title": "Bridge money", "body": PIECE}, format="json")

    assert response.status_code == 201
    assert Article.objects.get().ingested_by is not None
