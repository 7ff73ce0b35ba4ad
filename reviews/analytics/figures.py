"""Compute the desk's figures for a period from the audit trail and the votes.

Every figure is read from the event log (what happened, when) and the votes, in a fixed number
of queries whatever the size of the desk; README.md ("Desk analytics") says what each means.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import TruncWeek
from django.utils import timezone

from reviews.analytics.durations import TOTAL, spreads
from reviews.analytics.stats import Alpha, Spread, krippendorff_alpha, share
from reviews.models import Event, Rating, Ticket, Vote
from reviews.workflow import DismissReason, Stage

# Revisions with two or more rated votes needed before Krippendorff's alpha is worth stating.
ALPHA_MIN_UNITS = 5
# The stages a claim passes through before its first publication, in the desk's order.
PRE_PUBLICATION_STAGES = [
    Stage.NEW,
    Stage.QUEUED,
    Stage.DISMISSED,
    Stage.RESEARCHING,
    Stage.IN_REVIEW,
    Stage.CHANGES_REQUESTED,
    Stage.APPROVED,
    Stage.SCHEDULED,
]


@dataclass(frozen=True)
class Scope:
    """Which claims the figures cover: a period [start, end) and optional narrowing."""

    start: datetime
    end: datetime
    # Article.publication, exactly as recorded.
    publication: str = ""
    # The claimant: the piece's author (Article.author), exactly as recorded.
    claimant: str = ""
    # The fact-checker a ticket is assigned to (primary key of the user).
    fact_checker: int | None = None

    def __post_init__(self):
        if self.end <= self.start:
            raise ValueError("The period must end after it starts.")

    def tickets(self, prefix: str = "") -> Q:
        """Return the condition on tickets (reached through `prefix`) that the scope narrows to."""
        q = Q()
        if self.publication:
            q &= Q(**{f"{prefix}claim__article__publication": self.publication})
        if self.claimant:
            q &= Q(**{f"{prefix}claim__article__author": self.claimant})
        if self.fact_checker is not None:
            q &= Q(**{f"{prefix}assignee_id": self.fact_checker})
        return q

    def during(self, field_name: str = "created_at") -> Q:
        return Q(**{f"{field_name}__gte": self.start, f"{field_name}__lt": self.end})


def year_scope(year: int, **narrowing) -> Scope:
    """Return the scope of calendar `year` in the desk's time zone."""
    start = timezone.make_aware(datetime(year, 1, 1))
    return Scope(start=start, end=timezone.make_aware(datetime(year + 1, 1, 1)), **narrowing)


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    spread: Spread


@dataclass(frozen=True)
class RatingCount:
    rating: Rating
    count: int


@dataclass(frozen=True)
class Agreement:
    """How the panel's ratings compare with the ratings the desk published."""

    votes: int
    differing: int
    share_differing: float | None
    alpha: Alpha


@dataclass
class Figures:
    """The desk's figures for one scope; durations are in seconds."""

    scope: Scope
    ingested: int
    checkworthy: int
    queued: int
    dismissed: dict[str, int]
    published: int
    corrections: int
    retractions: int
    ingest_to_publication: Spread
    stages: list[StageTime]
    with_due_date: int
    published_late: int
    throughput: list[tuple[str, int]]
    weekly: list[tuple[date, int]]
    ratings: list[RatingCount]
    agreement: Agreement
    extra: dict = field(default_factory=dict)

    @property
    def dismissed_total(self) -> int:
        return sum(self.dismissed.values())

    @property
    def overdue_rate(self) -> float | None:
        return share(self.published_late, self.with_due_date)

    @property
    def correction_share(self) -> float | None:
        return share(self.corrections, self.published)

    @property
    def retraction_share(self) -> float | None:
        return share(self.retractions, self.published)


def _events(scope: Scope) -> QuerySet[Event]:
    return Event.objects.filter(scope.during(), scope.tickets("ticket__"))


def with_correction_flag(events: QuerySet[Event]) -> QuerySet[Event]:
    """Annotate `is_correction`: a publish event that made a correction public."""
    # JSON null (a first publication) or no key at all (any other action).
    return events.annotate(
        is_correction=Case(
            When(Q(data__correction=None) | Q(data__correction__isnull=True), then=Value(False)),
            default=Value(True),
            output_field=BooleanField(),
        ),
    )


def first_publications(scope: Scope) -> QuerySet[Event]:
    """Return the events in scope that made a verdict public for the first time."""
    return with_correction_flag(_events(scope).filter(action="publish")).filter(is_correction=False)


# The actions the triage and publication figures count; the rest of the trail (drafts,
# submissions, votes) is left in the index, unread.
DECISIONS = ["queue", "assign", "dismiss", "publish", "retract"]


def _decision_counts(scope: Scope) -> list[dict]:
    """Return the scope's decisions counted by action, source stage, reason, rating, correction."""
    return list(
        with_correction_flag(_events(scope).filter(action__in=DECISIONS))
        .annotate(reason=KT("data__reason"), rating_slug=KT("data__rating"))
        .order_by()
        .values("action", "from_stage", "reason", "rating_slug", "is_correction")
        .annotate(n=Count("id"))
    )


def _publication_counts(published: QuerySet[Event]) -> list[dict]:
    """Return the first publications counted by fact-checker, week, due date and lateness."""
    return list(
        published.order_by()
        .values(
            checker=F("ticket__assignee__username"),
            week=TruncWeek("created_at"),
            has_due=Case(
                When(ticket__due_at__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            late=Case(
                When(created_at__gt=F("ticket__due_at"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .annotate(n=Count("id"))
    )


def _weeks(scope: Scope, rows: list[dict]) -> list[tuple[date, int]]:
    """Return (Monday, first publications that week) for every week the period touches."""
    counts = Counter()
    for row in rows:
        counts[row["week"].date()] += row["n"]
    first = timezone.localtime(scope.start).date()
    last = timezone.localtime(scope.end - timedelta(microseconds=1)).date()
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append((monday, counts.get(monday, 0)))
        monday += timedelta(days=7)
    return weeks


def _agreement(scope: Scope) -> Agreement:
    """Compare each rated vote cast in scope with the rating its verdict was published with."""
    votes = (
        Vote.objects.filter(
            scope.during(),
            scope.tickets("revision__verdict__ticket__"),
            rating__isnull=False,
            revision__verdict__published_revision__isnull=False,
        )
        .order_by()
        .values(
            "revision_id",
            "rating_id",
            differs=Case(
                When(
                    rating_id=F("revision__verdict__published_revision__rating_id"),
                    then=Value(False),
                ),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
    )
    total = differing = 0
    units: dict[int, list[int]] = defaultdict(list)
    for row in votes:
        total += 1
        differing += row["differs"]
        units[row["revision_id"]].append(row["rating_id"])
    return Agreement(
        votes=total,
        differing=differing,
        share_differing=share(differing, total),
        alpha=krippendorff_alpha(units.values(), min_units=ALPHA_MIN_UNITS),
    )


def desk_figures(scope: Scope) -> Figures:
    """Return the desk's figures for `scope` in six queries, however many events there are."""
    intake = Ticket.objects.filter(scope.during(), scope.tickets()).aggregate(
        ingested=Count("id"), checkworthy=Count("id", filter=Q(claim__checkworthy=True))
    )
    decisions = _decision_counts(scope)

    def counted(condition) -> int:
        return sum(row["n"] for row in decisions if condition(row))

    dismissed = {reason.value: 0 for reason in DismissReason}
    for row in decisions:
        if row["action"] == "dismiss":
            dismissed[row["reason"]] = dismissed.get(row["reason"], 0) + row["n"]
    published_by_rating = Counter()
    for row in decisions:
        if row["action"] == "publish" and not row["is_correction"]:
            published_by_rating[row["rating_slug"]] += row["n"]

    published = first_publications(scope)
    timing = spreads(published)
    publications = _publication_counts(published)
    throughput = Counter()
    for row in publications:
        throughput[row["checker"] or "(unassigned)"] += row["n"]
    scale = list(Rating.objects.order_by("order", "id"))

    return Figures(
        scope=scope,
        ingested=intake["ingested"],
        checkworthy=intake["checkworthy"],
        # Triage accepted the claim: queued, or assigned to a fact-checker straight from new.
        queued=counted(
            lambda r: (
                r["action"] == "queue" or (r["action"] == "assign" and r["from_stage"] == Stage.NEW)
            )
        ),
        dismissed=dismissed,
        published=sum(published_by_rating.values()),
        corrections=counted(lambda r: r["action"] == "publish" and r["is_correction"]),
        retractions=counted(lambda r: r["action"] == "retract"),
        ingest_to_publication=timing.get(TOTAL, Spread(0, None, None)),
        stages=[
            StageTime(stage, timing[stage.value])
            for stage in PRE_PUBLICATION_STAGES
            if stage.value in timing
        ],
        with_due_date=sum(row["n"] for row in publications if row["has_due"]),
        published_late=sum(row["n"] for row in publications if row["late"]),
        throughput=sorted(throughput.items(), key=lambda item: (-item[1], item[0])),
        weekly=_weeks(scope, publications),
        ratings=[RatingCount(rating, published_by_rating.get(rating.slug, 0)) for rating in scale],
        agreement=_agreement(scope),
    )
