"""Tell subscribers about publications, corrections and retractions: signed, retried, paused."""

import dataclasses
import hashlib
import hmac
import json
import logging
import time
import uuid
from collections.abc import Sequence
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
from reviews.representation import verdicts_public
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

    What a subscriber runs on each delivery (the README's snippet does the same): any `v1=`
    part may match, other parts (`v0=`, future schemes) are ignored, and a header that is not
    ASCII, has no single ASCII-digit `t=`, or carries no `v1=` is simply not valid.
    """
    timestamps, signatures = [], []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            timestamps.append(value)
        elif key == "v1" and value.isascii():
            signatures.append(value.encode())
    if len(timestamps) != 1 or not (timestamps[0].isascii() and timestamps[0].isdigit()):
        return False
    timestamp = timestamps[0]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    expected = mac.hexdigest().encode()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


# Verdicts read, and deliveries written, per round of queries: a new best or worst step of the
# rating scale changes every verdict rated on it at once.
DELIVERY_BATCH = 500


def deliveries_create(
    *, verdicts: Sequence[Verdict], event: WebhookEvent | str
) -> list[WebhookDelivery]:
    """Owe every active subscriber of `event` a delivery about each of `verdicts`, sent after
    the commit.

    Call it inside the transaction that changes what the public sees, so the rows exist exactly
    when the change does. Each body is the event and the verdict exactly as the API shows it
    then. A paused subscriber's deliveries wait until it is resumed. The queries do not grow
    with the number of verdicts or subscribers, only with the batches of DELIVERY_BATCH.
    """
    event = str(event)
    subscribers = [
        subscription
        for subscription in WebhookSubscription.objects.filter(is_active=True).order_by("id")
        # Filtered here: SQLite (the demo) cannot look inside a JSON list.
        if event in (subscription.events or [])
    ]
    if not subscribers or not verdicts:
        return []
    bounds = rating_bounds()
    due = timezone.now() + REQUEUE_AFTER
    rows: list[WebhookDelivery] = []
    for start in range(0, len(verdicts), DELIVERY_BATCH):
        batch = verdicts[start : start + DELIVERY_BATCH]
        shown = {
            row["id"]: row
            for row in verdicts_public(
                verdicts_published().filter(pk__in=[verdict.pk for verdict in batch]),
                rating_bounds=bounds,
            )
        }
        created_at = timezone.now().isoformat()
        for verdict in batch:
            for subscription in subscribers:
                delivery_id = uuid.uuid4()
                rows.append(
                    WebhookDelivery(
                        uuid=delivery_id,
                        subscription=subscription,
                        event=event,
                        verdict=verdict,
                        payload={
                            "id": str(delivery_id),
                            "event": event,
                            "created_at": created_at,
                            "verdict": shown.get(verdict.pk, {"id": verdict.pk}),
                        },
                        next_attempt_at=due,
                    )
                )
    WebhookDelivery.objects.bulk_create(rows, batch_size=DELIVERY_BATCH)
    uuids = [row.uuid for row in rows]
    ids = [
        pk
        for start in range(0, len(uuids), DELIVERY_BATCH)
        for pk in WebhookDelivery.objects.filter(
            uuid__in=uuids[start : start + DELIVERY_BATCH]
        ).values_list("pk", flat=True)
    ]
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

    Three steps, none holding a transaction across the network: take the delivery (lock only
    its row, count the attempt and push its next attempt past the POST's deadline, so a second
    message for it finds it not due), POST it with no transaction open, then record the
    outcome if the row is still ours. A worker that dies mid-POST leaves a delivery the sweeper
    sends again once that deadline passes. Deliveries to one subscriber go out side by side,
    and a publication's transaction never waits for a subscriber.
    """
    taken = _take(delivery_id)
    if taken is None:
        return False
    delivery, subscription, now = taken
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
    duration_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        mine = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .filter(pk=delivery.pk, state=WebhookDelivery.State.PENDING, attempts=delivery.attempts)
            .first()
        )
        WebhookAttempt.objects.create(
            delivery=delivery,
            started_at=now,
            duration_ms=duration_ms,
            outcome=outcome,
            http_status=status,
            error=error[:2000],
        )
        if mine is None:
            # The POST outlived its deadline and another attempt took the delivery over.
            logger.warning("webhook %s answered after its attempt was superseded", delivery.uuid)
            return outcome == WebhookAttempt.Outcome.SUCCEEDED
        _record(mine, subscription, outcome, status, error, retry_after)
    logger.info(
        "webhook %s %s to subscription %s: %s",
        delivery.event,
        delivery.uuid,
        subscription.pk,
        outcome,
    )
    return outcome == WebhookAttempt.Outcome.SUCCEEDED


def _take(delivery_id: int):
    """Claim a due delivery for one attempt; return it, its subscription and the time, or None."""
    with transaction.atomic():
        # Only the delivery's row: a lock on the subscription would stop its other deliveries
        # and every publication that owes it one.
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=delivery_id, state=WebhookDelivery.State.PENDING)
            .select_related("subscription")
            .first()
        )
        if delivery is None:
            return None
        subscription = delivery.subscription
        now = timezone.now()
        if not subscription.is_active:
            delivery.state = WebhookDelivery.State.FAILED
            delivery.last_error = "The subscription was switched off."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["state", "last_error", "next_attempt_at"])
            return None
        due = delivery.attempts == 0 or (
            delivery.next_attempt_at is not None and delivery.next_attempt_at <= now
        )
        if subscription.is_paused or not due:
            return None
        delivery.attempts += 1
        # If this worker dies mid-POST, the sweeper sends the delivery again after this.
        delivery.next_attempt_at = now + timedelta(
            seconds=settings.WEBHOOK_TIMEOUT_SECONDS + REQUEUE_AFTER.total_seconds()
        )
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery, subscription, now


def _record(delivery, subscription, outcome, status, error: str, retry_after) -> None:
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
        update_fields=["last_status", "last_error", "state", "delivered_at", "next_attempt_at"]
    )


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
