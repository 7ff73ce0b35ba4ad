"""The desk's figures, computed on a fixture desk whose answers are known by hand."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews import services
from reviews.analytics import Scope, desk_figures, year_scope
from reviews.analytics.stats import krippendorff_alpha, quantile
from reviews.models import Rating
from reviews.workflow import Stage
from tests.reviews import analytics_desk
from tests.reviews.factories import rating, ticket_in

HOUR = 3600.0


@pytest.fixture
def desk(db):
    return analytics_desk.build()


def stage_spreads(figures) -> dict:
    return {
        item.stage.value: (item.spread.count, item.spread.median / HOUR, item.spread.p90 / HOUR)
        for item in figures.stages
    }


def test_quantiles_interpolate_between_closest_ranks():
    values = [10, 20, 30, 40, 50, 60, 100]
    assert quantile(values, 0.5) == 40
    # Position (7 - 1) * 0.9 = 5.4: 60 + 0.4 * (100 - 60).
    assert quantile(values, 0.9) == pytest.approx(76)
    assert quantile([5], 0.9) == 5
    assert quantile([], 0.5) is None
    assert quantile([1, 2, 3, 4], 0.5) == 2.5


def test_the_year_counts_what_came_in_and_what_triage_decided(desk):
    figures = desk_figures(year_scope(2025))
    # 7 published, 3 dismissed, 1 queued, 1 not check-worthy; the 2024 claim is left out.
    assert figures.ingested == 12
    assert figures.checkworthy == 11
    assert figures.queued == 8
    assert figures.dismissed == {
        "opinion": 2,
        "not_checkable": 0,
        "duplicate": 1,
        "out_of_scope": 0,
    }
    assert figures.dismissed_total == 3


def test_publications_corrections_and_retractions_and_their_shares(desk):
    figures = desk_figures(year_scope(2025))
    assert figures.published == 7
    assert figures.corrections == 1
    assert figures.retractions == 1
    assert figures.correction_share == pytest.approx(1 / 7)
    assert figures.retraction_share == pytest.approx(1 / 7)


def test_time_from_ingest_to_publication_has_the_hand_computed_median_and_p90(desk):
    spread = desk_figures(year_scope(2025)).ingest_to_publication
    assert spread.count == 7
    assert spread.median / HOUR == pytest.approx(40)
    assert spread.p90 / HOUR == pytest.approx(76)


def test_time_in_each_stage_until_publication(desk):
    spreads = stage_spreads(desk_figures(year_scope(2025)))
    assert list(spreads) == [
        "new",
        "queued",
        "researching",
        "in_review",
        "changes_requested",
        "approved",
    ]
    assert spreads["new"] == (7, pytest.approx(1), pytest.approx(1))
    assert spreads["queued"] == (7, pytest.approx(2), pytest.approx(2))
    # Researching: 3, 13, 23, 33, 43, 53 h, and 47 h for the claim sent back once.
    assert spreads["researching"] == (7, pytest.approx(33), pytest.approx(49.4))
    # In review: 3 h each, 2 + 39 h for the claim sent back.
    assert spreads["in_review"] == (7, pytest.approx(3), pytest.approx(18.2))
    assert spreads["changes_requested"] == (1, pytest.approx(8), pytest.approx(8))
    assert spreads["approved"] == (7, pytest.approx(1), pytest.approx(1))


def test_overdue_rate_is_the_share_published_after_the_due_date(desk):
    figures = desk_figures(year_scope(2025))
    # Due 48 h after opening: the claims published at 50, 60 and 100 h were late.
    assert (figures.with_due_date, figures.published_late) == (7, 3)
    assert figures.overdue_rate == pytest.approx(3 / 7)


def test_throughput_per_fact_checker_and_per_week(desk):
    figures = desk_figures(year_scope(2025))
    assert figures.throughput == [("alice", 4), ("bob", 3)]
    weekly = dict(figures.weekly)
    assert len(figures.weekly) == 53
    assert weekly[date(2025, 3, 3)] == 5
    assert weekly[date(2025, 3, 10)] == 2
    assert sum(weekly.values()) == 7


def test_rating_distribution_follows_the_scale(desk):
    ratings = desk_figures(year_scope(2025)).ratings
    counts = {item.rating.slug: item.count for item in ratings}
    assert counts == {
        "true": 2,
        "mostly-true": 0,
        "half-true": 0,
        "mostly-false": 1,
        "false": 4,
        "misleading": 0,
        "unverifiable": 0,
    }
    assert [item.rating.slug for item in ratings] == list(
        Rating.objects.order_by("order", "id").values_list("slug", flat=True)
    )


def test_panel_agreement_and_krippendorffs_alpha(desk):
    agreement = desk_figures(year_scope(2025)).agreement
    # Two editors rated each of the 7 published revisions; the rejection carried no rating.
    assert agreement.votes == 14
    assert agreement.differing == 2
    assert agreement.share_differing == pytest.approx(2 / 14)
    # Nominal alpha by hand: Do = 4/14, De = (14² − (8² + 5² + 1²)) / (14 · 13) → 1 − Do/De.
    assert agreement.alpha.units == 7
    assert agreement.alpha.value == pytest.approx(27 / 53)


def test_alpha_is_not_stated_without_enough_rated_revisions():
    few = krippendorff_alpha([["a", "b"], ["a"]], min_units=2)
    assert few.value is None and few.units == 1 and "needs 2" in few.reason
    same = krippendorff_alpha([["a", "a"], ["a", "a"]], min_units=2)
    assert same.value is None and "same rating" in same.reason
    perfect = krippendorff_alpha([["a", "a"], ["b", "b"]], min_units=2)
    assert perfect.value == pytest.approx(1.0)


def test_figures_narrow_to_a_fact_checker_a_claimant_and_a_publication(desk):
    year = year_scope(2025)
    for_bob = desk_figures(Scope(year.start, year.end, fact_checker=desk.bob.pk))
    assert for_bob.published == 3 and for_bob.throughput == [("bob", 3)]
    assert for_bob.ingest_to_publication.median / HOUR == pytest.approx(60)
    # Claims 0, 2, 4, 6 are by "Columnist 0".
    by_claimant = desk_figures(Scope(year.start, year.end, claimant="Columnist 0"))
    assert by_claimant.published == 4 and by_claimant.ingested == 4
    elsewhere = desk_figures(Scope(year.start, year.end, publication="Another Paper"))
    assert (elsewhere.ingested, elsewhere.published, elsewhere.ingest_to_publication.count) == (
        0,
        0,
        0,
    )
    assert elsewhere.correction_share is None and elsewhere.overdue_rate is None


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="must end after"):
        Scope(datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


def test_the_figures_take_the_same_queries_however_busy_the_desk(desk):
    scope = year_scope(2025)
    with CaptureQueriesContext(connection) as busy:
        desk_figures(scope)
    with CaptureQueriesContext(connection) as quiet:
        desk_figures(year_scope(2019))
    assert len(busy) == len(quiet)
    # Six reads: intake, decisions, stage durations, first publications, the rating scale and
    # the votes; on PostgreSQL the duration query also sets its memory in a savepoint.
    reads = [q for q in busy.captured_queries if q["sql"].lstrip().startswith(("SELECT", "WITH"))]
    assert len(reads) == 6


@pytest.mark.django_db
def test_the_workflow_services_leave_a_trail_the_figures_read(editor, editor2):
    """The real services, not a hand-written trail: queue, draft, submit, vote, publish."""
    ticket = ticket_in(Stage.NEW)
    checker = analytics_desk.new_fact_checker(username="walker")
    services.ticket_queue(ticket=ticket, by=editor)
    services.ticket_take(ticket=ticket, by=checker)
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("half-true"),
        summary="S.",
        explanation="E.",
        short_claim="Council spent 4 million",
    )
    services.verdict_submit(ticket=ticket, by=checker)
    services.vote_cast(ticket=ticket, by=editor, approve=True, rating=rating("false"))
    services.verdict_publish(ticket=ticket, by=editor2)
    now = datetime.now(UTC)
    figures = desk_figures(year_scope(now.year))
    assert (figures.ingested, figures.queued, figures.published) == (1, 1, 1)
    assert {item.rating.slug: item.count for item in figures.ratings}["half-true"] == 1
    assert figures.throughput == [("walker", 1)]
    assert figures.agreement.votes == 1 and figures.agreement.differing == 1
    assert [item.stage for item in figures.stages] == [
        Stage.NEW,
        Stage.QUEUED,
        Stage.RESEARCHING,
        Stage.IN_REVIEW,
        Stage.APPROVED,
    ]
