"""The review desk's reads, shared by the admin, the API, the public pages and the jobs."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import F, Max, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from claims.models import Claim, Evidence
from reviews.models import Correction, Event, Rating, Ticket, Verdict, VerdictRevision, Vote
from reviews.workflow import WORK_STAGES


def tickets_for_desk() -> QuerySet[Ticket]:
    """Return every ticket with what a list of tickets shows (claim, article, assignee, rating)."""
    return Ticket.objects.select_related(
        "claim__article", "assignee", "verdict__current_revision__rating"
    )


def tickets_my_queue(*, user) -> QuerySet[Ticket]:
    """Return the tickets `user` owes work on, soonest due first (undated last)."""
    return (
        tickets_for_desk()
        .filter(assignee=user, stage__in=WORK_STAGES)
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def tickets_overdue(*, now=None) -> QuerySet[Ticket]:
    """Return the tickets past their due date on which the desk still owes work."""
    return (
        tickets_for_desk()
        .filter(due_at__lt=now or timezone.now(), stage__in=WORK_STAGES)
        .order_by("due_at", "id")
    )


def ticket_for_page(pk) -> Ticket:
    """Return one ticket with everything its desk page shows in a constant number of queries."""
    return Ticket.objects.select_related(
        "claim__article",
        "assignee",
        "verdict__current_revision__rating",
        "verdict__current_revision__author",
        "verdict__published_revision__rating",
    ).get(pk=pk)


def ticket_revisions(ticket: Ticket) -> QuerySet[VerdictRevision]:
    """Return the verdict's revisions, newest first, with their votes."""
    return (
        VerdictRevision.objects.filter(verdict__ticket=ticket)
        .select_related("rating", "author")
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("editor", "rating").order_by(
                    "created_at", "id"
                ),
            )
        )
        .order_by("-number")
    )


def ticket_timeline(ticket: Ticket) -> QuerySet[Event]:
    """Return the ticket's audit trail, oldest first."""
    return Event.objects.filter(ticket=ticket).select_related("actor").order_by("created_at", "id")


def ticket_open_correction(ticket: Ticket) -> Correction | None:
    """Return the correction under way on the ticket's verdict, if any."""
    return Correction.objects.filter(verdict__ticket=ticket, published_at__isnull=True).first()


def verdicts_published(*, now=None) -> QuerySet[Verdict]:
    """Return the verdicts the public may see, including retracted ones, oldest change first.

    Use `published_revision` (never `current_revision`, which may be an unapproved draft),
    `retracted_at`/`retraction_reason`, `published_corrections` (the corrections made
    public, oldest first) and `published_revision.evidence` (with each source and snapshot).
    Order and sync by (`updated_at`, `id`): it moves only when what the public sees changes.
    A verdict whose article is under embargo is left out.
    """
    return (
        Verdict.objects.filter(published_revision__isnull=False)
        .exclude(ticket__claim__article__embargo_until__gt=now or timezone.now())
        .select_related("published_revision__rating", "ticket__claim__article")
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=Correction.objects.filter(published_at__isnull=False).order_by(
                    "published_at", "id"
                ),
                to_attr="published_corrections",
            ),
            Prefetch(
                "published_revision__evidence",
                queryset=Evidence.objects.select_related("source", "snapshot").order_by(
                    "pinned_at", "id"
                ),
            ),
        )
        .order_by("updated_at", "id")
    )


def verdict_public_url(verdict_id: int) -> str:
    """Return the absolute URL of the verdict's public page (the readers' pages serve it)."""
    return f"{settings.DESK_BASE_URL.rstrip('/')}/verdicts/{verdict_id}/"


def claims_behind_published_verdicts() -> QuerySet[Claim]:
    """Return the claims whose verdicts are public: their sources are worth re-checking."""
    return Claim.objects.filter(
        ticket__verdict__published_revision__isnull=False,
        ticket__verdict__retracted_at__isnull=True,
    )


def rating_scale(*, offered_only: bool = False) -> QuerySet[Rating]:
    """Return the rating scale in the desk's order."""
    ratings = Rating.objects.order_by("order", "id")
    return ratings.filter(is_active=True) if offered_only else ratings


def rating_bounds() -> tuple[int | None, int | None]:
    """Return ClaimReview's (worstRating, bestRating): the scale's lowest and highest values."""
    bounds = Rating.objects.aggregate(worst=Min("numeric_value"), best=Max("numeric_value"))
    return bounds["worst"], bounds["best"]


def users_with_permission(dotted: str) -> QuerySet:
    """Return the active users holding `dotted` through a group or directly (not superusers)."""
    app_label, codename = dotted.split(".", 1)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .filter(is_active=True)
        .distinct()
        .order_by("username", "id")
    )


def events_for_export(events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Return events (all, or those given) with what the CSV export writes, oldest first."""
    events = Event.objects.all() if events is None else events
    return events.select_related("actor", "ticket__claim__article").order_by("created_at", "id")
