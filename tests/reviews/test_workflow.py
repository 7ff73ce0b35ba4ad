"""Every workflow action runs from each stage it is declared for, and is refused from all others."""

import pytest
from django.db import IntegrityError, transaction

from reviews.errors import InvalidTransition
from reviews.models import Event, Ticket
from reviews.workflow import Stage
from tests.reviews.actions import ACT
from tests.reviews.factories import TicketFactory, ticket_in

S = Stage
OPEN = [s for s in S if s not in (S.DISMISSED, S.RETRACTED)]

# Written out from the issue, not derived from the code, so that the code can be wrong.
ALLOWED = {
    "queue": {S.NEW: S.QUEUED},
    "dismiss": {S.NEW: S.DISMISSED, S.QUEUED: S.DISMISSED},
    "reopen": {S.DISMISSED: S.NEW},
    "take": {S.QUEUED: S.RESEARCHING},
    "assign": {
        **{s: s for s in OPEN},
        S.NEW: S.RESEARCHING,
        S.QUEUED: S.RESEARCHING,
    },
    "save_draft": {s: s for s in (S.RESEARCHING, S.CHANGES_REQUESTED, S.IN_REVIEW, S.CORRECTING)},
    "submit": {s: S.IN_REVIEW for s in (S.RESEARCHING, S.CHANGES_REQUESTED, S.CORRECTING)},
    "vote": {S.IN_REVIEW: S.APPROVED},
    "request_changes": {s: S.CHANGES_REQUESTED for s in (S.IN_REVIEW, S.APPROVED, S.SCHEDULED)},
    "publish": {S.APPROVED: S.PUBLISHED, S.SCHEDULED: S.PUBLISHED},
    "open_correction": {S.PUBLISHED: S.CORRECTING},
    "retract": {S.PUBLISHED: S.RETRACTED, S.CORRECTING: S.RETRACTED},
}

CASES = [(action, stage) for action in ALLOWED for stage in S]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "stage"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_each_action_runs_from_its_stages_and_is_refused_from_the_others(action, stage, editor):
    ticket = ticket_in(stage)
    if stage in ALLOWED[action]:
        ACT[action](ticket, editor)
        ticket.refresh_from_db()
        assert ticket.stage == ALLOWED[action][stage]
        event = Event.objects.get(ticket=ticket)
        assert (event.actor, event.from_stage, event.to_stage) == (
            editor,
            stage,
            ALLOWED[action][stage],
        )
        assert ticket.version == 1
    else:
        with pytest.raises(InvalidTransition, match=r"Cannot .* the ticket is"):
            ACT[action](ticket, editor)
        ticket.refresh_from_db()
        assert ticket.stage == stage
        assert ticket.version == 0
        assert not Event.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_the_stage_cannot_be_assigned_directly():
    ticket = TicketFactory()
    with pytest.raises(AttributeError, match="Direct stage modification is not allowed"):
        ticket.stage = Stage.PUBLISHED


@pytest.mark.django_db
def test_the_database_refuses_a_dismissed_ticket_without_a_reason():
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketFactory(stage=Stage.DISMISSED, dismiss_reason="")


@pytest.mark.django_db
def test_a_refused_transition_leaves_no_trace(editor):
    ticket = ticket_in(Stage.PUBLISHED)
    with pytest.raises(InvalidTransition):
        ACT["queue"](ticket, editor)
    assert Ticket.objects.get(pk=ticket.pk).version == 0
    assert Event.objects.count() == 0
