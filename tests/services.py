"""Tell whether the real services a test needs are configured and answering."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

REPO = Path(__file__).resolve().parent.parent


def services_required() -> bool:
    """Return whether a missing service must fail the run (CI) instead of skipping the test."""
    return os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")


def skip_or_fail(reason: str) -> None:
    """Skip the test with `reason` on a laptop; fail it when REQUIRE_SERVICES is set."""
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES is set but {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


def postgres_problem() -> str | None:
    if connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    return None


def redis_problem() -> str | None:
    url = broker_url()
    if not url.startswith("redis"):
        return "needs a Redis broker: set CELERY_BROKER_URL=redis://..."
    if not port_open(url, 6379):
        return f"the Redis broker at {url} does not answer"
    return None


class WorkerProcess:
    """A real `celery worker` subprocess bound to its own queue, started and stopped by a test."""

    def __init__(self, *, queues: list[str], pool: str = "solo", concurrency: int = 1, env=None):
        self.queues = queues
        self.pool = pool
        self.concurrency = concurrency
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self.log_path = REPO / "var" / f"worker-{uuid.uuid4().hex[:8]}.log"

    def start(self) -> "WorkerProcess":
        env = {**os.environ, **self.env}
        # A worker whose tasks touch the database must see the test database, not the real one.
        if connection.vendor == "postgresql":
            db = settings.DATABASES["default"]
            host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            env["DATABASE_URL"] = f"postgres://{db['USER']}@{host}/{db['NAME']}"
        env.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "factcheck",
                "worker",
                "-Q",
                ",".join(self.queues),
                "-P",
                self.pool,
                "-c",
                str(self.concurrency),
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "INFO",
            ],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early:\n{self.log()}")
            if b"ready." in self.log_path.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not become ready:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self, sig) -> None:
        """Send `sig` to the worker and every child it forked, then wait for it to go."""
        if self.process and self.process.poll() is None:
            subprocess.run(["pkill", f"-{int(sig)}", "-P", str(self.process.pid)], check=False)
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stop(self) -> None:
        import signal

        self.kill(signal.SIGTERM)
        if hasattr(self, "_log"):
            self._log.close()
