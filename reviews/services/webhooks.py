"""Tell subscribers about publications, corrections and retractions: signed, retried, paused."""

import dataclasses
import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from claims.fetching import BlockedDestination, FetchError, FetchPolicy, fetch
from factcheck.queueing import backoff_seconds, delay_each
from reviews.models import (
    Verdict,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from reviews.representation import verdict_public
from reviews.selectors import rating_bounds, verdicts_published

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Desk-Signature"
# A delivery the broker lost is sent again by the sweeper after this long.
REQUEUE_AFTER = timedelta(minutes=2)
# What a subscriber may answer with: a small acknowledgement, never followed elsewhere.
RESPONSE_MAX_BYTES = 64 * 1024


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """Return the X-Desk-Signature value: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def signature_valid(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """Return whether `header` signs `body` with `secret`, made within `tolerance` seconds.

    What a subscriber runs on each delivery; the tests use it as a subscriber would.
    """
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp=timestamp)
    return hmac.compare_digest(expected, f"t={timestamp},v1={parts.get('v1', '')}")


def _payload(*, verdict_id: int, event: str, delivery_id: uuid.UUID) -> dict:
    """Return the body: the event and the verdict exactly as the API shows it now."""
    verdict = verdicts_published().filter(pk=verdict_id).first()
    data = (
        verdict_public(verdict, rating_bounds=rating_bounds())
        if verdict is not None
        else {"id": verdict_id}
    )
    return {
        "id": str(delivery_id),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "verdict": data,
    }


def deliveries_create(*, verdict: Verdict, event: WebhookEvent | str) -> list[WebhookDelivery]:
    """Owe every active subscriber of `event` a delivery about `verdict`, sent after the commit.

    Call it inside the transaction that changes what the public sees, so the rows exist exactly
    when the change does. A paused subscriber's deliveries wait until it is resumed.
    """
    event = str(event)
    subscribers = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True).order_by("id")
        # Filtered here: SQLite (the demo) cannot look inside a JSON list.
        if event in (subscription.events or [])
    ]
    if not subscribers:
        return []
    due = timezone.now() + REQUEUE_AFTER
    rows = []
    for subscription in subscribers:
        delivery_id = uuid.uuid4()
        payload = _payload(verdict_id=verdict.pk, event=event, delivery_id=delivery_id)
        rows.append(
            WebhookDelivery(
                uuid=delivery_id,
                subscription=subscription,
                event=event,
                verdict=verdict,
                payload=payload,
                next_attempt_at=due,
            )
        )
    WebhookDelivery.objects.bulk_create(rows)
    ids = list(
        WebhookDelivery.objects.filter(uuid__in=[row.uuid for row in rows]).values_list(
            "pk", flat=True
        )
    )
    transaction.on_commit(partial(enqueue, ids), robust=True)
    return rows


def enqueue(delivery_ids: list[int]) -> None:
    """Hand deliveries to Celery; a broker outage leaves them pending for the sweeper."""
    from reviews.tasks import deliver_webhook

    delay_each(deliver_webhook, key="delivery_id", ids=delivery_ids, what="webhook delivery(ies)")


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after the `attempts`-th failed attempt."""
    return timedelta(
        seconds=backoff_seconds(
            attempts,
            base=settings.WEBHOOK_BACKOFF_SECONDS,
            cap=settings.WEBHOOK_BACKOFF_MAX_SECONDS,
        )
    )


def _policy() -> FetchPolicy:
    # A webhook is answered where it is sent: redirects are refused, not followed.
    return dataclasses.replace(
        FetchPolicy.from_settings(),
        max_redirects=0,
        max_bytes=RESPONSE_MAX_BYTES,
        deadline_seconds=settings.WEBHOOK_TIMEOUT_SECONDS,
    )


def delivery_send(*, delivery_id: int) -> bool:
    """Try one pending delivery that is due (or never tried); return whether it was delivered.

    The row stays locked during the attempt, so two workers never send it at once; a second
    message for it finds it locked, done, or not yet due, and does nothing.
    """
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .select_related("subscription")
            .first()
        )
        if delivery is None:
            return False
        subscription = delivery.subscription
        now = timezone.now()
        if not subscription.is_active:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.last_error = "The subscription was switched off."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
            return False
        due = delivery.attempts == 0 or (
            delivery.next_attempt_at is not None and delivery.next_attempt_at <= now
        )
        if subscription.is_paused or not due:
            return False
        return _attempt(delivery, subscription, now)


def _attempt(delivery: WebhookDelivery, subscription: WebhookSubscription, now) -> bool:
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "content-type": "application/json",
        "x-desk-event": delivery.event,
        "x-desk-delivery": str(delivery.uuid),
        SIGNATURE_HEADER.lower(): sign(subscription.secret, body),
    }
    started = time.monotonic()
    error, status, outcome, retry_after = "", None, WebhookAttempt.Outcome.SUCCEEDED, None
    try:
        result = fetch(
            subscription.url, policy=_policy(), method="POST", content=body, headers=headers
        )
        status = result.status
    except BlockedDestination as exc:
        error, outcome = str(exc), WebhookAttempt.Outcome.BLOCKED
    except FetchError as exc:
        error, status, outcome = str(exc), exc.status, WebhookAttempt.Outcome.FAILED
        retry_after = exc.retry_after
    WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=now,
        duration_ms=int((time.monotonic() - started) * 1000),
        outcome=outcome,
        http_status=status,
        error=error[:2000],
    )
    delivery.attempts += 1
    delivery.last_status = status
    delivery.last_error = error[:2000]
    if outcome == WebhookAttempt.Outcome.SUCCEEDED:
        delivery.state = WebhookDelivery.State.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.next_attempt_at = None
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
    else:
        _failed(delivery, subscription, error, retry_after)
    delivery.save(
        update_fields=[
            "attempts",
            "last_status",
            "last_error",
            "state",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    logger.info(
        "webhook %s %s to subscription %s: %s",
        delivery.event,
        delivery.uuid,
        subscription.pk,
        outcome,
    )
    return outcome == WebhookAttempt.Outcome.SUCCEEDED


def _failed(delivery, subscription, error: str, retry_after: float | None) -> None:
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.state = WebhookDelivery.State.FAILED
        delivery.next_attempt_at = None
    else:
        wait = backoff(delivery.attempts)
        if retry_after:
            wait = max(
                wait, timedelta(seconds=min(retry_after, settings.WEBHOOK_BACKOFF_MAX_SECONDS))
            )
        delivery.next_attempt_at = timezone.now() + wait
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    failures = WebhookSubscription.objects.values_list("consecutive_failures", flat=True).get(
        pk=subscription.pk
    )
    if failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES:
        # Not retried forever: an admin resumes it once the subscriber is fixed.
        WebhookSubscription.objects.filter(pk=subscription.pk, paused_at__isnull=True).update(
            paused_at=timezone.now(),
            pause_reason=f"{failures} attempts in a row failed; the last: {error}"[:2000],
        )


def deliveries_send_due(*, now=None, limit: int = 500) -> int:
    """Queue the pending deliveries that are due, of active, unpaused subscriptions."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            state=WebhookDelivery.State.PENDING,
            next_attempt_at__lte=now,
            subscription__is_active=True,
            subscription__paused_at__isnull=True,
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    enqueue(ids)
    return len(ids)


def subscription_resume(*, subscription: WebhookSubscription) -> int:
    """Resume a paused subscription and send what waited for it now; return how many."""
    now = timezone.now()
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            paused_at=None, pause_reason="", consecutive_failures=0
        )
        waiting = WebhookDelivery.objects.filter(
            subscription=subscription, state=WebhookDelivery.State.PENDING
        )
        ids = list(waiting.values_list("pk", flat=True))
        waiting.update(next_attempt_at=now)
        transaction.on_commit(partial(enqueue, ids), robust=True)
    return len(ids)
