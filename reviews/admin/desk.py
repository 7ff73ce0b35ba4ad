"""The admin's ticket page: the claim in context, the verdict, the allowed actions, the trail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from reviews import actions, rules, selectors
from reviews.admin.attachments import Files, files_action
from reviews.admin.discussion import Discussion, discussion_action
from reviews.admin.matching import MATCH_ACTIONS, match_action, may_mark
from reviews.admin.research import DONE as RESEARCH_DONE
from reviews.admin.research import RESEARCH_ACTIONS, Research, research_submit
from reviews.admin.tagging import Tagging, tags_action
from reviews.errors import ReviewError
from reviews.models import Ticket
from reviews.services.matching import may_reuse
from reviews.workflow import Stage

# Panels of the ticket page that post their own form: discussion and tags. Each handler runs
# its service and re-renders the page through `render(bound, status)` when it is refused.
PANEL_ACTIONS = {
    "comment": discussion_action,
    "tag": tags_action,
    "attach": files_action,
    "detach": files_action,
}


def done_message(name: str, result) -> str:
    """Return what the action did, saying whether a publication happened or waits."""
    if isinstance(result, Ticket) and result.stage == Stage.SCHEDULED:
        embargo = result.claim.article.embargo_until
        return (
            "Scheduled, not yet public: the verdict is published when the embargo lifts, "
            f"{date_format(timezone.localtime(embargo), 'DATETIME_FORMAT')}."
        )
    return actions.ACTIONS[name].done


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

    def __init__(self, ticket: Ticket, user, *, more_candidates: bool = False):
        self.ticket = ticket
        self.user = user
        self.more_candidates = more_candidates
        self.facts = rules.Facts(ticket)
        self.revisions = list(selectors.ticket_revisions(ticket))
        verdict = self.facts.verdict
        if self.current is not None and self.current.pk == verdict.current_revision_id:
            # Read with the revisions already: the rules need not ask the database again.
            self.facts.cites_evidence = self.current.cites_evidence
        self.timeline = list(selectors.ticket_timeline(ticket, user))
        self.allowed = actions.allowed_actions(ticket=ticket, user=user, facts=self.facts)

    @property
    def current(self):
        return self.revisions[0] if self.revisions else None

    @property
    def published(self):
        verdict = self.facts.verdict
        return verdict.published_revision if verdict else None

    def form(self, name: str, data=None):
        """Return the form for action `name`, bound to `data` when given."""
        return actions.ACTIONS[name].form(
            data,
            ticket=self.ticket,
            current=self.current,
            correction=self.facts.open_correction,
            auto_id=f"id_{name}_%s",
        )

    def context(self, bound: dict) -> dict:
        forms_now = {name: bound.get(name) or self.form(name) for name in self.allowed}
        research = Research(
            self.ticket, self.user, bound=bound, facts=self.facts, more=self.more_candidates
        )
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
            "cites_evidence": self.facts.cites_evidence,
            "no_evidence_warning": rules.NO_EVIDENCE_WARNING,
            "evidence_required": rules.evidence_required(),
            "timeline": self.timeline,
            "button_forms": [
                (actions.ACTIONS[name], form)
                for name, form in forms_now.items()
                if not actions.ACTIONS[name].beside_verdict
            ],
            "section_forms": [
                (actions.ACTIONS[name], form)
                for name, form in forms_now.items()
                if actions.ACTIONS[name].beside_verdict
            ],
            "overdue": self.ticket.is_overdue(),
            "research": research,
            # Every form on the page, for the widgets' scripts and styles.
            "forms": list(forms_now.values()),
            "matches": selectors.claim_matches(self.ticket.claim),
            "can_triage": may_mark(self.allowed),
            "can_reuse": may_mark(self.allowed) and may_reuse(self.user),
            "discussion": bound.get("discussion") or Discussion(self.ticket, self.user),
            "can_preview": rules.may_preview(self.ticket, self.user),
            "tagging": bound.get("tagging") or Tagging(self.ticket, self.user, facts=self.facts),
            "files": bound.get("files") or Files(self.ticket, self.user, facts=self.facts),
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
        more = request.GET.get("candidates") == "more"
        return self._render(request, TicketPage(ticket, request.user, more_candidates=more), {})

    def _act(self, request, ticket: Ticket):
        name = request.POST.get("action", "")
        if name in MATCH_ACTIONS:
            return match_action(request, ticket, name)
        if name in PANEL_ACTIONS:
            return PANEL_ACTIONS[name](
                request,
                ticket,
                lambda bound, status: self._render(
                    request, TicketPage(ticket, request.user), bound, status
                ),
            )
        page = TicketPage(ticket, request.user)
        if name in RESEARCH_ACTIONS:
            return self._research(request, page, name)
        if name not in actions.ACTIONS:
            messages.error(request, "Choose one of the actions on the page.")
            return self._render(request, page, {}, status=400)
        form = page.form(name, request.POST)
        if not form.is_valid():
            messages.error(request, "Please correct the errors below.")
            return self._render(request, page, {name: form}, status=400)
        try:
            result = actions.ACTIONS[name].perform(
                ticket=ticket,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                arguments=form.arguments(),
            )
        except ReviewError as error:
            messages.error(request, error.message)
            fresh = TicketPage(selectors.ticket_for_page(ticket.pk), request.user)
            # Keep what the person typed, now against the ticket as it is; they decide again.
            data = request.POST.copy()
            data["version"] = fresh.ticket.version
            kept = {name: fresh.form(name, data)} if name in fresh.allowed else {}
            return self._render(request, fresh, kept, status=error.http_status)
        messages.success(request, done_message(name, result))
        return redirect(request.path)

    def _research(self, request, page: TicketPage, name: str):
        """Run a research step (cite, pin, unpin, refetch); the ticket's stage stays put."""
        form = research_submit(name, ticket=page.ticket, by=request.user, data=request.POST)
        if form.errors:
            messages.error(
                request, " ".join(form.non_field_errors()) or "Please correct the errors below."
            )
            fresh = TicketPage(selectors.ticket_for_page(page.ticket.pk), request.user)
            return self._render(request, fresh, {name: form}, status=400)
        messages.success(request, RESEARCH_DONE[name])
        return redirect(f"{request.path}#research")

    def _render(self, request, page: TicketPage, bound: dict, status: int = 200):
        ticket = page.ticket
        page_context = page.context(bound)
        context = {
            **self.admin_site.each_context(request),
            **page_context,
            "opts": self.model._meta,
            "title": f"Ticket #{ticket.pk}",
            "subtitle": ticket.claim.text[:80],
            "has_view_permission": True,
            "media": sum((form.media for form in page_context["forms"]), self.media),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.change_form_template, context, status=status)
