"""The same piece sent twice: the stricter embargo wins, and nobody sees another client's copy."""

from datetime import UTC, datetime

import pytest

from claims.models import Article, ArticleEvent
from reviews.models import Event, WebhookDelivery
from reviews.workflow import Stage
from tests.api.conftest import client_as
from tests.reviews.factories import ticket_in

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"
PIECE = (
    "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful.\n"
    "Unemployment fell to 3.1 percent last year, according to the statistics office."
)
SECRET_TITLE = "EMBARGOED: Minister to resign on Friday"


def send(client, **fields):
    return client.post(ARTICLES, {"title": "Bridge money", "body": PIECE, **fields}, format="json")


def test_another_client_sending_the_same_piece_learns_only_its_id():
    first_cms, second_cms = client_as("ingest key"), client_as("ingest key")
    first = send(
        first_cms, title=SECRET_TITLE, author="Insider", embargo_until="2030-01-01T00:00:00Z"
    )

    again = send(second_cms, title="Wire copy")

    assert again.status_code == 200
    assert again.json() == {"created": False, "article": {"id": first.json()["article"]["id"]}}
    assert "Minister" not in again.content.decode()
    assert "Insider" not in again.content.decode()


def test_the_client_that_sent_the_piece_sees_it_in_full_when_it_sends_it_again():
    cms = client_as("ingest key")
    send(cms, title=SECRET_TITLE)

    again = send(cms)

    assert again.status_code == 200
    assert again.json()["article"]["title"] == SECRET_TITLE
    assert len(again.json()["claims"]) >= 2


def test_a_later_embargo_from_a_second_sender_replaces_the_first_and_is_recorded():
    send(client_as("ingest key"))  # a wire service, no embargo
    cms = client_as("ingest key")

    again = send(cms, embargo_until="2030-01-01T00:00:00Z")

    assert again.status_code == 200
    article = Article.objects.get()
    assert article.embargo_until == datetime(2030, 1, 1, tzinfo=UTC)
    event = ArticleEvent.objects.get(article=article)
    assert event.action == ArticleEvent.Action.EMBARGO_TIGHTENED
    assert event.changes == {"embargo_until": [None, "2030-01-01T00:00:00+00:00"]}
    assert event.client.startswith("key:")


@pytest.mark.parametrize("later", [None, "2029-06-01T00:00:00Z", "2030-01-01T00:00:00Z"])
def test_an_earlier_same_or_missing_embargo_changes_nothing(later):
    cms = client_as("ingest key")
    send(cms, embargo_until="2030-01-01T00:00:00Z")

    send(client_as("ingest key"), embargo_until=later)

    assert Article.objects.get().embargo_until == datetime(2030, 1, 1, tzinfo=UTC)
    assert not ArticleEvent.objects.exists()


def test_staff_sending_a_piece_again_see_it_in_full():
    send(client_as("ingest key"), title=SECRET_TITLE)

    again = send(client_as("fact-checker"))

    assert again.json()["article"]["title"] == SECRET_TITLE


@pytest.mark.parametrize("sender", ["ingest key", "fact-checker"])
def test_sending_a_published_piece_again_with_an_embargo_never_hides_its_verdicts(sender):
    send(client_as("ingest key"))
    article = Article.objects.get()
    verdict = ticket_in(Stage.PUBLISHED, article=article, position=999).verdict
    reader = client_as("anonymous")
    page = reader.get(f"/verdicts/{verdict.pk}/")
    listed = reader.get("/api/v1/verdicts/")
    assert page.status_code == 200 and listed.json()["results"][0]["id"] == verdict.pk

    # Anyone who may send pieces (a CMS's key, a fact-checker) sends the text again, which the
    # public page shows, with an embargo: the verdicts readers have seen stay where they are.
    again = send(client_as(sender), embargo_until="2030-01-01T00:00:00Z")

    assert again.status_code == 200
    article.refresh_from_db()
    assert article.embargo_until is None
    assert not ArticleEvent.objects.exists()
    unchanged = reader.get(f"/verdicts/{verdict.pk}/", HTTP_IF_NONE_MATCH=page["ETag"])
    assert unchanged.status_code == 304
    assert reader.get(f"/api/v1/verdicts/{verdict.pk}/").status_code == 200
    assert not Event.objects.filter(ticket=verdict.ticket).exists()
    assert not WebhookDelivery.objects.exists()


def test_a_later_embargo_still_holds_back_a_piece_whose_verdicts_are_only_scheduled():
    send(client_as("ingest key"), embargo_until="2029-01-01T00:00:00Z")
    article = Article.objects.get()
    ticket_in(Stage.SCHEDULED, article=article, position=999)

    send(client_as("ingest key"), embargo_until="2030-01-01T00:00:00Z")

    article.refresh_from_db()
    assert article.embargo_until == datetime(2030, 1, 1, tzinfo=UTC)


def test_a_piece_public_only_through_a_reused_verdict_is_not_put_under_embargo_either():
    from reviews.services.matching import ticket_reuse_verdict
    from tests.reviews.factories import new_editor

    send(client_as("ingest key"))
    article = Article.objects.get()
    old = ticket_in(Stage.PUBLISHED)
    repeat = article.claims.order_by("position").first().ticket
    ticket_reuse_verdict(ticket=repeat, by=new_editor(), verdict=old.verdict)
    reader = client_as("anonymous")
    assert reader.get(f"/articles/{article.slug}/").status_code == 200

    send(client_as("ingest key"), embargo_until="2030-01-01T00:00:00Z")

    article.refresh_from_db()
    assert article.embargo_until is None
    assert reader.get(f"/articles/{article.slug}/").status_code == 200
