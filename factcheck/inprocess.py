"""Run background tasks and beat's due periodic jobs in a thread of the demo's web process.

Without a broker (the laptop demo) nothing runs `celery worker` or `celery beat`: this small
scheduler stands in for both, so a long piece is ingested off the request, a failed source is
retried when its time comes and a verdict is published when its embargo lifts. Production runs
the real worker and beat and never starts it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.schedules import crontab, schedule
from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

_runner: InProcessJobs | None = None


def enqueue(task, **kwargs) -> bool:
    """Run `task(**kwargs)` in the background: the in-process scheduler, or Celery.

    A broker that refuses the message is logged, never raised, and False returned: the row that
    asked for the job stays queued, its page says so, and its sweeper sends it again.
    """
    if _runner is not None and _runner.alive():
        _runner.submit(task, kwargs)
        return True
    try:
        task.delay(**kwargs)
    except Exception:
        logger.warning("could not run %s(%s) in the background", task.name, kwargs, exc_info=True)
        return False
    return True


def periodic_jobs_run_here() -> bool | None:
    """Return True when the in-process scheduler runs the periodic jobs, False when nothing
    does (no broker, no scheduler), None when `celery beat` is expected to run them."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    return _runner is not None and _runner.alive()


def start(*, tick: float = 1.0) -> InProcessJobs:
    """Start the scheduler once per process and return it."""
    global _runner
    if _runner is None or not _runner.alive():
        _runner = InProcessJobs(settings.CELERY_BEAT_SCHEDULE, tick=tick)
        _runner.start()
    return _runner


@dataclass
class _Entry:
    """One periodic job of beat's schedule and when it last ran here."""

    task: str
    every: schedule
    last_run: datetime | None = None


class InProcessJobs:
    """A daemon thread that runs submitted tasks, then any periodic job that is due."""

    def __init__(self, beat_schedule: dict[str, dict], *, tick: float = 1.0):
        self.tick = tick
        self.submitted: queue.Queue = queue.Queue()
        self.entries: list[_Entry] = []
        now = timezone.now()
        for entry in beat_schedule.values():
            every = entry["schedule"]
            if isinstance(every, int | float):
                # Interval jobs (sweepers, publication) are due at once, then every interval.
                self.entries.append(_Entry(entry["task"], schedule(timedelta(seconds=every))))
            elif isinstance(every, crontab):
                self.entries.append(_Entry(entry["task"], every, last_run=now))
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="inprocess-jobs", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def alive(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the job under way, then end the thread."""
        self._stopping.set()
        self._thread.join(timeout)

    def submit(self, task, kwargs: dict) -> None:
        self.submitted.put((task, kwargs))

    def _loop(self) -> None:
        from factcheck.celery import app

        # A worker imports every app's tasks module at start; do the same before looking any up.
        app.loader.import_default_modules()
        while not self._stopping.is_set():
            try:
                task, kwargs = self.submitted.get(timeout=self.tick)
            except queue.Empty:
                pass
            else:
                self._run(task, kwargs)
                continue
            for entry in self.entries:
                if entry.last_run is None or entry.every.is_due(entry.last_run).is_due:
                    entry.last_run = timezone.now()
                    task = app.tasks.get(entry.task)
                    if task is None:
                        logger.error("periodic job %s is not a registered task", entry.task)
                        continue
                    self._run(task, {})

    def _run(self, task, kwargs: dict) -> None:
        started = time.monotonic()
        try:
            task.apply(kwargs=kwargs, throw=True)
        except Exception:
            logger.exception("in-process job %s failed", task.name)
        finally:
            # This thread's own connections; the next job opens fresh ones.
            connections.close_all()
        logger.debug("in-process job %s took %.1fs", task.name, time.monotonic() - started)
