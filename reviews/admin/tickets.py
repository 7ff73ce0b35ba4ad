"""The ticket list: what a desk scans, filters and triages or assigns in bulk."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms import Media
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.admin.articles import ArticleFilter
from claims.selectors import claims_matching, search_terms
from factcheck.ids import as_id
from factcheck.paginator import LargeListAdmin
from reviews import actions, workflow
from reviews.admin.desk import TicketPageMixin
from reviews.admin.export import events_csv_response
from reviews.admin.filters import AssigneeFilter, RatingFilter, WorkFilter
from reviews.admin.preview import verdict_preview
from reviews.colours import rating_badge
from reviews.errors import ReviewError
from reviews.forms import TicketListActionForm
from reviews.models import Event, Ticket
from reviews.selectors import events_for_export, events_visible_to, tickets_for_desk

# How many refusals a bulk action lists by name before it only counts them.
SHOWN_REFUSALS = 5
# How many of the selected tickets a bulk action's confirmation lists by name.
SHOWN_CONFIRM = 10


def stage_badge(ticket: Ticket) -> str:
    return format_html(
        '<span class="stage-badge stage-{}">{}</span>', ticket.stage, ticket.get_stage_display()
    )


class DeskMedia:
    """Add the desk's stylesheet and the rating scale's colours to an admin's pages."""

    @property
    def media(self):
        return super().media + Media(
            css={"all": ["reviews/desk.css", reverse("admin:reviews_rating_css")]}
        )


def _bulk_actions() -> list:
    """Return the ticket list's bulk actions: one per registry action that offers one."""
    made = []
    for action in actions.ACTIONS.values():
        if action.bulk is None:
            continue

        def run(modeladmin, request, queryset, action=action):
            return modeladmin._bulk(request, queryset, action)

        run.__name__ = f"{action.name}_selected"
        run.short_description = action.bulk
        run.desk_action = action
        made.append(run)
    return made


@admin.register(Ticket)
class TicketAdmin(DeskMedia, TicketPageMixin, LargeListAdmin, admin.ModelAdmin):
    list_display = [
        "number",
        "claim_text",
        "stage_shown",
        "rating_shown",
        "score",
        "due_shown",
        "assignee",
    ]
    list_display_links = ["number", "claim_text"]
    list_filter = [
        "stage",
        WorkFilter,
        ("assignee", AssigneeFilter),
        RatingFilter,
        "claim__tags",
        ("claim__article", ArticleFilter),
    ]
    search_fields = ["claim__text", "claim__article__title"]
    # Ties broken by the claim (one ticket each), so the claims' (-score, id) index gives the
    # order and a filtered list reads only until its page is full.
    ordering = ["-claim__score", "claim_id"]
    list_per_page = 50
    # Large lists (LargeListAdmin): no full COUNT; an estimate, or "1,000+" for a filtered list.
    action_form = TicketListActionForm
    actions = [*_bulk_actions(), "export_trail"]

    def get_queryset(self, request):
        return tickets_for_desk()

    def get_search_results(self, request, queryset, search_term):
        # search_fields above name what is searched (and show the box); claims_matching says
        # how each term is matched so that the trigram indexes can answer it.
        for term in search_terms(search_term):
            queryset = queryset.filter(claims_matching(term, via="claim__"))
        return queryset, False

    def get_urls(self):
        research = self.admin_site.admin_view(self.research_view)
        return [
            path("claim/<int:claim_pk>/research/", research, name="reviews_ticket_research"),
            path(
                "<int:ticket_pk>/preview/",
                self.admin_site.admin_view(verdict_preview),
                name="reviews_ticket_preview",
            ),
            *super().get_urls(),
        ]

    def research_view(self, request, claim_pk: int):
        """Send the claim admin's research link to the one research screen: its ticket page."""
        if as_id(claim_pk) is None:
            # Past the bigint range: no claim has it, and SQLite could not even bind it.
            raise Http404("No such claim.")
        ticket = get_object_or_404(Ticket, claim_id=claim_pk)
        if not self.has_view_permission(request, ticket):
            raise PermissionDenied
        return redirect(reverse("admin:reviews_ticket_change", args=[ticket.pk]) + "#research")

    def has_add_permission(self, request):
        # Tickets open when a piece is received (manage.py ingest, the API), one per claim.
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a ticket would delete its audit trail.
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing on a ticket is edited as a form: every change is a workflow action.
        return False

    def get_actions(self, request):
        # The registry's bulk actions, each offered only to whom its transition allows.
        offered = super().get_actions(request)
        for name, (run, _name, _description) in list(offered.items()):
            action = getattr(run, "desk_action", None)
            if action is not None and not request.user.has_perm(
                workflow.permission(Ticket(), action.transition)
            ):
                del offered[name]
        return offered

    # Not sortable: the sort arrows would widen the narrowest column the list has.
    @admin.display(description="#")
    def number(self, ticket):
        return f"#{ticket.pk}"

    @admin.display(description=_("claim"), ordering="claim__text")
    def claim_text(self, ticket):
        text = ticket.claim.text
        return text if len(text) <= 110 else f"{text[:109]}…"

    @admin.display(description=_("stage"), ordering="stage")
    def stage_shown(self, ticket):
        return stage_badge(ticket)

    @admin.display(description=_("due"), ordering="due_at")
    def due_shown(self, ticket):
        if ticket.due_at is None:
            return "—"
        due = date_format(timezone.localtime(ticket.due_at), "SHORT_DATETIME_FORMAT")
        if ticket.is_overdue():
            return format_html('<span class="overdue">{} ({})</span>', due, _("overdue"))
        return due

    @admin.display(description=_("score"), ordering="claim__score")
    def score(self, ticket):
        return f"{ticket.claim.score:.2f}"

    @admin.display(description=_("rating"), ordering="verdict__current_revision__rating__order")
    def rating_shown(self, ticket):
        verdict = getattr(ticket, "verdict", None)
        revision = verdict.current_revision if verdict else None
        return rating_badge(revision.rating if revision else None)

    def _bulk(self, request, queryset, action: "actions.Action"):
        """Ask to confirm, then run desk `action` on each selected ticket.

        Report what was refused. The confirmation names the action and how many tickets it
        touches, and re-posts the choices made in the action bar.
        """
        bar = self._action_form(request)
        if bar is None:
            return None
        try:
            arguments = action.bulk_arguments(bar)
        except ReviewError as error:
            messages.error(request, error.message)
            return None
        if request.POST.get("confirm") != "yes":
            return self._confirm(request, queryset)
        succeeded, refused = 0, []
        for ticket in queryset.order_by("pk"):
            try:
                action.perform(
                    ticket=ticket, by=request.user, expected_version=None, arguments=arguments
                )
            except ReviewError as error:
                refused.append(f"#{ticket.pk}: {error.message}")
            else:
                succeeded += 1
        if succeeded:
            messages.success(
                request, f"{succeeded} {Event(action=action.name).get_action_display()}."
            )
        if refused:
            more = len(refused) - SHOWN_REFUSALS
            listed = " ".join(refused[:SHOWN_REFUSALS]) + (
                f" …and {more} more." if more > 0 else ""
            )
            messages.warning(request, f"{len(refused)} refused. {listed}")
        return None

    def _confirm(self, request, queryset):
        action = request.POST.get("action", "")
        label = dict(self.get_action_choices(request)).get(action, action)
        replay = [
            (key, value)
            for key in request.POST
            if key not in ("csrfmiddlewaretoken", "confirm")
            for value in request.POST.getlist(key)
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Confirm: %(action)s") % {"action": label},
            "subtitle": None,
            "opts": self.model._meta,
            "action_label": label,
            "count": queryset.count(),
            "shown": list(queryset.order_by("pk")[:SHOWN_CONFIRM]),
            "replay": replay,
        }
        return TemplateResponse(request, "admin/reviews/ticket/bulk_confirmation.html", context)

    def _action_form(self, request) -> TicketListActionForm | None:
        form = TicketListActionForm(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        if not form.is_valid():
            messages.error(request, "Check the fields next to the action.")
            return None
        return form

    @admin.action(description=_("Export the audit trail of selected tickets (CSV)"))
    def export_trail(self, request, queryset):
        events = events_for_export(
            events_visible_to(Event.objects.filter(ticket__in=queryset.values("pk")), request.user)
        )
        return events_csv_response(events, filename="audit-trail.csv")
