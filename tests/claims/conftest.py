"""Fixtures for the fetcher tests: a local server, a test policy, and socket spies."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from claims.fetching import FetchPolicy
from tests.claims.httpserver import LocalServer


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """Start a plain-HTTP local server for one test."""
    local = LocalServer().start()
    yield local
    local.stop()


@pytest.fixture
def policy(server: LocalServer) -> FetchPolicy:
    """Return the test policy: private networks and the server's port allowed, 1 MB cap."""
    return FetchPolicy(
        allow_private_networks=True,
        allowed_ports=frozenset({server.port}),
        deadline_seconds=10.0,
        connect_timeout=2.0,
        max_bytes=1024 * 1024,
    )


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Record the address of every outgoing socket connect in this test."""
    attempts: list[tuple] = []
    original = socket.socket.connect

    def recording_connect(sock: socket.socket, address: tuple) -> None:
        attempts.append(address[:2])
        return original(sock, address)

    monkeypatch.setattr(socket.socket, "connect", recording_connect)
    return attempts


class FakeDNS:
    """Answer getaddrinfo for fake names; numeric hosts still go to the real function."""

    def __init__(self, real) -> None:
        self._real = real
        self.answers: dict[str, list[list[str]]] = {}
        self.lookups: list[str] = []

    def add(self, name: str, *answers: list[str]) -> None:
        """Answer successive lookups of ``name`` with successive address lists."""
        self.answers[name] = list(answers)

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in self.answers:
            # Real lookups only for literals; tests never depend on the machine's DNS.
            return self._real(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)
        self.lookups.append(name)
        queue = self.answers[name]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (
                socket.AF_INET6 if ":" in address else socket.AF_INET,
                socket.SOCK_STREAM,
                socket.IPPROTO_TCP,
                "",
                (address, port, 0, 0) if ":" in address else (address, port),
            )
            for address in addresses
        ]


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    """Replace socket.getaddrinfo with a table of fake names."""
    dns = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns.getaddrinfo)
    return dns
