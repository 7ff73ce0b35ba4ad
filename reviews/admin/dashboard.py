"""The desk's landing page in the admin: work by stage, my queue, overdue, published, failing."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.http import urlencode

from factcheck.inprocess import periodic_jobs_run_here
from reviews import selectors, workflow
from reviews.workflow import Stage

# Rows each list shows; the heading's link opens the full list.
ROWS = 8
# Each list's total is counted up to this many (then shown as "1000+"), whatever the desk's size.
TOTAL_CAP = 1000


@dataclass
class StageCount:
    stage: Stage
    count: int
    url: str
    # True: PostgreSQL's estimate for a stage holding many tickets (the archive's).
    estimated: bool = False


@dataclass
class Dashboard:
    """What the landing page shows, each list read once with its joins."""

    stages: list[StageCount]
    my_queue: list
    my_queue_total: int
    # Only for those who vote on verdicts (editors); None hides the panel.
    to_review: list | None
    to_review_total: int
    overdue: list
    overdue_total: int
    published: list
    failing: list
    failing_total: int
    links: dict[str, str] = field(default_factory=dict)
    # True: the in-process scheduler runs them; False: nothing does; None: celery beat does.
    periodic_jobs: bool | None = None
    total_cap: int = TOTAL_CAP


def _tickets_url(**params) -> str:
    return reverse("admin:reviews_ticket_changelist") + "?" + urlencode(params)


def _total(rows) -> int:
    """Return how many `rows` there are, counting no further than one past TOTAL_CAP."""
    return rows.order_by()[: TOTAL_CAP + 1].count()


def dashboard(user) -> Dashboard:
    """Return the dashboard for `user` in a number of queries that does not grow with the desk."""
    counts, estimated = selectors.ticket_stage_counts()
    my_queue = selectors.tickets_my_queue(user=user)
    overdue = selectors.tickets_overdue()
    failing = selectors.sources_failing()
    votes = user.has_perm(workflow.VOTE)
    to_review = selectors.tickets_awaiting_vote(user=user) if votes else None
    return Dashboard(
        stages=[
            StageCount(
                stage,
                counts.get(stage.value, 0),
                _tickets_url(stage__exact=stage.value),
                estimated=stage.value in estimated,
            )
            for stage in Stage
        ],
        my_queue=list(my_queue[:ROWS]),
        my_queue_total=_total(my_queue),
        to_review=list(to_review[:ROWS]) if votes else None,
        to_review_total=_total(to_review) if votes else 0,
        overdue=list(overdue[:ROWS]),
        overdue_total=_total(overdue),
        published=selectors.verdicts_recently_changed(limit=ROWS),
        failing=list(failing[:ROWS]),
        failing_total=_total(failing),
        periodic_jobs=periodic_jobs_run_here(),
        links={
            "my_queue": _tickets_url(work="mine"),
            "overdue": _tickets_url(work="overdue"),
            "to_review": _tickets_url(stage__exact=Stage.IN_REVIEW.value),
            "published": _tickets_url(stage__exact=Stage.PUBLISHED.value),
            "failing": reverse("admin:claims_source_changelist") + "?problem=failing",
        },
    )
