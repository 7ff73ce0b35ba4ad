"""The ticket page's matches panel: mark a ticket a duplicate of another, or reuse a verdict."""

from django.contrib import messages
from django.shortcuts import redirect

from factcheck.ids import as_id
from reviews.errors import ReviewError
from reviews.models import Ticket, Verdict
from reviews.services.matching import ticket_mark_duplicate, ticket_reuse_verdict

MATCH_ACTIONS = {"duplicate", "reuse"}


def may_mark(allowed) -> bool:
    """Return whether the matches panel offers its buttons: both settle triage as a dismissal."""
    return "dismiss" in allowed


DONE = {
    "duplicate": "Dismissed as a duplicate; it links to the other ticket.",
    "reuse": "The ticket now points at the published verdict (see its matches); it is dismissed.",
}


def match_action(request, ticket: Ticket, name: str):
    """Run a matches-panel action posted to the ticket page; return the redirect."""
    target = as_id(request.POST.get("target"))
    version = as_id(request.POST.get("version"))
    try:
        if name == "duplicate":
            other = Ticket.objects.filter(pk=target).first()
            if other is None:
                raise ReviewError("Choose a ticket from the matches listed.")
            ticket_mark_duplicate(
                ticket=ticket, by=request.user, of=other, expected_version=version
            )
        else:
            verdict = Verdict.objects.filter(pk=target).first()
            if verdict is None:
                raise ReviewError("Choose a published verdict from the matches listed.")
            ticket_reuse_verdict(
                ticket=ticket, by=request.user, verdict=verdict, expected_version=version
            )
    except ReviewError as error:
        messages.error(request, error.message)
        return redirect(f"{request.path}#matches")
    messages.success(request, DONE[name])
    return redirect(request.path)
