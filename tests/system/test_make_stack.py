"""`make stack` starts the Procfile's processes with production settings and answers /healthz."""

import os
import signal
import subprocess

import httpx
import pytest

from tests.system.stack import REPO, free_port, wait_until

pytestmark = pytest.mark.system


def test_make_stack_starts_every_process_and_answers_healthz(postgres, redis, system_root):
    postgres.create_database("factcheck_make")
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "FETCH_", "API_")) and key != "DATABASE_URL"
    }
    env.update(
        DATABASE_URL=postgres.url("factcheck_make"),
        CELERY_BROKER_URL=redis.url(5),
        WEB_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        WORKER_CONCURRENCY="1",
        FETCH_CONCURRENCY="2",
        STATIC_ROOT=str(system_root / "make-static"),
        BEAT_SCHEDULE=str(system_root / "make-beat-schedule"),
    )
    log = (system_root / "make-stack.log").open("wb")
    make = subprocess.Popen(
        ["make", "stack"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def healthz():
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        except httpx.HTTPError:
            return None

    try:
        response = wait_until(
            lambda: (r := healthz()) is not None and r.status_code == 200 and r,
            timeout=180,
            what="make stack to answer /healthz",
        )
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
        static = httpx.get(f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=5)
        assert static.status_code == 200

        def started() -> bool:
            output = (system_root / "make-stack.log").read_text(errors="replace")
            names = ("web.1", "worker.1", "fetcher.1", "beat.1")
            # Both workers log "<name>@<host> ready." once they consume from Redis.
            return all(name in output for name in names) and output.count(" ready.") >= 2

        wait_until(started, timeout=120, what="honcho to start every Procfile process")
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=60)
        log.close()
    assert make.poll() is not None
