"""Notifications go out after the commit, never fail a transition, and are re-sent if lost."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from reviews import services
from reviews.models import Notification
from reviews.services.notifications import notifications_resend_pending
from reviews.tasks import send_notification
from reviews.workflow import Stage
from tests.reviews.factories import TicketFactory, new_editor, ticket_in


@pytest.mark.django_db
def test_an_assignment_mails_the_assignee_after_the_commit(
    editor, checker, django_capture_on_commit_callbacks
):
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        services.ticket_assign(ticket=ticket, by=editor, assignee=checker)
        assert mail.outbox == []
    for callback in callbacks:
        callback()
    (message,) = mail.outbox
    assert message.to == [checker.email]
    assert message.subject.startswith("[Fact-check desk] Assigned to you:")
    assert f"/admin/reviews/ticket/{ticket.pk}/change/" in message.body
    assert Notification.objects.get().sent_at is not None


@pytest.mark.django_db
def test_taking_a_ticket_mails_nobody(checker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_take(ticket=ticket_in(Stage.QUEUED), by=checker)
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "act", "kind", "recipients"),
    [
        ("researching", "submit", "review_requested", ["editor", "editor2"]),
        ("in_review", "request_changes", "changes_requested", ["assignee"]),
        ("approved", "request_changes", "changes_requested", ["assignee"]),
        ("approved", "publish", "published", ["assignee"]),
        ("published", "open_correction", "correction_requested", ["assignee"]),
    ],
)
def test_each_step_mails_the_people_it_concerns(
    stage, act, kind, recipients, checker, editor, editor2, django_capture_on_commit_callbacks
):
    ticket = ticket_in(Stage(stage), assignee=checker)
    calls = {
        "submit": lambda: services.verdict_submit(ticket=ticket, by=checker),
        "request_changes": lambda: services.verdict_request_changes(
            ticket=ticket, by=editor, note="Cite it."
        ),
        "publish": lambda: services.verdict_publish(ticket=ticket, by=editor),
        "open_correction": lambda: services.correction_open(
            ticket=ticket, by=editor, note="Wrong year."
        ),
    }
    people = {"assignee": checker, "editor": editor, "editor2": editor2}
    with django_capture_on_commit_callbacks(execute=True):
        calls[act]()
    sent = {(m.to[0], m.subject.split(":")[0]) for m in mail.outbox}
    label = Notification.Kind(kind).label.capitalize()
    assert {to for to, _subject in sent} >= {people[r].email for r in recipients}
    assert all(subject.endswith(label) for _to, subject in sent)
    # The editor who approved the verdict in the fixture is told too when it concerns them.
    assert checker.email not in {m.to[0] for m in mail.outbox} or "assignee" in recipients


@pytest.mark.django_db
def test_review_requests_skip_the_verdicts_authors(editor, django_capture_on_commit_callbacks):
    ticket = ticket_in(Stage.RESEARCHING, assignee=editor)
    other = new_editor()
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_submit(ticket=ticket, by=editor)
    assert [m.to for m in mail.outbox] == [[other.email]]


@pytest.mark.django_db
def test_a_broker_outage_does_not_fail_the_transition(
    editor, checker, monkeypatch, notifications_in_process, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_notification, "delay", broker_down)
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.ticket_assign(ticket=ticket, by=editor, assignee=checker)
    assert ticket.stage == Stage.RESEARCHING
    pending = Notification.objects.get()
    assert pending.sent_at is None

    # The broker is back: the sweep sends what the outage left pending.
    monkeypatch.setattr(send_notification, "delay", notifications_in_process)
    Notification.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert notifications_resend_pending() == 1
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_mail_server_failure_leaves_the_notification_pending_with_the_error(
    editor, checker, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("reviews.services.notifications.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=TicketFactory(), by=editor, assignee=checker)
    pending = Notification.objects.get()
    assert pending.sent_at is None
    assert pending.attempts >= 1
    assert "SMTPServerDisconnected" in pending.last_error


@pytest.mark.django_db
def test_a_notification_is_sent_once_even_if_queued_twice(
    editor, checker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=TicketFactory(), by=editor, assignee=checker)
    notification = Notification.objects.get()
    assert send_notification(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
