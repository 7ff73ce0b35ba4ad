"""Hand jobs to Celery: route network-bound tasks, queue saved rows, and space out retries."""

import logging
import random
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import timedelta

import celery
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

logger = logging.getLogger(__name__)


def route(name, args, kwargs, options, task=None, **kw) -> dict | None:
    """Send the tasks named in FETCH_QUEUE_TASKS to FETCH_QUEUE, read when each message is sent.

    Celery's router (CELERY_TASK_ROUTES names this function): the one place the fetch queue is
    chosen, so tests and operators redirect it by setting FETCH_QUEUE alone.
    """
    if name in settings.FETCH_QUEUE_TASKS:
        return {"queue": settings.FETCH_QUEUE}
    return None


# The producer whose publish batch the current thread's messages join (see `together`).
_batching = threading.local()


class Task(celery.Task):
    """The app's task class: a message sent inside `together()` joins that publish batch.

    `.delay()` stays the one way code (and tests' in-process stand-ins) send a job; only where
    the message goes changes.
    """

    def apply_async(self, args=None, kwargs=None, task_id=None, producer=None, **options):
        producer = producer or getattr(_batching, "producer", None)
        return super().apply_async(args, kwargs, task_id, producer, **options)


@contextmanager
def together():
    """Send the messages published in this block to the broker at once, when it ends.

    kombu's publish batch: one Redis pipeline for all the messages and their "sent" events
    instead of two round trips each. An exception, in the block or from the broker, means
    none of them is known to be sent.
    """
    if getattr(_batching, "producer", None) is not None:
        yield  # already inside a batch: the outer one sends
        return
    with celery.current_app.producer_or_acquire() as producer, producer.batch():
        _batching.producer = producer
        try:
            yield
        finally:
            _batching.producer = None


def delay_each(task, *, key: str, ids: Iterable[int], what: str) -> list[int]:
    """Queue `task(**{key: pk})` for each id in one publish; return the ids not queued.

    The rows are the record and a sweeper re-sends what is still pending, so a broker outage
    costs nothing but time: a publish that fails twice returns every id (a batch that fails
    may have been delivered in part; the tasks tolerate a second message for a row), rather
    than the publish retry policy once per row while the request waits. In-process (no broker,
    tasks run eagerly) a task that fails is logged and the others still run.
    """
    ids = list(ids)
    if not ids:
        return []
    if settings.CELERY_TASK_ALWAYS_EAGER:
        for pk in ids:
            try:
                task.delay(**{key: pk})
            except Exception:
                logger.exception("%s %s failed in-process", what, pk)
        return []
    # A second attempt covers a pooled connection the broker closed (a Redis restart), which
    # kombu's per-message publish used to retry; a batch is never retried once per row.
    for attempt in (1, 2):
        try:
            with together():
                for pk in ids:
                    task.delay(**{key: pk})
        except Exception:
            if attempt == 2:
                logger.warning(
                    "%d %s not queued now; they stay pending", len(ids), what, exc_info=True
                )
        else:
            return []
    return ids


# Ids per UPDATE ... WHERE id IN (...): SQLite (the demo) refuses a statement of over 32,766
# parameters, and a piece may bring more claims than that.
ID_BATCH = 1000


def delay_each_or_due(
    task, *, key: str, ids: Iterable[int], what: str, rows: QuerySet, due_field: str, now=None
) -> int:
    """Queue `task` for each id (see delay_each); make the rows not queued due `now`.

    `rows` are the records that say a job is owed, `due_field` when the sweeper next queues
    one: a row the broker refused is due at once, so the first sweep after the outage sends it.
    Return how many were queued.
    """
    ids = list(ids)
    unsent = delay_each(task, key=key, ids=ids, what=what)
    due = {due_field: now or timezone.now()}
    for start in range(0, len(unsent), ID_BATCH):
        rows.filter(pk__in=unsent[start : start + ID_BATCH]).update(**due)
    return len(ids) - len(unsent)


def requeue_due(
    rows: QuerySet,
    *,
    due_field: str,
    task,
    key: str,
    what: str,
    again_after: float,
    now=None,
    limit: int = 1000,
) -> int:
    """Queue `task` for the rows whose `due_field` time has come; return how many were queued.

    The sweepers' one loop, for jobs whose message a broker outage (or a Redis restarted empty)
    may have lost: the row is the record. Each row queued is due again only `again_after`
    seconds later, so a long queue is not flooded with duplicates; a duplicate that arrives
    anyway finds the job done (the tasks are idempotent).
    """
    now = now or timezone.now()
    due = list(
        rows.filter(**{f"{due_field}__lte": now})
        .order_by(due_field, "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not due:
        return 0
    rows.filter(pk__in=due).update(**{due_field: now + timedelta(seconds=again_after)})
    return delay_each_or_due(
        task, key=key, ids=due, what=what, rows=rows, due_field=due_field, now=now
    )


def backoff_seconds(attempt: int, *, base: float, cap: float, jitter: bool = False) -> float:
    """Return how long to wait after the `attempt`-th failed try: doubling from `base` to `cap`.

    With `jitter`, half the wait is fixed and half random ("equal jitter"), so the retries of
    one outage spread out instead of arriving together.
    """
    wait = min(cap, base * 2 ** max(attempt - 1, 0))
    if jitter:
        return wait / 2 + random.uniform(0, wait / 2)  # noqa: S311 - not cryptographic
    return wait
