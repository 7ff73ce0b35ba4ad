"""Tickets open once per claim, and a form opened before someone else's change is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import selectors, services
from reviews.errors import ReviewError, StaleTicket
from reviews.models import Event, Ticket
from reviews.workflow import Stage
from tests.factories import ArticleFactory, ClaimFactory, UserFactory
from tests.reviews.factories import TicketFactory, new_fact_checker, ticket_in


@pytest.mark.django_db
def test_opening_tickets_is_idempotent():
    article = ArticleFactory()
    ClaimFactory.create_batch(3, article=article)
    assert services.tickets_open(claims=article.claims.all()) == 3
    assert services.tickets_open(claims=article.claims.all()) == 0
    ClaimFactory(article=article)
    assert services.tickets_open(claims=list(article.claims.all())) == 1
    assert Ticket.objects.filter(stage=Stage.NEW).count() == 4


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_what_changed(checker, editor):
    ticket = TicketFactory()
    opened_at_version = ticket.version
    services.ticket_queue(ticket=ticket, by=checker)
    with pytest.raises(StaleTicket, match="checker queued") as refused:
        services.ticket_dismiss(
            ticket=ticket, by=editor, reason="opinion", expected_version=opened_at_version
        )
    assert "Nothing was saved" in str(refused.value)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.QUEUED
    assert Event.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db
def test_a_current_form_goes_through(checker):
    ticket = TicketFactory()
    ticket = services.ticket_queue(ticket=ticket, by=checker, expected_version=0)
    ticket = services.ticket_take(ticket=ticket, by=checker, expected_version=1)
    assert (ticket.stage, ticket.version, ticket.assignee) == (Stage.RESEARCHING, 2, checker)


@pytest.mark.django_db
def test_dismissal_records_its_reason_and_reopening_clears_it(checker):
    ticket = TicketFactory()
    services.ticket_dismiss(ticket=ticket, by=checker, reason="not_checkable", note="A forecast.")
    ticket.refresh_from_db()
    assert ticket.dismiss_reason == "not_checkable"
    services.ticket_reopen(ticket=ticket, by=checker)
    ticket.refresh_from_db()
    assert (ticket.stage, ticket.dismiss_reason) == (Stage.NEW, "")
    dismissal = Event.objects.get(ticket=ticket, action="dismiss")
    assert (dismissal.data, dismissal.note) == ({"reason": "not_checkable"}, "A forecast.")


@pytest.mark.django_db
def test_only_fact_checkers_and_editors_can_be_assigned(editor):
    with pytest.raises(ReviewError, match="cannot research claims"):
        services.ticket_assign(
            ticket=TicketFactory(), by=editor, assignee=UserFactory(role="API client")
        )


@pytest.mark.django_db
def test_my_queue_and_overdue_list_the_work_owed(checker):
    mine = ticket_in(Stage.RESEARCHING, assignee=checker)
    late = ticket_in(Stage.CHANGES_REQUESTED, assignee=checker)
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=1))
    ticket_in(Stage.RESEARCHING, assignee=new_fact_checker())
    ticket_in(Stage.PUBLISHED, assignee=checker)
    assert list(selectors.tickets_my_queue(user=checker)) == [late, mine]
    assert list(selectors.tickets_overdue()) == [late]
