"""The desk's preview: the public verdict page as it will look with the current draft revision."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache

from reviews import rules, selectors
from reviews.errors import NotAllowed
from reviews.models import Ticket, Verdict
from reviews.views import verdict_page_context


@never_cache
def verdict_preview(request, ticket_pk: int):
    """Render the public verdict template for the ticket's current revision, for the desk only."""
    ticket = get_object_or_404(Ticket, pk=ticket_pk)
    try:
        rules.require_preview(ticket, request.user)
    except NotAllowed as refused:
        raise PermissionDenied(refused.message) from refused
    try:
        verdict = selectors.verdict_preview_view(ticket.pk)
    except Verdict.DoesNotExist as missing:
        raise Http404(
            "Nothing to preview: no revision of the verdict has been saved yet."
        ) from missing
    context = verdict_page_context(
        verdict, verdict.current_revision, corrections=verdict.public_corrections, preview=True
    )
    context["ticket"] = ticket
    response = TemplateResponse(request, "public/verdict.html", context)
    # A preview is the desk's working copy: no search engine or shared cache keeps it.
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
