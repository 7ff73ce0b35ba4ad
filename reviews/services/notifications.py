"""Owe people e-mails about ticket events, and send them after the commit, best effort."""

import logging
import smtplib
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import BadHeaderError, send_mail
from django.db import transaction
from django.utils import timezone

from factcheck.queueing import delay_each
from reviews.models import Comment, Event, Notification

logger = logging.getLogger(__name__)

# After this many failed attempts a notification stays pending for an operator to look at.
MAX_ATTEMPTS = 8


class NotificationNotSent(Exception):
    """The mail server refused or could not be reached; the notification stays pending."""


def notify(*, event: Event, kind: str, recipients: Iterable, exclude=None) -> list[Notification]:
    """Record a pending notification of `kind` per recipient and send them after the commit.

    Nobody is told about their own action (`exclude`), and people without an e-mail address
    are skipped. The rows are the record: a lost message is re-sent by the resend sweep.
    """
    seen = {getattr(exclude, "pk", None)}
    rows = []
    for user in recipients:
        if user is None or user.pk in seen or not user.email or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(event=event, recipient=user, kind=kind))
    if not rows:
        return []
    Notification.objects.bulk_create(rows)
    transaction.on_commit(partial(enqueue, [row.pk for row in rows]), robust=True)
    return rows


def enqueue(notification_ids: list[int]) -> None:
    """Hand the notifications to Celery; a broker outage leaves them pending, never fails."""
    from reviews.tasks import send_notification

    delay_each(
        send_notification, key="notification_id", ids=notification_ids, what="notification(s)"
    )


def _compose(notification: Notification) -> tuple[str, str]:
    event = notification.event
    ticket = event.ticket
    claim = ticket.claim
    who = event.actor.get_username() if event.actor else "The desk"
    # A header is one line: a claim's line breaks and runs of spaces become single spaces.
    text = " ".join(claim.text.split())
    subject = f"[{settings.DESK_NAME}] {notification.get_kind_display().capitalize()}: "
    subject = " ".join(subject.split()) + " "
    subject += text if len(text) <= 60 else f"{text[:59]}…"
    if event.action == "comment":
        headline = f"{who} mentioned you on ticket #{ticket.pk}."
    elif event.action == "repeated":
        headline = (
            f"A claim that ticket #{ticket.pk}'s published verdict ruled on is circulating again."
        )
    else:
        headline = (
            f"{who} {event.get_action_display()} ticket #{ticket.pk} "
            f"({event.get_from_stage_display()} → {event.get_to_stage_display()})."
        )
    lines = [
        headline,
        "",
        f"Claim: {claim.text}",
        f"Article: {claim.article.title}",
    ]
    if event.note:
        lines += ["", "Note:", event.note]
    if event.action == "comment":
        lines += ["", "Comment:", _comment_body(event)]
    if ticket.due_at:
        lines += ["", f"Due: {timezone.localtime(ticket.due_at):%Y-%m-%d %H:%M %Z}"]
    lines += ["", f"Open it: {settings.DESK_BASE_URL.rstrip('/')}{ticket.get_absolute_url()}"]
    return subject, "\n".join(lines)


def _comment_body(event: Event) -> str:
    # The trail keeps only the comment's number: its text stays in the discussion.
    found = Comment.objects.filter(pk=event.data.get("comment")).values_list("body", flat=True)
    return found.first() or "(the comment was removed)"


def notification_send(*, notification_id: int) -> bool:
    """Send one pending notification; return False when it was already sent.

    The row stays locked while the mail goes out, so two workers never send it twice; a crash
    between the mail server's answer and the commit can still send it twice (at least once).
    """
    failure = None
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        if notification.sent_at is not None:
            return False
        notification = Notification.objects.select_related(
            "recipient", "event__actor", "event__ticket__claim__article"
        ).get(pk=notification_id)
        subject, body = _compose(notification)
        try:
            send_mail(subject, body, None, [notification.recipient.email])
        except (smtplib.SMTPException, OSError) as exc:
            failure = exc
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        except BadHeaderError as exc:
            # Permanent (an address or header no mail server takes): counted, not retried now.
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            logger.warning("notification %s cannot be sent: %s", notification.pk, exc)
        else:
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.attempts += 1
        notification.save(update_fields=["sent_at", "last_error", "attempts"])
    if failure is not None:
        raise NotificationNotSent(str(failure)) from failure
    return True


def notifications_resend_pending(*, older_than: timedelta = timedelta(minutes=10)) -> int:
    """Queue again the notifications still pending after `older_than`; return how many."""
    cutoff = timezone.now() - older_than
    ids = list(
        Notification.objects.filter(
            sent_at__isnull=True, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:1000]
    )
    enqueue(ids)
    return len(ids)
