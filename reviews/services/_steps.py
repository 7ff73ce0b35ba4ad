"""Run one workflow step: lock the ticket, check the rules, save, record the event, notify."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from reviews import actions, rules
from reviews.errors import ReviewError, StaleTicket
from reviews.models import Event, Notification, StageSpell, Ticket
from reviews.services import notifications
from reviews.workflow import Stage


@dataclass
class Step:
    """The step under way: services fill in the note, details and notifications it records."""

    ticket: Ticket
    facts: rules.Facts
    from_stage: str
    action: str
    note: str = ""
    data: dict = field(default_factory=dict)
    notify: list[tuple[str, Iterable]] = field(default_factory=list)
    event: Event | None = None

    def notify_users(self, kind: Notification.Kind, users: Iterable) -> None:
        """Owe `users` an e-mail of `kind` about this step, sent after the commit."""
        self.notify.append((kind, users))


def _stale(ticket: Ticket) -> StaleTicket:
    last = ticket.events.select_related("actor").order_by("-created_at", "-id").first()
    change = ""
    if last is not None:
        who = last.actor or "the desk"
        change = f"; last change: {who} {last.get_action_display()} at {last.created_at:%H:%M}"
    return StaleTicket(
        f"Someone else changed this ticket while you had it open (it is now "
        f"{Stage(ticket.stage).label.lower()}{change}). Nothing was saved: look at the "
        "current state and try again."
    )


def lock(ticket: Ticket | int, expected_version: int | None = None) -> Ticket:
    """Return the ticket row locked for this transaction; refuse a form opened before a change."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    # Only the ticket row is locked: every write about a claim goes through it, one at a time.
    locked = Ticket.objects.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:
        raise _stale(locked)
    return locked


def _save(ticket: Ticket) -> None:
    # Compare-and-swap on the version as well as the row lock, so a database without
    # SELECT ... FOR UPDATE (SQLite in the demo) still never lets two writers both succeed.
    updated = Ticket.objects.filter(pk=ticket.pk, version=ticket.version).update(
        stage=ticket.stage,
        assignee=ticket.assignee_id,
        due_at=ticket.due_at,
        dismiss_reason=ticket.dismiss_reason,
        version=ticket.version + 1,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise _stale(Ticket.objects.get(pk=ticket.pk))
    ticket.version += 1


@contextmanager
def step(
    ticket: Ticket | int,
    *,
    by,
    action: str,
    expected_version: int | None = None,
    note: str = "",
) -> Iterator[Step]:
    """Run the body as one transition of `ticket` by `by` (None: the desk itself).

    Inside one transaction: lock the row, check the stage and the person, let the body change
    the ticket through its declared transition, save, write the audit event, then queue the
    notifications to go out once the transaction commits.
    """
    with transaction.atomic():
        locked = lock(ticket, expected_version)
        facts = rules.Facts(locked)
        actions.require(action, ticket=locked, user=by, facts=facts)
        current = Step(ticket=locked, facts=facts, from_stage=locked.stage, action=action)
        current.note = note.strip()
        yield current
        _save(locked)
        current.event = Event.objects.create(
            ticket=locked,
            actor=by,
            action=current.action,
            from_stage=current.from_stage,
            to_stage=locked.stage,
            note=current.note,
            data=current.data,
        )
        if locked.stage != current.from_stage:
            record_spell(
                locked,
                from_stage=current.from_stage,
                to_stage=locked.stage,
                at=current.event.created_at,
            )
        for kind, users in current.notify:
            notifications.notify(event=current.event, kind=kind, recipients=users, exclude=by)


def record_spell(ticket: Ticket, *, from_stage: str, to_stage: str, at) -> None:
    """Close the ticket's stay in `from_stage` at `at` and open its stay in `to_stage`.

    A ticket's first stay (in the stage it was opened in) is written when it ends, from the
    ticket's opening, so nothing that opens tickets has to know about spells.
    """
    closed = StageSpell.objects.filter(ticket=ticket, left_at__isnull=True).update(left_at=at)
    spells = [StageSpell(ticket=ticket, stage=to_stage, entered_at=at)]
    if not closed:
        spells.insert(
            0,
            StageSpell(
                ticket=ticket,
                stage=from_stage,
                entered_at=min(ticket.created_at, at),
                left_at=at,
            ),
        )
    StageSpell.objects.bulk_create(spells)


def required_text(value: str, message: str) -> str:
    """Return `value` stripped, or refuse with `message` when it is blank."""
    value = (value or "").strip()
    if not value:
        raise ReviewError(message)
    return value
