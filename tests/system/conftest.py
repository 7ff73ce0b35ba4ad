"""Start a private PostgreSQL and Redis and the Procfile's processes once for the system suite."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services
from tests.claims.httpserver import LocalServer
from tests.system.stack import REPO, Postgres, Redis, Stack, missing_binaries

# Short enough that the sweeper recovers lost work within a test, long enough for every fetch
# (the deadline) to finish inside its lease: the production relation, scaled down.
FAST_RECOVERY = {
    "FETCH_DEADLINE_SECONDS": "8",
    "FETCH_LEASE_SECONDS": "12",
    "FETCH_REQUEUE_SECONDS": "5",
    "FETCH_SWEEP_INTERVAL_SECONDS": "1",
    "FETCH_RETRY_BACKOFF_SECONDS": "0.5",
    "WEBHOOK_SWEEP_INTERVAL_SECONDS": "2",
    # A slow subscriber's POST may hang this long before it counts as failed.
    "WEBHOOK_TIMEOUT_SECONDS": "60",
    # Every test page is on one loopback host: spaced, but only just.
    "FETCH_HOST_INTERVAL_SECONDS": "0.01",
}
LOG_COPY = REPO / "var" / "system-logs"


@pytest.fixture(scope="session")
def system_root() -> Iterator[Path]:
    if problem := missing_binaries():
        services.skip_or_fail(problem)
    root = Path(tempfile.mkdtemp(prefix="factcheck-system-"))
    # The postgres user runs the private cluster inside it.
    root.chmod(0o755)
    yield root
    if LOG_COPY.parent.exists():
        shutil.rmtree(LOG_COPY, ignore_errors=True)
        LOG_COPY.mkdir()
        for log in root.glob("*.log"):
            shutil.copy(log, LOG_COPY / log.name)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(system_root) -> Iterator[Postgres]:
    server = Postgres(system_root).init().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis(system_root) -> Iterator[Redis]:
    server = Redis(system_root).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def origin() -> Iterator[LocalServer]:
    """The newsroom's sources and the webhook subscriber: one local server, routes per test."""
    local = LocalServer().start()
    yield local
    local.stop()


@pytest.fixture(scope="session")
def stack(system_root, postgres, redis, origin) -> Iterator[Stack]:
    """Run web, worker, fetcher and beat from the Procfile with production settings."""
    running = Stack(system_root, postgres, redis, FAST_RECOVERY).prepare()
    # The one test-only allowance: the fetcher may reach the local server's port on loopback.
    fetcher_env = {
        "FETCH_ALLOW_PRIVATE_NETWORKS": "1",
        "FETCH_ALLOWED_PORTS": str(origin.port),
    }
    try:
        running.start_all(env_for={"fetcher": fetcher_env})
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="session")
def desk(stack, origin) -> dict:
    """Create the people, keys and webhook subscription every scenario uses."""
    result = subprocess.run(
        [
            *(sys.executable, "-m", "tests.system.seed", "--editors", "50", "--read-keys", "2"),
            *("--webhook", origin.url("/webhook")),
        ],
        cwd=REPO,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(autouse=True)
def stack_restored(request):
    """After each scenario, bring back whatever it broke, so the next one starts whole."""
    yield
    if "stack" not in request.fixturenames:
        return
    stack: Stack = request.getfixturevalue("stack")
    if stack.postgres.process and not stack.postgres.process.alive():
        stack.postgres.start()
    if stack.redis.process and not stack.redis.process.alive():
        stack.redis.start()
    for name, process in list(stack.processes.items()):
        if not process.alive():
            stack.restart(name)
    stack.wait_ready()


class Gate:
    """Hold requests to a route until the test releases them; count them as they arrive."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.arrived = 0
        self._lock = threading.Lock()

    def hold(self, timeout: float = 120) -> None:
        with self._lock:
            self.arrived += 1
        self.released.wait(timeout)
