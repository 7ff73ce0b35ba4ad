"""People acting on the same ticket at once never both succeed (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from reviews import services
from reviews.errors import ReviewError
from reviews.models import Event, Ticket, Vote
from reviews.workflow import Stage
from tests.reviews.factories import new_editor, new_fact_checker, ticket_in

THREADS = 20


def run_at_once(act, people) -> tuple[list, list]:
    """Run `act(person)` in one thread per person, released together; return results and errors."""
    barrier = threading.Barrier(len(people))
    results, errors = [], []
    lock = threading.Lock()

    def worker(person):
        try:
            barrier.wait()
            outcome = act(person)
            with lock:
                results.append(outcome)
        except ReviewError as error:
            with lock:
                errors.append(error)
        finally:
            # Each thread has its own connection; leaving it open would block the test teardown.
            connection.close()

    threads = [threading.Thread(target=worker, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.postgres
@pytest.mark.usefixtures("desk_data")
def test_twenty_editors_approving_at_once_make_exactly_one_transition():
    ticket = ticket_in(Stage.IN_REVIEW)
    editors = [new_editor(username=f"rush{n}") for n in range(THREADS)]

    results, errors = run_at_once(
        lambda editor: services.vote_cast(
            ticket=Ticket(pk=ticket.pk), by=editor, approve=True, expected_version=0
        ),
        editors,
    )

    assert len(results) == 1
    assert len(errors) == THREADS - 1
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED
    assert ticket.version == 1
    assert Vote.objects.filter(revision__verdict__ticket=ticket).count() == 1
    assert Event.objects.filter(ticket=ticket).count() == 1
    assert Event.objects.filter(ticket=ticket, to_stage=Stage.APPROVED).count() == 1


@pytest.mark.postgres
@pytest.mark.usefixtures("desk_data")
def test_twenty_fact_checkers_taking_one_ticket_leave_it_with_one():
    ticket = ticket_in(Stage.QUEUED)
    checkers = [new_fact_checker(username=f"grab{n}") for n in range(THREADS)]

    results, errors = run_at_once(
        lambda checker: services.ticket_take(ticket=Ticket(pk=ticket.pk), by=checker), checkers
    )

    assert len(results) == 1
    assert {type(e).__name__ for e in errors} == {"InvalidTransition"}
    ticket.refresh_from_db()
    assert ticket.assignee == results[0].assignee
    assert Event.objects.filter(ticket=ticket).count() == 1
