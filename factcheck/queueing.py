"""Hand jobs to Celery: route network-bound tasks, queue saved rows, and space out retries."""

import logging
import random
from collections.abc import Iterable

from django.conf import settings

logger = logging.getLogger(__name__)


def route(name, args, kwargs, options, task=None, **kw) -> dict | None:
    """Send the tasks named in FETCH_QUEUE_TASKS to FETCH_QUEUE, read when each message is sent.

    Celery's router (CELERY_TASK_ROUTES names this function): the one place the fetch queue is
    chosen, so tests and operators redirect it by setting FETCH_QUEUE alone.
    """
    if name in settings.FETCH_QUEUE_TASKS:
        return {"queue": settings.FETCH_QUEUE}
    return None


def delay_each(task, *, key: str, ids: Iterable[int], what: str) -> list[int]:
    """Queue `task(**{key: pk})` for each id until the broker fails; return the ids not queued.

    The rows are the record and a sweeper re-sends what is still pending, so a broker outage
    costs nothing but time: stop at the first failure rather than pay the publish retry policy
    once per row while the request waits. In-process (no broker, tasks run eagerly) a task that
    fails is logged and the others still run.
    """
    ids = list(ids)
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    for sent, pk in enumerate(ids):
        try:
            task.delay(**{key: pk})
        except Exception:
            if eager:
                logger.exception("%s %s failed in-process", what, pk)
                continue
            unsent = ids[sent:]
            logger.warning(
                "%d %s not queued now; they stay pending", len(unsent), what, exc_info=True
            )
            return unsent
    return []


def backoff_seconds(attempt: int, *, base: float, cap: float, jitter: bool = False) -> float:
    """Return how long to wait after the `attempt`-th failed try: doubling from `base` to `cap`.

    With `jitter`, half the wait is fixed and half random ("equal jitter"), so the retries of
    one outage spread out instead of arriving together.
    """
    wait = min(cap, base * 2 ** max(attempt - 1, 0))
    if jitter:
        return wait / 2 + random.uniform(0, wait / 2)  # noqa: S311 - not cryptographic
    return wait
