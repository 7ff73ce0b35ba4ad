"""An edit of a published piece's details reaches API sync clients and webhook subscribers."""

import json

import pytest
from django.urls import reverse

from claims.models import ArticleEvent
from reviews.models import WebhookSubscription
from reviews.workflow import Stage
from tests.api.conftest import client_as
from tests.api.test_sync import Replica
from tests.api.verdicts import published_verdict
from tests.claims.httpserver import LocalServer, reply
from tests.claims.test_ingest_interfaces import change_form
from tests.reviews.factories import new_editor, ticket_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    """A subscriber to every event, on loopback (the test-only fetch allowance)."""
    local = LocalServer().start()
    local.route("/hook", lambda request: reply(request, status=204, body=b""))
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [local.port]
    WebhookSubscription.objects.create(
        name="Partner",
        url=local.url("/hook"),
        events=["verdict.published", "verdict.corrected", "verdict.retracted", "verdict.updated"],
    )
    yield local
    local.stop()


def test_a_published_piece_retitled_in_the_admin_reaches_sync_clients_and_subscribers(
    client, receiver, django_capture_on_commit_callbacks
):
    shown = published_verdict()
    article = shown.ticket.claim.article
    unrelated = published_verdict()
    draft = ticket_in(Stage.RESEARCHING, article=article, position=500)
    replica = Replica(client_as("anonymous"))
    replica.pull()
    assert replica.client.get(replica.url).json()["results"] == []

    editor = new_editor(username="ed")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:claims_article_change", args=[article.pk]),
            change_form(article, title="A corrected headline"),
        )
    assert response.status_code == 302

    changed = replica.client.get(replica.url).json()["results"]
    assert [row["id"] for row in changed] == [shown.pk]
    assert changed[0]["article"]["title"] == "A corrected headline"
    posted = [json.loads(request.body) for request in receiver.received]
    assert [(body["event"], body["verdict"]["id"]) for body in posted] == [
        ("verdict.updated", shown.pk)
    ]
    assert posted[0]["verdict"]["article"]["title"] == "A corrected headline"
    assert ArticleEvent.objects.get(article=article).actor == editor
    assert unrelated.pk not in [body["verdict"]["id"] for body in posted]
    assert draft.pk not in [row["id"] for row in changed]


def test_a_rating_reworded_in_the_admin_reaches_sync_clients_and_subscribers(
    client, receiver, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    from reviews.models import Rating

    shown = published_verdict()
    assert shown.published_revision.rating.slug == "false"
    other = published_verdict()
    other.published_revision.rating = Rating.objects.get(slug="true")
    other.published_revision.save(update_fields=["rating"])
    replica = Replica(client_as("anonymous"))
    replica.pull()
    rating = Rating.objects.get(slug="false")

    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reviews_rating_change", args=[rating.pk]),
            {
                "label": "Wrong",
                "slug": rating.slug,
                "definition": rating.definition,
                "numeric_value": rating.numeric_value or "",
                "order": rating.order,
                "colour": rating.colour,
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.content[:2000]

    changed = replica.client.get(replica.url).json()["results"]
    assert [row["id"] for row in changed] == [shown.pk]
    assert changed[0]["rating"]["label"] == "Wrong"
    posted = [json.loads(request.body) for request in receiver.received]
    assert [(body["event"], body["verdict"]["id"]) for body in posted] == [
        ("verdict.updated", shown.pk)
    ]


def rated(slug: str):
    """Return a published verdict whose published revision is rated `slug`."""
    from reviews.models import Rating

    verdict = published_verdict()
    verdict.published_revision.rating = Rating.objects.get(slug=slug)
    verdict.published_revision.save(update_fields=["rating"])
    return verdict


@pytest.mark.parametrize("edit", ["new best value", "best step taken off"])
def test_new_bounds_of_the_scale_reach_every_verdict_rated_on_it(
    client, receiver, django_capture_on_commit_callbacks, edit
):
    from django.contrib.auth import get_user_model

    from reviews.models import Rating

    on_scale = sorted([rated("false").pk, rated("half-true").pk])
    off_scale = rated("misleading")
    replica = Replica(client_as("anonymous"))
    replica.pull()
    # The scale's best step, which no verdict here is rated with.
    best = Rating.objects.get(slug="true")
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    with django_capture_on_commit_callbacks(execute=True):
        if edit == "new best value":
            url = reverse("admin:reviews_rating_change", args=[best.pk])
            fields = ["label", "slug", "definition", "order", "colour"]
            form = {name: getattr(best, name) for name in fields}
            response = client.post(url, {**form, "numeric_value": 10, "is_active": "on"})
        else:
            url = reverse("admin:reviews_rating_delete", args=[best.pk])
            response = client.post(url, {"post": "yes"})
    assert response.status_code == 302, response.content[:2000]
    expected_best = 10 if edit == "new best value" else 4

    changed = replica.client.get(replica.url).json()["results"]
    assert sorted(row["id"] for row in changed) == on_scale
    assert {row["rating"]["best"] for row in changed} == {expected_best}
    posted = [json.loads(request.body) for request in receiver.received]
    assert sorted((body["event"], body["verdict"]["id"]) for body in posted) == [
        ("verdict.updated", pk) for pk in on_scale
    ]
    assert off_scale.pk not in [body["verdict"]["id"] for body in posted]
    review = client_as("anonymous").get(f"/api/v1/verdicts/{on_scale[0]}/claimreview/").json()
    assert review["reviewRating"]["bestRating"] == expected_best


def test_new_bounds_cost_the_same_queries_for_two_verdicts_or_eight(client):
    """A scale edit tells every verdict on it: one round of queries, not a round per verdict."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.models import Rating, WebhookDelivery

    for name in ("Partner", "Aggregator"):
        WebhookSubscription.objects.create(
            name=name, url=f"https://{name.lower()}.example.org/hook", events=["verdict.updated"]
        )
    best = Rating.objects.get(slug="true")
    fields = ["label", "slug", "definition", "order", "colour"]
    url = reverse("admin:reviews_rating_change", args=[best.pk])
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    queries, on_scale = [], []
    for count, value in ((2, 10), (8, 11)):
        on_scale += [rated("false").pk for _ in range(count - len(on_scale))]
        form = {name: getattr(best, name) for name in fields}
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, {**form, "numeric_value": value, "is_active": "on"})
        assert response.status_code == 302, response.content[:2000]
        queries.append(len(captured))
        told = WebhookDelivery.objects.filter(payload__verdict__rating__best=value)
        assert sorted(told.values_list("verdict_id", flat=True)) == sorted(on_scale * 2)
    assert queries[0] == queries[1], queries
