"""One router, one enqueue loop and one backoff serve every background job."""

import random
import uuid

import pytest

from claims.tasks import fetch_source
from factcheck.celery import app
from factcheck.queueing import backoff_seconds, delay_each


@pytest.mark.parametrize(
    "task", ["claims.fetch_source", "claims.recheck_source", "reviews.deliver_webhook"]
)
def test_network_bound_tasks_go_to_the_fetch_queue_named_when_they_are_sent(settings, task):
    settings.FETCH_QUEUE = "fetch-elsewhere"

    routed = app.amqp.router.route({}, task, (), {})

    assert routed["queue"].name == "fetch-elsewhere"


def test_other_tasks_stay_on_the_default_queue(settings):
    settings.FETCH_QUEUE = "fetch-elsewhere"

    routed = app.amqp.router.route({}, "reviews.send_notification", (), {})

    assert routed["queue"].name != "fetch-elsewhere"


def test_backoff_doubles_from_the_base_up_to_the_cap():
    waits = [backoff_seconds(n, base=30, cap=100) for n in (1, 2, 3, 4)]

    assert waits == [30, 60, 100, 100]


def test_jittered_backoff_keeps_half_the_wait_and_spreads_the_rest():
    random.seed(12)
    waits = [backoff_seconds(3, base=30, cap=1000, jitter=True) for _ in range(200)]

    assert all(60 <= wait <= 120 for wait in waits)
    assert len({round(wait, 3) for wait in waits}) > 100


class Task:
    def __init__(self, fail_from: int | None):
        self.fail_from = fail_from
        self.sent: list[int] = []

    def delay(self, *, row_id: int) -> None:
        if self.fail_from is not None and row_id >= self.fail_from:
            raise ConnectionError("Connection refused.")
        self.sent.append(row_id)


def test_queueing_tries_the_batch_twice_then_returns_every_id(settings):
    # The messages go to the broker together: after a failure none is known to be sent. The
    # batch is tried once more (a connection the broker closed), never once per row.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    task = Task(fail_from=3)

    unsent = delay_each(task, key="row_id", ids=[1, 2, 3, 4, 5], what="row(s)")

    assert task.sent == [1, 2, 1, 2]
    assert unsent == [1, 2, 3, 4, 5]


@pytest.mark.redis
def test_a_batch_reaches_the_queue_whole_in_one_round_trip(settings, monkeypatch):
    import json

    import redis
    from redis.connection import AbstractConnection

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.FETCH_QUEUE = queue = f"test-batch-{uuid.uuid4().hex[:8]}"
    delay_each(fetch_source, key="source_id", ids=[0], what="source(s)")  # connect first
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(queue)
    sends = []
    send = AbstractConnection.send_packed_command

    def counted(connection, command, check_health=True):
        sends.append(command)
        return send(connection, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    try:
        unsent = delay_each(fetch_source, key="source_id", ids=range(1, 26), what="source(s)")
        monkeypatch.undo()
        messages = [json.loads(m) for m in client.lrange(queue, 0, -1)]
    finally:
        client.delete(queue)

    assert unsent == []
    assert len(sends) == 1
    assert sorted(m["headers"]["kwargsrepr"] for m in messages) == sorted(
        repr({"source_id": pk}) for pk in range(1, 26)
    )


def test_in_process_one_failing_job_does_not_stop_the_others(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    task = Task(fail_from=2)

    unsent = delay_each(task, key="row_id", ids=[1, 2, 3], what="row(s)")

    # Row 3 fails too (fail_from=2), yet each was tried: a bug in one job is not an outage.
    assert task.sent == [1]
    assert unsent == []


def test_in_process_every_job_runs_after_a_failing_one(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    tried: list[int] = []

    class Flaky:
        def delay(self, *, row_id: int) -> None:
            tried.append(row_id)
            if row_id == 2:
                raise ValueError("a bug in one job")

    delay_each(Flaky(), key="row_id", ids=[1, 2, 3], what="row(s)")

    assert tried == [1, 2, 3]
