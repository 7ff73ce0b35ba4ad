"""A claim matching lost in a broker outage is queued again by the sweeper, and completes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from reviews.models import ClaimMatch, MatchRun
from reviews.services.matching import claims_match_sweep
from reviews.tasks import match_claim, sweep_matching
from tests.reviews.matching_helpers import receive

pytestmark = pytest.mark.django_db

FIRST = (
    "Unemployment rose to 9 percent in Ohio last year. "
    "The harbour board met on a rainy Tuesday to discuss dredging."
)
REPEAT = "Critics say unemployment rose to 9 percent in Ohio last year."


def test_a_matching_the_broker_lost_is_queued_by_the_sweeper_and_completes(
    matching, monkeypatch, settings, django_capture_on_commit_callbacks
):
    first = receive(django_capture_on_commit_callbacks, FIRST, title="First piece")
    # A broker that can be down is a configured broker: tasks are not run in-process.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    refused: list[int] = []

    def broker_down(**kwargs):
        refused.append(kwargs["claim_id"])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(match_claim, "delay", broker_down)
    second = receive(django_capture_on_commit_callbacks, REPEAT, title="Second piece")
    (repeat,) = second.claims.all()
    assert refused == [repeat.pk, repeat.pk]  # tried twice, then left to the sweeper
    assert not MatchRun.objects.filter(claim=repeat).exists()

    # The broker is back; beat runs the sweeper, whose job runs on a worker (here, in-process).
    monkeypatch.setattr(match_claim, "delay", lambda **kwargs: match_claim.apply(kwargs=kwargs))
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reviews.sweep_matching" in beat
    assert sweep_matching.apply().get() == 1

    top = ClaimMatch.objects.filter(run__claim=repeat).order_by("rank").first()
    original = first.claims.get(text__startswith="Unemployment")
    assert (top.kind, top.matched_claim_id, top.level) == ("ticket", original.pk, "confirmed")
    repeat.refresh_from_db()
    assert repeat.match_due_at is None
    assert sweep_matching.apply().get() == 0  # nothing is owed any more


def test_a_queued_matching_is_queued_again_only_after_the_requeue_interval(
    matching, monkeypatch, settings, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    # The message waits in the queue behind a large piece: no worker has run it yet.
    monkeypatch.setattr(match_claim, "delay", lambda **kwargs: queued.append(kwargs["claim_id"]))
    piece = receive(django_capture_on_commit_callbacks, REPEAT, title="A piece")
    (claim,) = piece.claims.all()
    assert queued == [claim.pk]

    now = timezone.now()
    assert claims_match_sweep(now=now) == 0
    later = now + timedelta(seconds=settings.MATCHING_REQUEUE_SECONDS + 1)
    assert claims_match_sweep(now=later) == 1
    assert queued == [claim.pk, claim.pk]
    assert claims_match_sweep(now=later) == 0


def test_with_matching_off_the_sweeper_queues_nothing(
    matching, monkeypatch, settings, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(match_claim, "delay", lambda **kwargs: queued.append(kwargs["claim_id"]))
    receive(django_capture_on_commit_callbacks, REPEAT, title="A piece")
    settings.MATCHING_ENABLED = False

    later = timezone.now() + timedelta(seconds=settings.MATCHING_REQUEUE_SECONDS + 1)
    assert claims_match_sweep(now=later) == 0
    assert len(queued) == 1
