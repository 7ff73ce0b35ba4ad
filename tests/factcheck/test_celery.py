"""Tasks run in-process without a broker, and through a real worker on Redis with one."""

import uuid

import pytest

from factcheck.celery import ping
from tests.factcheck.test_settings import PRODUCTION_ENV, run_python


def test_a_task_runs_in_process_when_no_broker_is_set():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from factcheck.celery import ping; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, ping.delay().get())"
    )
    result = run_python(code, PRODUCTION_ENV, drop=("CELERY_BROKER_URL",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "pong"]


@pytest.mark.worker
def test_a_task_round_trips_through_a_real_worker_on_redis(celery_worker_process):
    queue = f"test-ping-{uuid.uuid4().hex[:8]}"
    celery_worker_process(queues=[queue])
    result = ping.apply_async(queue=queue)
    assert result.get(timeout=30) == "pong"
