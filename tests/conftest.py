"""Share fixtures across the suite: real-service markers and worker processes."""

import pytest
from hypothesis import settings as hypothesis_settings

from tests import services
from tests.reviews.matching_helpers import matching  # noqa: F401  (a fixture for any test)

# Property-based tests draw the same examples on every run, so CI is deterministic; `make
# test-random` (--hypothesis-profile=random) explores fresh ones and more of them. Never a
# deadline: timings belong in bench/, not in tests on a shared machine.
hypothesis_settings.register_profile("default", derandomize=True, database=None, deadline=None)
hypothesis_settings.register_profile(
    "random", derandomize=False, database=None, deadline=None, max_examples=500
)
hypothesis_settings.load_profile("default")


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and (problem := services.postgres_problem()):
        services.skip_or_fail(problem)
    if (item.get_closest_marker("redis") or item.get_closest_marker("worker")) and (
        problem := services.redis_problem()
    ):
        services.skip_or_fail(problem)


@pytest.fixture(autouse=True)
def _empty_caches():
    """Start every test with empty caches: a kept API body must never outlive its test's rows.

    The process's claim matcher too: a rolled-back test's ids are reused by the next test.
    """
    from django.core.cache import caches

    from reviews.services.matching import MATCHER_CACHE

    for cache in caches.all():
        cache.clear()
    MATCHER_CACHE.clear()


@pytest.fixture
def celery_worker_process():
    """Start real Celery worker subprocesses on demand; stop them all after the test."""
    started: list[services.WorkerProcess] = []

    def start(**kwargs) -> services.WorkerProcess:
        worker = services.WorkerProcess(**kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
