"""Nothing is lost: scheduling survives a dead broker and the sweeper re-queues what is due."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims.models import FetchAttempt, Source
from claims.services import sources_retry_failed, sources_schedule, sources_sweep
from claims.tasks import fetch_source
from tests.claims.sourcing import cite

pytestmark = pytest.mark.django_db

State = Source.State


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """Record the fetch messages published instead of sending them."""
    published: list[int] = []
    monkeypatch.setattr(
        fetch_source,
        "delay",
        lambda **kwargs: published.append(kwargs["source_id"]),
    )
    return published


@pytest.fixture
def broker_down(monkeypatch, settings) -> list[int]:
    """Make every publish fail as it does when Redis is unreachable; record the attempts."""
    # A broker that can be down is a configured broker, also on a laptop that runs tasks eagerly.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    attempts: list[int] = []

    def refuse(**kwargs):
        attempts.append(kwargs["source_id"])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(fetch_source, "delay", refuse)
    return attempts


def source_in(state: str, n: int, **fields) -> Source:
    source = cite(f"https://news.example/{state}/{n}")
    Source.objects.filter(pk=source.pk).update(state=state, **fields)
    return Source.objects.get(pk=source.pk)


def test_the_sweeper_queues_due_sources_that_no_worker_holds(sent):
    now = timezone.now()
    due = source_in(State.PENDING, 1, next_attempt_at=now - timedelta(seconds=1))
    source_in(State.PENDING, 2, next_attempt_at=now + timedelta(minutes=1))
    source_in(
        State.FETCHING,
        3,
        next_attempt_at=now + timedelta(minutes=1),
        lease_expires_at=now + timedelta(minutes=1),
    )
    source_in(State.FETCHED, 4)
    source_in(State.FAILED, 5)

    assert sources_sweep(now=now) == 1

    assert sent == [due.pk]
    due.refresh_from_db()
    assert due.next_attempt_at > now


def test_a_queued_source_is_not_queued_again_before_the_requeue_interval(sent, settings):
    now = timezone.now()
    due = source_in(State.PENDING, 1, next_attempt_at=now)

    sources_sweep(now=now)
    sources_sweep(now=now + timedelta(seconds=settings.FETCH_REQUEUE_SECONDS - 1))
    assert sent == [due.pk]

    sources_sweep(now=now + timedelta(seconds=settings.FETCH_REQUEUE_SECONDS + 1))
    assert sent == [due.pk, due.pk]


def test_a_fetch_whose_worker_died_is_taken_back_when_its_lease_expires(sent):
    now = timezone.now()
    lease = now - timedelta(seconds=1)
    dead = source_in(State.FETCHING, 1, attempts=1, lease_expires_at=lease, next_attempt_at=lease)
    FetchAttempt.objects.create(source=dead, started_at=now - timedelta(minutes=3))

    assert sources_sweep(now=now) == 1

    dead.refresh_from_db()
    assert dead.state == State.PENDING and dead.lease_expires_at is None
    assert "died" in dead.state_reason
    assert FetchAttempt.objects.get(source=dead).outcome == FetchAttempt.Outcome.ABANDONED
    assert sent == [dead.pk]


def test_a_source_that_kills_its_worker_every_time_fails_at_the_attempt_limit(sent, settings):
    now = timezone.now()
    lease = now - timedelta(seconds=1)
    dead = source_in(
        State.FETCHING,
        1,
        attempts=settings.FETCH_MAX_ATTEMPTS,
        lease_expires_at=lease,
        next_attempt_at=lease,
    )

    assert sources_sweep(now=now) == 0

    dead.refresh_from_db()
    assert dead.state == State.FAILED and dead.next_attempt_at is None
    assert sent == []


def test_scheduling_with_the_broker_down_neither_raises_nor_waits_on_every_source(
    broker_down, django_capture_on_commit_callbacks
):
    sources = [cite(f"https://news.example/{n}") for n in range(5)]

    with django_capture_on_commit_callbacks(execute=True):
        sources_schedule(source_ids=[s.pk for s in sources])

    # One refused batch, tried twice, is enough to know; the rest are left to the sweeper.
    assert broker_down == [sources[0].pk, sources[0].pk]
    now = timezone.now()
    for source in Source.objects.all():
        assert source.state == State.PENDING and source.next_attempt_at <= now


def test_sources_left_by_a_broker_outage_are_queued_by_the_next_sweep(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    refused: list[int] = []

    def refuse(**kwargs):
        refused.append(kwargs["source_id"])
        raise OperationalError("Connection refused.")

    monkeypatch.setattr(fetch_source, "delay", refuse)
    sources = [cite(f"https://news.example/{n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        sources_schedule(source_ids=[s.pk for s in sources])

    published: list[int] = []
    monkeypatch.setattr(
        fetch_source, "delay", lambda **kwargs: published.append(kwargs["source_id"])
    )
    assert sources_sweep() == 3
    assert sorted(published) == sorted(s.pk for s in sources)


def test_a_sweep_with_the_broker_down_leaves_the_sources_due(broker_down):
    now = timezone.now()
    due = [source_in(State.PENDING, n, next_attempt_at=now) for n in range(3)]

    assert sources_sweep(now=now) == 0

    assert len(broker_down) == 2  # the batch tried twice, not once per source
    for source in due:
        source.refresh_from_db()
        assert source.next_attempt_at <= timezone.now()


def test_retrying_failed_sources_starts_them_over(sent, django_capture_on_commit_callbacks):
    failed = source_in(State.FAILED, 1, attempts=5, state_reason="http_404: gone")
    blocked = source_in(State.BLOCKED, 2, attempts=1, state_reason="blocked: loopback")

    with django_capture_on_commit_callbacks(execute=True):
        assert sources_retry_failed() == 1

    failed.refresh_from_db()
    assert failed.state == State.PENDING and failed.attempts == 0 and failed.state_reason == ""
    assert Source.objects.get(pk=blocked.pk).state == State.BLOCKED
    assert sent == [failed.pk]
