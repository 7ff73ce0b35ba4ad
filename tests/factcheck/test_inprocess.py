"""Without a broker, the demo's in-process scheduler runs background tasks and due periodic jobs."""

import threading

import pytest
from celery import shared_task

from factcheck import inprocess

RAN: dict[str, threading.Event] = {}


@shared_task(name="tests.inprocess_mark")
def mark(*, key: str = "periodic") -> str:
    RAN.setdefault(key, threading.Event()).set()
    return key


@pytest.fixture
def runner(monkeypatch, settings):
    RAN.clear()
    settings.CELERY_TASK_ALWAYS_EAGER = True  # no broker: the demo's case
    jobs = inprocess.InProcessJobs(
        {
            "mark": {"task": "tests.inprocess_mark", "schedule": 3600.0},
        },
        tick=0.05,
    )
    monkeypatch.setattr(inprocess, "_runner", jobs)
    jobs.start()
    yield jobs
    jobs.stop()
    assert not jobs.alive()


def test_an_interval_job_is_due_at_once_and_runs_in_the_background(runner):
    assert RAN.setdefault("periodic", threading.Event()).wait(10)
    assert inprocess.periodic_jobs_run_here() is True


def test_an_enqueued_task_runs_in_the_scheduler_thread_not_the_callers(runner):
    caller = threading.current_thread()
    seen = {}

    class Task:
        name = "tests.where"

        def apply(self, *, kwargs, throw):
            seen["thread"] = threading.current_thread()
            RAN.setdefault("enqueued", threading.Event()).set()

    inprocess.enqueue(Task(), key="x")
    assert RAN.setdefault("enqueued", threading.Event()).wait(10)
    assert seen["thread"] is not caller and seen["thread"].name == "inprocess-jobs"


def test_a_failing_job_does_not_stop_the_scheduler(runner):
    class Boom:
        name = "tests.boom"

        def apply(self, *, kwargs, throw):
            raise RuntimeError("boom")

    inprocess.enqueue(Boom())
    inprocess.enqueue(mark, key="after")
    assert RAN.setdefault("after", threading.Event()).wait(10)
    assert runner.alive()


def test_without_broker_or_scheduler_the_periodic_jobs_do_not_run(monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(inprocess, "_runner", None)
    assert inprocess.periodic_jobs_run_here() is False


def test_with_a_broker_beat_runs_them(settings, monkeypatch):
    monkeypatch.setattr(inprocess, "_runner", None)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    assert inprocess.periodic_jobs_run_here() is None
