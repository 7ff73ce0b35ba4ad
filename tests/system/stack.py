"""Run the production processes on a private PostgreSQL and Redis, and break them on purpose."""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate: Callable[[], object], *, timeout: float, what: str, every=0.2):
    """Poll `predicate` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


def missing_binaries() -> str | None:
    """Name what this machine lacks to run a private PostgreSQL and Redis, or return None."""
    if not shutil.which("redis-server"):
        return "the system suite needs redis-server on PATH"
    if postgres_bin("initdb") is None:
        return "the system suite needs PostgreSQL's initdb and postgres binaries"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, the system suite needs a 'postgres' user for initdb"
    return None


def postgres_bin(name: str) -> str | None:
    """Return the path of a PostgreSQL server binary (Debian keeps them off PATH)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    return str(candidates[0]) if candidates else None


class Process:
    """One long-running subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path, user=None):
        self.name, self.argv, self.env, self.user = name, argv, env, user
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        # Appending keeps what the previous run of this process said, for failure reports.
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.argv,
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            user=self.user,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def send(self, sig: int) -> None:
        """Send `sig` to the process and everything it forked (a deploy tool does the same)."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, sig)

    def wait(self, timeout: float) -> int:
        return self.popen.wait(timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
        """Stop the process with `sig`, killing it if it has not gone after `timeout` seconds."""
        if not self.alive():
            return
        self.send(sig)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            self.popen.wait(timeout=10)

    def log(self, tail: int = 6000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def log_contains(self, text: str) -> bool:
        return self.log_path.exists() and text in self.log_path.read_text(errors="replace")


class Postgres:
    """A throwaway PostgreSQL cluster in a temporary directory, on a port of its own."""

    def __init__(self, root: Path):
        self.dir = root / "pgdata"
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.process: Process | None = None

    def init(self) -> Postgres:
        self.dir.mkdir(parents=True)
        if self.user:
            shutil.chown(self.dir, self.user, self.user)
        subprocess.run(
            [postgres_bin("initdb"), "-D", str(self.dir), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
            user=self.user,
            cwd="/",
        )
        return self

    def start(self) -> Postgres:
        argv = [postgres_bin("postgres"), "-D", str(self.dir), "-p", str(self.port)]
        argv += ["-k", str(self.dir), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]
        argv += ["-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        argv += ["-c", "max_connections=200"]
        env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
        self.process = Process(
            "postgres", argv, env=env, log_dir=self.dir.parent, user=self.user
        ).start()
        wait_until(self.answers, timeout=60, what="the private PostgreSQL to accept connections")
        return self

    def stop(self) -> None:
        """Shut down fast: open sessions are cut off, as in a restart or a failover."""
        if self.process:
            self.process.stop(signal.SIGINT)

    def answers(self) -> bool:
        try:
            with psycopg.connect(self.url("postgres"), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def url(self, name: str = "factcheck") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


class Redis:
    """A throwaway Redis without persistence: a restart brings it back empty."""

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.process: Process | None = None

    def start(self) -> Redis:
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = Process(
            "redis", argv, env={"PATH": os.environ.get("PATH", "")}, log_dir=self.root
        ).start()
        wait_until(self.answers, timeout=30, what="the private Redis to answer")
        return self

    def stop(self) -> None:
        if self.process:
            self.process.stop(signal.SIGKILL)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), 1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def procfile() -> dict[str, str]:
    """Return the Procfile's processes by name: the commands `make stack` runs."""
    entries = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        if match := re.match(r"^([\w-]+):\s*(.+)$", line.strip()):
            entries[match[1]] = match[2]
    return entries


class Stack:
    """The Procfile's processes with production settings, against a private PostgreSQL and Redis.

    Each process is started from its Procfile line through a shell that `exec`s it, so the
    handle's pid is the process itself and a signal reaches it as a deploy tool's would.
    """

    def __init__(self, root: Path, postgres: Postgres, redis: Redis, env: dict[str, str]):
        self.root, self.postgres, self.redis = root, postgres, redis
        self.web_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.web_port}"
        self.env = self._environment(env)
        self.processes: dict[str, Process] = {}
        self.env_for: dict[str, dict[str, str]] = {}

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "CELERY_", "FETCH_", "API_", "WEB_", "REVIEW_"))
            and key not in {"DATABASE_URL", "PYTEST_CURRENT_TEST"}
        }
        env.update(
            {
                "PATH": f"{BIN}:{env.get('PATH', '')}",
                "DJANGO_SETTINGS_MODULE": "factcheck.settings",
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": self.postgres.url(),
                "CELERY_BROKER_URL": self.redis.url(0),
                # Several web processes share their API throttle counters through Redis.
                "API_THROTTLE_CACHE_URL": self.redis.url(1),
                # Plain HTTP on loopback, as `make stack` serves it behind no TLS proxy.
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_SECURE_COOKIES": "0",
                "DJANGO_HSTS_SECONDS": "0",
                "EMAIL_URL": "consolemail://",
                "STATIC_ROOT": str(self.root / "static"),
                "MEDIA_ROOT": str(self.root / "media"),
                "BEAT_SCHEDULE": str(self.root / "celerybeat-schedule"),
                "WEB_BIND": f"127.0.0.1:{self.web_port}",
                "WEB_CONCURRENCY": "2",
                "WORKER_CONCURRENCY": "1",
                "FETCH_CONCURRENCY": "8",
                "LOG_LEVEL": "INFO",
            }
        )
        env.update(extra)
        return env

    def manage(self, *args: str, timeout: float = 300, check: bool = True, **env):
        """Run `manage.py` with the stack's settings: the CLI an operator uses."""
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=check,
        )

    def prepare(self) -> Stack:
        """Create the database, migrate it and collect static files, as `make stack` does."""
        self.postgres.create_database("factcheck")
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput", "-v0")
        return self

    def start(self, name: str, **env: str) -> Process:
        """Start the Procfile process `name`; `env` overrides the stack's environment for it."""
        if env:
            self.env_for[name] = {**self.env_for.get(name, {}), **env}
        process = self.launch(name, procfile()[name], **self.env_for.get(name, {}))
        self.processes[name] = process
        return process

    def launch(self, name: str, command: str, **env: str) -> Process:
        """Start `command` with the stack's environment, outside the Procfile's set."""
        return Process(
            name, ["bash", "-c", f"exec {command}"], env={**self.env, **env}, log_dir=self.root
        ).start()

    def start_all(self, env_for: dict[str, dict[str, str]] | None = None) -> Stack:
        for name, env in (env_for or {}).items():
            self.env_for[name] = env
        for name in procfile():
            self.start(name)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until the web answers /healthz and every worker logged that it is ready."""
        wait_until(self.healthy, timeout=timeout, what=f"/healthz to answer 200\n{self.logs()}")
        for name in ("worker", "fetcher"):
            if name in self.processes:
                self._wait_ready_line(self.processes[name], more_than=0, timeout=timeout)

    def wait_worker_ready(self, process: Process, timeout: float = 120) -> None:
        self._wait_ready_line(process, more_than=0, timeout=timeout)

    def _wait_ready_line(self, process: Process, *, more_than: int, timeout: float) -> None:
        # Every start appends to the same log, so count its "ready." lines.
        def ready() -> bool:
            if not process.alive():
                raise AssertionError(f"{process.name} exited:\n{process.log()}")
            return process.log_path.read_text(errors="replace").count(" ready.") > more_than

        wait_until(ready, timeout=timeout, what=f"{process.name} to be ready\n{process.log()}")

    def restart(self, name: str, **env: str) -> Process:
        """Start `name` again after it stopped (or was killed); wait until it is ready."""
        old = self.processes[name]
        assert not old.alive(), f"{name} is still running"
        before = old.log_path.read_text(errors="replace").count(" ready.")
        process = self.start(name, **env)
        if name in ("worker", "fetcher"):
            self._wait_ready_line(process, more_than=before, timeout=120)
        return process

    def supervise(self) -> list[str]:
        """Restart each worker or beat that exited on its own, as a process supervisor would.

        Production runs every process under a supervisor (systemd `Restart=always` or the
        like): a Celery worker may exit when Redis vanishes mid-read (kombu's channel close can
        fail with an AttributeError), and the supervisor brings it back. Return who restarted.
        """
        restarted = []
        for name in ("worker", "fetcher", "beat"):
            process = self.processes.get(name)
            if process is not None and not process.alive():
                self.restart(name)
                restarted.append(name)
        return restarted

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.base_url}/healthz", timeout=5)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.stop(signal.SIGTERM, timeout=20)

    def logs(self, tail: int = 3000) -> str:
        return "\n".join(
            f"--- {name}\n{process.log(tail)}" for name, process in self.processes.items()
        )

    def db(self) -> psycopg.Connection:
        """Return an autocommit connection to the stack's database, for end-state checks."""
        return psycopg.connect(self.postgres.url(), autocommit=True, connect_timeout=5)

    def scalar(self, sql: str, *params):
        with self.db() as conn:
            return conn.execute(sql, params).fetchone()[0]

    def rows(self, sql: str, *params) -> list[tuple]:
        with self.db() as conn:
            return conn.execute(sql, params).fetchall()
