"""Tags (topics) on claims and their verdicts: set on the ticket page, audited, in the API."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from claims.models import Tag
from reviews import fingerprints
from reviews.models import Event, Verdict, WebhookDelivery, WebhookSubscription
from reviews.workflow import Stage
from tests.api.conftest import client_as
from tests.api.test_sync import Replica
from tests.api.verdicts import published_verdict
from tests.claims.httpserver import LocalServer, reply
from tests.reviews.factories import new_editor, new_fact_checker, ticket_in

pytestmark = pytest.mark.django_db

LIST = "/api/v1/verdicts/"


@pytest.fixture
def topics():
    return {
        "health": Tag.objects.create(name="Public health", slug="public-health"),
        "money": Tag.objects.create(name="Public money", slug="public-money"),
    }


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def tag(client, ticket, *slugs):
    return client.post(page(ticket), {"action": "tag", "tags": list(slugs)})


def test_an_editor_adds_a_tag_in_the_admin(client):
    client.force_login(new_editor(username="ed"))
    response = client.post(
        reverse("admin:claims_tag_add"), {"name": "Elections", "slug": "elections"}
    )
    assert response.status_code == 302
    assert Tag.objects.get().slug == "elections"
    assert "Elections" in client.get(reverse("admin:claims_tag_changelist")).content.decode()


def test_a_fact_checker_tags_the_claim_from_the_ticket_page_on_the_record(client, topics):
    checker = new_fact_checker(username="fc")
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    assert tag(client, ticket, "public-health", "public-money").status_code == 302
    assert set(ticket.claim.tags.values_list("slug", flat=True)) == {
        "public-health",
        "public-money",
    }
    assert tag(client, ticket, "public-money").status_code == 302
    events = list(Event.objects.filter(action="tag").order_by("id").values_list("data", flat=True))
    assert events == [
        {"added": ["public-health", "public-money"], "removed": []},
        {"added": [], "removed": ["public-health"]},
    ]
    # The same tags again change nothing and record nothing.
    tag(client, ticket, "public-money")
    assert Event.objects.filter(action="tag").count() == 2
    html = client.get(page(ticket)).content.decode()
    assert '<span class="desk-tag">Public money</span>' in html


def test_an_unknown_tag_is_refused_on_the_form(client, topics):
    checker = new_fact_checker(username="fc")
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    response = tag(client, ticket, "no-such-topic")
    assert response.status_code == 400
    assert "no-such-topic" in response.content.decode()
    assert ticket.claim.tags.count() == 0


def test_only_an_editor_retags_a_published_verdict_and_it_is_a_public_change(client, topics):
    verdict = published_verdict()
    ticket = verdict.ticket
    before = fingerprints.verdict_dependencies(verdict.pk).digest()
    etag = client.get(f"{LIST}{verdict.pk}/")["ETag"]
    client.force_login(ticket.assignee)
    assert 'name="tags"' not in client.get(page(ticket)).content.decode()
    response = tag(client, ticket, "public-health")
    assert response.status_code == 403
    assert "Only editors change the tags of a published verdict" in response.content.decode()
    assert ticket.claim.tags.count() == 0
    client.force_login(new_editor(username="ed"))
    moment = timezone.now()
    assert tag(client, ticket, "public-health").status_code == 302
    assert Verdict.objects.get(pk=verdict.pk).updated_at >= moment
    assert fingerprints.verdict_dependencies(verdict.pk).digest() != before
    client.logout()
    response = client.get(f"{LIST}{verdict.pk}/")
    assert response["ETag"] != etag
    assert response.json()["tags"] == [{"slug": "public-health", "name": "Public health"}]
    assert (
        "Public health" in client.get(reverse("verdict_page", args=[verdict.pk])).content.decode()
    )


def test_renaming_a_tag_moves_the_fingerprint_of_verdicts_that_show_it(topics):
    verdict = published_verdict()
    verdict.ticket.claim.tags.add(topics["health"])
    before = fingerprints.verdict_dependencies(verdict.pk).digest()
    topics["health"].name = "Health"
    topics["health"].save()
    assert fingerprints.verdict_dependencies(verdict.pk).digest() != before


def test_the_api_filters_verdicts_by_tag_and_refuses_an_unknown_one(client, topics):
    tagged, other = published_verdict(), published_verdict()
    tagged.ticket.claim.tags.add(topics["money"])
    response = client.get(LIST, {"tag": "public-money"})
    assert [row["id"] for row in response.json()["results"]] == [tagged.pk]
    assert other.pk not in [
        row["id"] for row in client.get(LIST, {"tag": "public-money"}).json()["results"]
    ]
    assert client.get(LIST, {"tag": "public-health"}).json()["results"] == []
    refused = client.get(LIST, {"tag": "bogus"})
    assert refused.status_code == 400
    assert "Not a tag of this desk" in refused.content.decode()


def test_the_admin_lists_filter_by_tag(client, topics):
    tagged = ticket_in(Stage.QUEUED)
    untagged = ticket_in(Stage.QUEUED)
    tagged.claim.tags.add(topics["health"])
    client.force_login(new_editor(username="ed"))
    tickets = client.get(
        reverse("admin:reviews_ticket_changelist"),
        {"claim__tags__id__exact": topics["health"].pk},
    )
    assert tickets.status_code == 200
    assert list(tickets.context["cl"].result_list) == [tagged]
    claims = client.get(
        reverse("admin:claims_claim_changelist"), {"tags__id__exact": topics["health"].pk}
    )
    assert claims.status_code == 200
    assert list(claims.context["cl"].result_list) == [tagged.claim]
    assert untagged.claim not in claims.context["cl"].result_list


def test_the_schema_documents_the_tag_filter_and_the_tags_field(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/verdicts/"]["get"]["parameters"]
    assert "tag" in {parameter["name"] for parameter in parameters}
    verdict = schema["components"]["schemas"]["Verdict"]
    assert "tags" in verdict["properties"]
    assert "tags" in verdict["required"]


# --- A topic's change reaches API sync clients and webhook subscribers ------------------------


@pytest.fixture
def receiver(settings):
    """A subscriber to `verdict.updated` on loopback (the test-only fetch allowance)."""
    local = LocalServer().start()
    local.route("/hook", lambda request: reply(request, status=204, body=b""))
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [local.port]
    WebhookSubscription.objects.create(
        name="Partner", url=local.url("/hook"), events=["verdict.updated"]
    )
    yield local
    local.stop()


def posted(receiver) -> list[dict]:
    return [json.loads(request.body) for request in receiver.received]


def test_retagging_a_published_verdict_posts_an_update_to_subscribers(
    client, topics, receiver, django_capture_on_commit_callbacks
):
    verdict = published_verdict()
    draft = ticket_in(Stage.RESEARCHING)
    client.force_login(new_editor(username="ed"))
    with django_capture_on_commit_callbacks(execute=True):
        assert tag(client, verdict.ticket, "public-health").status_code == 302
        assert tag(client, draft, "public-health").status_code == 302
    (body,) = posted(receiver)
    assert body["event"] == "verdict.updated"
    assert body["verdict"]["id"] == verdict.pk
    assert body["verdict"]["tags"] == [{"slug": "public-health", "name": "Public health"}]
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED


def test_renaming_a_tag_in_the_admin_reaches_sync_clients_and_subscribers(
    client, topics, receiver, django_capture_on_commit_callbacks
):
    shown, other = published_verdict(), published_verdict()
    shown.ticket.claim.tags.add(topics["health"])
    draft = ticket_in(Stage.RESEARCHING)
    draft.claim.tags.add(topics["health"])
    replica = Replica(client_as("anonymous"))
    replica.pull()
    assert replica.rows[shown.pk]["tags"] == [{"slug": "public-health", "name": "Public health"}]
    assert replica.client.get(replica.url).json()["results"] == []

    editor = new_editor(username="ed")
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:claims_tag_change", args=[topics["health"].pk]),
            {"name": "Health", "slug": "health", "description": ""},
        )
    assert response.status_code == 302

    changed = replica.client.get(replica.url).json()["results"]
    assert [row["id"] for row in changed] == [shown.pk]
    assert changed[0]["tags"] == [{"slug": "health", "name": "Health"}]
    assert [(b["event"], b["verdict"]["id"]) for b in posted(receiver)] == [
        ("verdict.updated", shown.pk)
    ]
    (event,) = Event.objects.filter(action="tag")
    assert (event.ticket_id, event.actor) == (shown.ticket_id, editor)
    assert event.data == {
        "renamed": {"from": "Public health (public-health)", "to": "Health (health)"}
    }
    assert "renamed the topic Public health (public-health) to Health (health)" in (
        client.get(page(shown.ticket)).content.decode()
    )
    # Its description is not public: editing it alone changes nothing readers see.
    replica.pull()
    client.post(
        reverse("admin:claims_tag_change", args=[topics["health"].pk]),
        {"name": "Health", "slug": "health", "description": "Medicine, epidemics."},
    )
    assert replica.client.get(replica.url).json()["results"] == []
    assert other.pk not in [b["verdict"]["id"] for b in posted(receiver)]


def test_deleting_a_tag_in_the_admin_reaches_sync_clients_and_subscribers(
    client, topics, receiver, django_capture_on_commit_callbacks
):
    shown, _other = published_verdict(), published_verdict()
    shown.ticket.claim.tags.add(topics["health"], topics["money"])
    replica = Replica(client_as("anonymous"))
    replica.pull()

    # Editors rename topics; deleting one is for an administrator.
    admin_user = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:claims_tag_delete", args=[topics["health"].pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Tag.objects.filter(slug="public-health").exists()

    changed = replica.client.get(replica.url).json()["results"]
    assert [row["id"] for row in changed] == [shown.pk]
    assert changed[0]["tags"] == [{"slug": "public-money", "name": "Public money"}]
    assert [(b["event"], b["verdict"]["id"]) for b in posted(receiver)] == [
        ("verdict.updated", shown.pk)
    ]
    (event,) = Event.objects.filter(action="tag")
    assert (event.ticket_id, event.actor, event.data) == (
        shown.ticket_id,
        admin_user,
        {"removed": ["public-health"]},
    )


@pytest.mark.parametrize("stage", [Stage.APPROVED, Stage.SCHEDULED])
def test_once_editors_approved_the_verdict_only_an_editor_retags_it(client, topics, stage):
    # A scheduled verdict goes public by itself when the embargo lifts, with the tags it has.
    later = timezone.now() + timezone.timedelta(days=1) if stage == Stage.SCHEDULED else None
    ticket = ticket_in(stage, embargo_until=later)
    client.force_login(ticket.assignee)
    assert 'name="tags"' not in client.get(page(ticket)).content.decode()
    response = tag(client, ticket, "public-health")
    assert response.status_code == 403
    assert ticket.claim.tags.count() == 0
    client.force_login(new_editor(username="ed"))
    assert tag(client, ticket, "public-health").status_code == 302
    assert list(ticket.claim.tags.values_list("slug", flat=True)) == ["public-health"]


def test_a_verdict_held_back_by_an_embargo_is_not_told_of_a_new_tag_or_a_renamed_one(
    client, topics, receiver, django_capture_on_commit_callbacks
):
    from tests.api.verdicts import embargoed_published_verdict

    held = embargoed_published_verdict()
    held.ticket.claim.tags.add(topics["money"])
    stamp = Verdict.objects.get(pk=held.pk).updated_at
    client.force_login(new_editor(username="ed"))
    with django_capture_on_commit_callbacks(execute=True):
        assert tag(client, held.ticket, "public-health", "public-money").status_code == 302
        response = client.post(
            reverse("admin:claims_tag_change", args=[topics["money"].pk]),
            {"name": "Money", "slug": "money", "description": ""},
        )
    assert response.status_code == 302
    assert set(held.ticket.claim.tags.values_list("slug", flat=True)) == {"public-health", "money"}
    # Nothing about a verdict readers cannot see reaches subscribers, not even its id.
    assert posted(receiver) == [] and not WebhookDelivery.objects.exists()
    assert Verdict.objects.get(pk=held.pk).updated_at == stamp
