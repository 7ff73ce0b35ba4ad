"""The admin's ticket page: the claim in context, the verdict, the allowed actions, the trail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import Media
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html

from claims.errors import ClaimsError
from reviews import forms, rules, selectors, services
from reviews.admin.matching import MATCH_ACTIONS, match_action
from reviews.admin.research import DONE as RESEARCH_DONE
from reviews.admin.research import RESEARCH_ACTIONS, Research, research_form, research_perform
from reviews.errors import ReviewError
from reviews.models import Ticket

# The form each action posts; the page shows the forms of the actions allowed now.
ACTION_FORMS = {
    "queue": forms.NoteForm,
    "dismiss": forms.DismissForm,
    "reopen": forms.NoteForm,
    "take": forms.PlainActionForm,
    "assign": forms.AssignForm,
    "revise": forms.VerdictForm,
    "submit": forms.NoteForm,
    "vote": forms.VoteForm,
    "request_changes": forms.RequiredNoteForm,
    "publish": forms.PublishForm,
    "open_correction": forms.RequiredNoteForm,
    "retract": forms.RetractForm,
}
# Shown in their own sections of the page rather than among the buttons.
VERDICT_ACTIONS = ("revise", "vote")

DONE = {
    "queue": "Queued for research.",
    "dismiss": "Dismissed.",
    "reopen": "Reopened: the claim is back in triage.",
    "take": "The ticket is yours.",
    "assign": "Assigned.",
    "revise": "Saved a new revision of the verdict.",
    "submit": "Submitted for review.",
    "vote": "Your vote is on the record.",
    "request_changes": "Sent back with your note.",
    "publish": "Done: published, or scheduled until the embargo lifts.",
    "open_correction": "Reopened for a correction; the published verdict stays public meanwhile.",
    "retract": "Retracted.",
}


def perform(name: str, *, ticket: Ticket, by, data: dict):
    """Call the service behind action `name` with a valid form's cleaned data."""
    common = {"ticket": ticket, "by": by, "expected_version": data["version"]}
    match name:
        case "queue":
            return services.ticket_queue(**common, note=data["note"])
        case "dismiss":
            return services.ticket_dismiss(**common, reason=data["reason"], note=data["note"])
        case "reopen":
            return services.ticket_reopen(**common, note=data["note"])
        case "take":
            return services.ticket_take(**common)
        case "assign":
            return services.ticket_assign(
                **common, assignee=data["assignee"], due_at=data["due_at"]
            )
        case "revise":
            return services.verdict_save_draft(
                **common,
                rating=data["rating"],
                summary=data["summary"],
                explanation=data["explanation"],
                evidence=data["evidence"],
            )
        case "submit":
            return services.verdict_submit(**common, note=data["note"])
        case "vote":
            return services.vote_cast(
                **common,
                approve=data["decision"] == "approve",
                rating=data["rating"],
                note=data["note"],
                followed_precedent=data.get("followed_precedent"),
            )
        case "request_changes":
            return services.verdict_request_changes(**common, note=data["note"])
        case "publish":
            return services.verdict_publish(
                **common, correction_note=data.get("correction_note", "")
            )
        case "open_correction":
            return services.correction_open(**common, note=data["note"])
        case "retract":
            return services.verdict_retract(**common, reason=data["reason"])
    raise ValueError(f"unknown action {name!r}")


def claim_in_context(ticket: Ticket) -> str:
    """Return the claim's paragraph as HTML with the claim marked."""
    claim = ticket.claim
    text = claim.article.plain_text
    start, end = claim.paragraph_bounds()
    return format_html(
        '<p class="claim-context">{}<mark>{}</mark>{}</p>',
        text[start : claim.start],
        text[claim.start : claim.end],
        text[claim.end : end],
    )


class TicketPage:
    """Everything the ticket page shows, read in a number of queries that does not grow."""

    def __init__(self, ticket: Ticket, user):
        self.ticket = ticket
        self.user = user
        self.facts = rules.Facts(ticket)
        self.revisions = list(selectors.ticket_revisions(ticket))
        self.timeline = list(selectors.ticket_timeline(ticket))
        self.allowed = [name for name in rules.ACTIONS if self._allowed(name)]

    def _allowed(self, name: str) -> bool:
        try:
            rules.require(name, ticket=self.ticket, user=self.user, facts=self.facts)
        except ReviewError:
            return False
        return True

    @property
    def current(self):
        return self.revisions[0] if self.revisions else None

    @property
    def published(self):
        verdict = self.facts.verdict
        return verdict.published_revision if verdict else None

    def form(self, name: str, data=None):
        """Return the form for action `name`, bound to `data` when given."""
        kwargs = {"ticket": self.ticket, "auto_id": f"id_{name}_%s"}
        if name in ("revise", "vote"):
            kwargs["current"] = self.current
        if name == "publish":
            kwargs["correction"] = self.facts.open_correction
        return ACTION_FORMS[name](data, **kwargs)

    def context(self, bound: dict) -> dict:
        forms_now = {name: bound.get(name) or self.form(name) for name in self.allowed}
        research = Research(self.ticket.claim, self.user, bound=bound)
        current = self.current
        votes = list(current.votes.all()) if current else []
        return {
            "ticket": self.ticket,
            "claim": self.ticket.claim,
            "article": self.ticket.claim.article,
            "claim_html": claim_in_context(self.ticket),
            "verdict": self.facts.verdict,
            "current": current,
            "published": self.published,
            "correction": self.facts.open_correction,
            "revisions": self.revisions,
            "votes": votes,
            "approvals": sum(1 for v in votes if v.approve),
            "approvals_required": rules.approvals_required(),
            "panel_size": rules.panel_size(),
            "timeline": self.timeline,
            "button_forms": [
                (name, rules.ACTIONS[name].label, form)
                for name, form in forms_now.items()
                if name not in VERDICT_ACTIONS
            ],
            "revise_form": forms_now.get("revise"),
            "vote_form": forms_now.get("vote"),
            "overdue": self.ticket.is_overdue(),
            "research": research,
            "matches": selectors.claim_matches(self.ticket.claim),
            "can_triage": "dismiss" in self.allowed,
        }


class TicketPageMixin:
    """Serve the ticket page as the admin's change view, and run the actions posted to it."""

    change_form_template = "admin/reviews/ticket/desk.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            ticket = selectors.ticket_for_page(object_id)
        except (Ticket.DoesNotExist, ValueError) as missing:
            raise Http404("No such ticket.") from missing
        if not self.has_view_or_change_permission(request, ticket):
            raise PermissionDenied
        if request.method == "POST":
            return self._act(request, ticket)
        return self._render(request, TicketPage(ticket, request.user), {})

    def _act(self, request, ticket: Ticket):
        name = request.POST.get("action", "")
        if name in MATCH_ACTIONS:
            return match_action(request, ticket, name)
        page = TicketPage(ticket, request.user)
        if name in RESEARCH_ACTIONS:
            return self._research(request, page, name)
        if name not in ACTION_FORMS:
            messages.error(request, "Choose one of the actions on the page.")
            return self._render(request, page, {}, status=400)
        form = page.form(name, request.POST)
        if not form.is_valid():
            messages.error(request, "Please correct the errors below.")
            return self._render(request, page, {name: form}, status=400)
        try:
            perform(name, ticket=ticket, by=request.user, data=form.cleaned_data)
        except ReviewError as error:
            messages.error(request, error.message)
            fresh = TicketPage(selectors.ticket_for_page(ticket.pk), request.user)
            # Keep what the person typed, now against the ticket as it is; they decide again.
            data = request.POST.copy()
            data["version"] = fresh.ticket.version
            kept = {name: fresh.form(name, data)} if name in fresh.allowed else {}
            return self._render(request, fresh, kept, status=error.http_status)
        messages.success(request, DONE[name])
        return redirect(request.path)

    def _research(self, request, page: TicketPage, name: str):
        """Run a research step (cite, pin, unpin); the ticket's stage and version stay put."""
        form = research_form(name, request.POST)
        if not form.is_valid():
            messages.error(request, "Please correct the errors below.")
            return self._render(request, page, {name: form}, status=400)
        try:
            research_perform(name, claim=page.ticket.claim, by=request.user, data=form.cleaned_data)
        except ClaimsError as error:
            messages.error(request, str(error))
            return self._render(request, page, {name: form}, status=400)
        messages.success(request, RESEARCH_DONE[name])
        return redirect(f"{request.path}#research")

    def _render(self, request, page: TicketPage, bound: dict, status: int = 200):
        ticket = page.ticket
        context = {
            **self.admin_site.each_context(request),
            **page.context(bound),
            "opts": self.model._meta,
            "title": f"Ticket #{ticket.pk}",
            "subtitle": ticket.claim.text[:80],
            "has_view_permission": True,
            "media": self.media + _forms_media(page, bound),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.change_form_template, context, status=status)


def _forms_media(page: TicketPage, bound: dict) -> Media:
    media = Media()
    if "assign" in page.allowed:
        media += (bound.get("assign") or forms.AssignForm(ticket=page.ticket)).media
    return media
