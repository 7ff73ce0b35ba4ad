"""A notification that cannot be composed is a counted, logged failure, never a silent loop."""

import logging

import pytest
from django.core import mail

from reviews import services
from reviews.models import Notification
from tests.reviews.factories import TicketFactory, new_fact_checker

pytestmark = pytest.mark.django_db

BROKEN_BODY = "The council spent\r\n4 million   dollars\ton the bridge. It feels wasteful."


def test_a_claim_with_line_breaks_gets_a_one_line_subject(
    editor, checker, django_capture_on_commit_callbacks
):
    ticket = TicketFactory(claim__article__body=BROKEN_BODY)

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=ticket, by=editor, assignee=checker)

    (message,) = mail.outbox
    assert (
        message.subject
        == "[Fact-check desk] Assigned to you: The council spent 4 million dollars on the bridge."
    )
    assert Notification.objects.get().sent_at is not None


def test_a_permanent_failure_counts_as_an_attempt_and_does_not_blame_the_broker(
    editor, django_capture_on_commit_callbacks, caplog
):
    # A header injection attempt in an address: no mail server would ever take this.
    victim = new_fact_checker(username="victim", email="victim@example.org\nBcc: all@example.org")

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        services.ticket_assign(ticket=TicketFactory(), by=editor, assignee=victim)

    pending = Notification.objects.get()
    assert mail.outbox == []
    assert pending.sent_at is None
    assert pending.attempts == 1
    assert "BadHeaderError" in pending.last_error
    assert "not queued" not in caplog.text
    assert f"notification {pending.pk} cannot be sent" in caplog.text
