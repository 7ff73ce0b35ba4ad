"""Share fixtures across the suite: real-service markers and worker processes."""

import pytest

from tests import services
from tests.reviews.matching_helpers import matching  # noqa: F401  (a fixture for any test)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and (problem := services.postgres_problem()):
        services.skip_or_fail(problem)
    if (item.get_closest_marker("redis") or item.get_closest_marker("worker")) and (
        problem := services.redis_problem()
    ):
        services.skip_or_fail(problem)


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
