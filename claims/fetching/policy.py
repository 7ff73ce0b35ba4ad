"""The fetch policy and the destination checks it drives."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .addresses import IPAddress, classify, is_localhost_name, literal_address
from .errors import BlockedDestination

DEFAULT_USER_AGENT = "FactcheckDesk/1.0 (archive of cited reporting)"
DEFAULT_CONTENT_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


@dataclass(frozen=True)
class FetchPolicy:
    """Say where the fetcher may go and how much it may take.

    ``allow_private_networks`` is a test-only allowance: it lets loopback, RFC 1918,
    carrier-grade NAT and unique-local addresses through, but never link-local
    (cloud metadata), 0.0.0.0/8, multicast, broadcast or reserved ones.
    """

    allow_private_networks: bool = False
    allowed_ports: frozenset[int] = frozenset({80, 443})
    max_redirects: int = 5
    deadline_seconds: float = 20.0
    connect_timeout: float = 5.0
    max_bytes: int = 10 * 1024 * 1024
    allowed_content_types: frozenset[str] = field(default=DEFAULT_CONTENT_TYPES)
    user_agent: str = DEFAULT_USER_AGENT

    @classmethod
    def from_settings(cls) -> FetchPolicy:
        """Build the policy from the FETCH_* settings, with the class defaults for the rest."""
        try:
            configured = {
                "allow_private_networks": bool(
                    getattr(settings, "FETCH_ALLOW_PRIVATE_NETWORKS", cls.allow_private_networks)
                ),
                "allowed_ports": _ports(getattr(settings, "FETCH_ALLOWED_PORTS", None)),
                "max_bytes": int(getattr(settings, "FETCH_MAX_BYTES", cls.max_bytes)),
                "deadline_seconds": float(
                    getattr(settings, "FETCH_DEADLINE_SECONDS", cls.deadline_seconds)
                ),
                "user_agent": str(getattr(settings, "FETCH_USER_AGENT", cls.user_agent)),
            }
        except ImproperlyConfigured:
            # Scripts and benchmarks run without Django settings; they get the strict defaults.
            return cls()
        return cls(**configured)

    def check_port(self, port: int) -> None:
        """Refuse a port the policy does not allow."""
        if port not in self.allowed_ports:
            allowed = ", ".join(str(p) for p in sorted(self.allowed_ports))
            raise BlockedDestination(f"port {port} is not allowed (allowed: {allowed})")

    def check_address(self, ip: IPAddress, *, host: str | None = None) -> None:
        """Refuse an address that is not public, unless the test allowance covers it."""
        verdict = classify(ip)
        if verdict is None or (verdict.private and self.allow_private_networks):
            return
        if host is None or literal_address(host) is not None:
            raise BlockedDestination(f"{ip} is {verdict.description}")
        raise BlockedDestination(f"{host} resolves to {ip}, {verdict.description}")

    def check_host(self, host: str) -> None:
        """Refuse an IP-literal or localhost host without any DNS lookup."""
        ip = literal_address(host)
        if ip is not None:
            self.check_address(ip)
        elif is_localhost_name(host) and not self.allow_private_networks:
            raise BlockedDestination(f"{host} is a loopback name")


def _ports(value: Iterable[int] | None) -> frozenset[int]:
    if value is None:
        return FetchPolicy.allowed_ports
    return frozenset(int(port) for port in value)
