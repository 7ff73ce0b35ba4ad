"""The transition step records each stay of a ticket in a stage; the migration rebuilds them."""

import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse

import reviews.migrations
from reviews import services
from reviews.models import Event, StageSpell
from reviews.workflow import Stage
from tests.reviews import analytics_desk
from tests.reviews.factories import TicketFactory, rating, ticket_in


def stays(ticket) -> list[tuple]:
    return list(
        StageSpell.objects.filter(ticket=ticket)
        .order_by("entered_at", "id")
        .values_list("stage", "entered_at", "left_at")
    )


def moments(ticket) -> list:
    return list(
        Event.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
    )


@pytest.mark.django_db
def test_the_ticket_page_records_each_stay_as_the_ticket_moves(client, editor, checker):
    ticket = TicketFactory()
    page = reverse("admin:reviews_ticket_change", args=[ticket.pk])
    client.force_login(editor)
    assert client.post(page, {"action": "queue", "version": 0, "note": ""}).status_code == 302
    (queued_at,) = moments(ticket)
    # The first move writes the stay the ticket was opened in, from its opening.
    assert stays(ticket) == [
        (Stage.NEW, ticket.created_at, queued_at),
        (Stage.QUEUED, queued_at, None),
    ]
    client.force_login(checker)
    assert client.post(page, {"action": "take", "version": 1, "note": ""}).status_code == 302

    queued_at, taken_at = moments(ticket)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.RESEARCHING
    assert stays(ticket) == [
        (Stage.NEW, ticket.created_at, queued_at),
        (Stage.QUEUED, queued_at, taken_at),
        (Stage.RESEARCHING, taken_at, None),
    ]


@pytest.mark.django_db
def test_a_step_that_keeps_the_stage_adds_no_stay(checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("false"),
        summary="S.",
        explanation="E.",
        short_claim="Council spent 4 million",
    )
    assert stays(ticket) == []
    services.verdict_submit(ticket=ticket, by=checker)
    ticket.refresh_from_db()
    submitted_at = moments(ticket)[-1]
    assert stays(ticket) == [
        (Stage.RESEARCHING, ticket.created_at, submitted_at),
        (Stage.IN_REVIEW, submitted_at, None),
    ]


def _backfill():
    """Run the migration's backfill on the current events, as `migrate` would."""
    folder = Path(reviews.migrations.__file__).parent
    (path,) = folder.glob("*_stage_spells.py")
    migration = importlib.import_module(f"reviews.migrations.{path.stem}")

    def execute(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    migration.backfill_spells(apps, SimpleNamespace(execute=execute))


@pytest.mark.django_db
def test_the_backfill_rebuilds_from_the_trail_the_stays_the_step_recorded(editor, editor2):
    analytics_desk.build()
    walked = ticket_in(Stage.NEW)
    checker = analytics_desk.new_fact_checker(username="walker")
    services.ticket_queue(ticket=walked, by=editor)
    services.ticket_take(ticket=walked, by=checker)
    recorded = sorted(StageSpell.objects.values_list("ticket_id", "stage", "entered_at", "left_at"))
    assert len(recorded) > 40

    StageSpell.objects.all().delete()
    _backfill()

    rebuilt = sorted(StageSpell.objects.values_list("ticket_id", "stage", "entered_at", "left_at"))
    assert rebuilt == recorded
