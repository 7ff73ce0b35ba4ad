"""Open tickets for claims, triage them and decide who researches them by when."""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import QuerySet

from claims.models import Claim
from reviews import workflow
from reviews.errors import ReviewError
from reviews.models import Notification, Ticket
from reviews.services._steps import step
from reviews.workflow import DismissReason


def tickets_open(*, claims: Iterable[Claim] | QuerySet, new: bool = False) -> int:
    """Open a ticket for every claim that has none; return how many were opened.

    Idempotent: running it again, or concurrently, opens nothing twice. With `new` the claims
    were created in the caller's transaction, so none can have a ticket: they are opened in
    one insert without looking first.
    """
    if new:
        opened = Ticket.objects.bulk_create([Ticket(claim_id=claim.pk) for claim in claims])
        return len(opened)
    if isinstance(claims, QuerySet):
        claim_ids = list(claims.values_list("pk", flat=True))
    else:
        claim_ids = [claim.pk for claim in claims]
    existing = set(Ticket.objects.filter(claim_id__in=claim_ids).values_list("claim_id", flat=True))
    missing = [pk for pk in dict.fromkeys(claim_ids) if pk not in existing]
    # ignore_conflicts covers a concurrent call that opened some of them in the meantime.
    Ticket.objects.bulk_create(
        [Ticket(claim_id=pk) for pk in missing], ignore_conflicts=True, batch_size=500
    )
    return len(missing)


def ticket_queue(
    *, ticket: Ticket, by, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Accept the claim as worth checking: it waits for a fact-checker."""
    with step(ticket, by=by, action="queue", expected_version=expected_version, note=note) as s:
        s.ticket.queue()
    return s.ticket


def ticket_dismiss(
    *,
    ticket: Ticket,
    by,
    reason: DismissReason | str,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Set the claim aside as an opinion, not checkable, a duplicate or out of scope."""
    if reason not in DismissReason.values:
        raise ReviewError(
            "Say why the claim is dismissed: opinion, not checkable, duplicate or out of scope."
        )
    with step(ticket, by=by, action="dismiss", expected_version=expected_version, note=note) as s:
        s.ticket.dismiss()
        s.ticket.dismiss_reason = DismissReason(reason)
        s.data = {"reason": str(reason)}
    return s.ticket


def ticket_reopen(
    *, ticket: Ticket, by, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Undo a dismissal: the claim goes back to triage."""
    with step(ticket, by=by, action="reopen", expected_version=expected_version, note=note) as s:
        s.data = {"was": s.ticket.dismiss_reason}
        s.ticket.reopen()
        s.ticket.dismiss_reason = ""
    return s.ticket


def ticket_take(*, ticket: Ticket, by, expected_version: int | None = None) -> Ticket:
    """Start researching an unassigned, queued claim oneself."""
    with step(ticket, by=by, action="take", expected_version=expected_version) as s:
        s.ticket.take()
        s.ticket.assignee = by
        s.data = {"assignee": by.get_username()}
    return s.ticket


def ticket_assign(
    *,
    ticket: Ticket,
    by,
    assignee,
    due_at: datetime | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Give the ticket to `assignee` (due by `due_at`; None keeps the current due date).

    Assigning a new or queued ticket starts its research; later it reassigns in place.
    """
    if assignee is None or not assignee.is_active or not assignee.has_perm(workflow.DRAFT):
        raise ReviewError(f"{assignee or 'Nobody'} cannot research claims; choose a fact-checker.")
    with step(ticket, by=by, action="assign", expected_version=expected_version, note=note) as s:
        previous = s.ticket.assignee
        s.ticket.assign()
        s.ticket.assignee = assignee
        if due_at is not None:
            s.ticket.due_at = due_at
        s.data = {
            "assignee": assignee.get_username(),
            "previous": previous.get_username() if previous else None,
            "due_at": s.ticket.due_at.isoformat() if s.ticket.due_at else None,
        }
        if previous != assignee:
            s.notify_users(Notification.Kind.ASSIGNED, [assignee])
    return s.ticket
