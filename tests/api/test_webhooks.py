"""Subscribers hear of publications, corrections and retractions: signed, retried, then paused."""

import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services
from reviews.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from reviews.services import webhooks
from reviews.tasks import sweep_webhooks
from reviews.workflow import Stage
from tests.claims.httpserver import LocalServer, redirect, reply
from tests.reviews.factories import new_editor, rating, ticket_in

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["verdict.published", "verdict.corrected", "verdict.retracted"]


@pytest.fixture
def receiver(settings):
    """A subscriber's endpoint on loopback, reachable through the test-only fetch allowance."""
    local = LocalServer().start()
    local.status = 204
    local.route("/hook", lambda request: reply(request, status=local.status, body=b""))
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [local.port]
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    yield local
    local.stop()


def subscribe(receiver, events=ALL_EVENTS, path="/hook") -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="Partner", url=receiver.url(path), events=events)


def publish(ticket, capture):
    with capture(execute=True):
        services.verdict_publish(ticket=ticket, by=new_editor())


def test_a_publication_is_posted_signed_to_the_subscriber(
    receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver)
    ticket = ticket_in(Stage.APPROVED)

    publish(ticket, django_capture_on_commit_callbacks)

    (request,) = receiver.received
    assert request.method == "POST"
    body = json.loads(request.body)
    assert body["event"] == "verdict.published"
    assert body["verdict"]["id"] == ticket.verdict.pk
    assert body["verdict"]["summary"] == ticket.verdict.current_revision.summary
    assert request.headers["x-desk-event"] == "verdict.published"
    assert request.headers["content-type"] == "application/json"
    assert webhooks.signature_valid(
        subscription.secret, request.headers["x-desk-signature"], request.body
    )
    assert not webhooks.signature_valid(
        "whsec_other", request.headers["x-desk-signature"], request.body
    )
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert str(delivery.uuid) == request.headers["x-desk-delivery"] == body["id"]
    assert delivery.attempts_made.get().outcome == WebhookAttempt.Outcome.SUCCEEDED


def test_the_signature_is_hmac_sha256_over_timestamp_and_body():
    header = webhooks.sign("whsec_x", b'{"a":1}', timestamp=1700000000)

    assert header == (
        "t=1700000000,v1=" + hmac.new(b"whsec_x", b'1700000000.{"a":1}', "sha256").hexdigest()
    )
    assert not webhooks.signature_valid("whsec_x", header, b'{"a":1}')  # far too old


def test_corrections_and_retractions_are_their_own_events(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver)
    editor, editor2 = new_editor(), new_editor()
    ticket = ticket_in(Stage.PUBLISHED)
    with django_capture_on_commit_callbacks(execute=True):
        services.correction_open(ticket=ticket, by=editor, note="A reader wrote.")
        services.verdict_save_draft(
            ticket=ticket,
            by=ticket.assignee,
            rating=rating("mostly-false"),
            summary="It was 2.3 million.",
            short_claim="Council spent 4 million dollars on the bridge",
            explanation="A second payment.",
        )
        services.verdict_submit(ticket=ticket, by=ticket.assignee)
        services.vote_cast(ticket=ticket, by=editor2, approve=True)
        services.verdict_publish(ticket=ticket, by=editor, correction_note="We missed a payment.")
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_retract(ticket=ticket, by=editor, reason="Forged documents.")

    events = [json.loads(r.body) for r in receiver.received]
    assert [e["event"] for e in events] == ["verdict.corrected", "verdict.retracted"]
    assert events[0]["verdict"]["corrections"][0]["note"] == "We missed a payment."
    assert events[1]["verdict"]["retraction_reason"] == "Forged documents."


def test_a_subscriber_hears_only_the_events_it_chose(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver, events=["verdict.retracted"])

    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_drafts_and_reviews_send_nothing(receiver, django_capture_on_commit_callbacks):
    subscribe(receiver)
    ticket = ticket_in(Stage.RESEARCHING)
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_submit(ticket=ticket, by=ticket.assignee)

    assert receiver.received == []


def test_a_failed_delivery_backs_off_and_the_sweeper_sends_it_when_due(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver)
    receiver.status = 503
    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.PENDING
    assert delivery.attempts == 1 and delivery.last_status == 503
    assert delivery.next_attempt_at > timezone.now()

    assert sweep_webhooks() == 0  # not due yet
    receiver.status = 200
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep_webhooks() == 1

    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED
    assert list(delivery.attempts_made.order_by("id").values_list("outcome", "http_status")) == [
        ("failed", 503),
        ("succeeded", 200),
    ]


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 100

    assert [webhooks.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_a_subscriber_that_keeps_failing_is_paused_not_retried_forever(
    receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver)
    receiver.status = 500
    for _ in range(3):
        publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)

    subscription.refresh_from_db()
    assert subscription.is_paused
    assert "3 attempts in a row failed" in subscription.pause_reason
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep_webhooks() == 0
    assert len(receiver.received) == 3

    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.subscription_resume(subscription=subscription) == 3
    assert WebhookDelivery.objects.filter(state="delivered").count() == 3


def test_a_delivery_gives_up_after_its_attempts(
    receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 100
    subscribe(receiver)
    receiver.status = 500
    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))

    sweep_webhooks()

    delivery = WebhookDelivery.objects.get()
    assert delivery.state == WebhookDelivery.State.FAILED
    assert delivery.attempts == 2 and delivery.next_attempt_at is None


def test_a_redirect_is_not_followed(receiver, django_capture_on_commit_callbacks):
    receiver.route("/moved", redirect("/hook", status=307))
    subscribe(receiver, path="/moved")

    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)

    assert receiver.paths() == ["/moved"]
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.PENDING


def test_a_private_address_is_blocked_without_the_test_allowance(
    receiver, settings, django_capture_on_commit_callbacks
):
    subscribe(receiver)
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False

    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)

    assert receiver.received == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.outcome == WebhookAttempt.Outcome.BLOCKED


def test_a_broker_outage_loses_nothing(receiver, monkeypatch, django_capture_on_commit_callbacks):
    from reviews.tasks import deliver_webhook

    subscribe(receiver)

    def broker_down(**kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(deliver_webhook, "delay", broker_down)
    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.PENDING

    monkeypatch.setattr(
        deliver_webhook, "delay", lambda **kwargs: deliver_webhook.apply(kwargs=kwargs)
    )
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert sweep_webhooks() == 1
    assert WebhookDelivery.objects.get().state == WebhookDelivery.State.DELIVERED


def test_a_switched_off_subscription_gets_nothing_more(
    receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver)
    subscription.is_active = False
    subscription.save()

    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)

    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_a_second_message_for_a_delivered_webhook_sends_nothing(
    receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver)
    publish(ticket_in(Stage.APPROVED), django_capture_on_commit_callbacks)

    assert webhooks.delivery_send(delivery_id=WebhookDelivery.objects.get().pk) is False
    assert len(receiver.received) == 1
