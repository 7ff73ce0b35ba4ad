"""An httpcore network backend that connects only to the addresses it has checked."""

from __future__ import annotations

import functools
import os
import ssl
import threading
import time
from collections.abc import Iterable
from typing import Any

import certifi
import httpcore

from .addresses import IPAddress, is_localhost_name, literal_address, resolve_host
from .errors import BlockedDestination, FetchError
from .policy import FetchPolicy

_LOOPBACK = literal_address("127.0.0.1")


class Deadline:
    """Track the wall-clock budget shared by every step of one fetch."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires_at = time.monotonic() + seconds

    def expired(self) -> bool:
        """Return True once the budget is spent."""
        return time.monotonic() >= self.expires_at

    def remaining(self) -> float:
        """Return the seconds left, raising the "deadline" error when none are."""
        left = self.expires_at - time.monotonic()
        if left <= 0:
            raise self.error()
        return left

    def clamp(self, timeout: float | None) -> float:
        """Return ``timeout`` shortened so that no single wait outlives the deadline."""
        left = self.remaining()
        return left if timeout is None else min(timeout, left)

    def error(self) -> FetchError:
        """Return the transient error for a fetch that ran out of time."""
        return FetchError(
            f"the fetch did not finish within its {self.seconds:g}s deadline",
            reason="deadline",
            permanent=False,
        )


class GuardedBackend(httpcore.NetworkBackend):
    """Resolve each host once, check every address, then connect to a checked one.

    Connecting to the address that was checked, rather than letting the socket layer
    resolve the name again, is what defeats DNS rebinding. TLS is unaffected: httpcore
    still passes the URL's host name as SNI and for certificate verification.
    """

    def __init__(self, policy: FetchPolicy, deadline: Deadline) -> None:
        self._inner = httpcore.SyncBackend()
        self._policy = policy
        self._deadline = deadline
        self._addresses: dict[str, list[IPAddress]] = {}

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Return the checked addresses for ``host``, resolving it at most once per fetch."""
        if host in self._addresses:
            return self._addresses[host]
        literal = literal_address(host)
        if literal is not None:
            found = [literal]
        elif is_localhost_name(host):
            # RFC 6761: localhost is loopback by definition; no resolver gets a say.
            found = [_LOOPBACK]
        else:
            found = self._resolve(host, port)
        # Check every address before connecting to any, so one bad record refuses the host.
        for ip in found:
            self._policy.check_address(ip, host=host)
        self._addresses[host] = found
        return found

    def _resolve(self, host: str, port: int) -> list[IPAddress]:
        timeout = self._deadline.clamp(self._policy.connect_timeout)
        try:
            return resolve_host(host, port, timeout=timeout)
        except TimeoutError as exc:
            if self._deadline.expired():
                raise self._deadline.error() from exc
            raise FetchError(str(exc), reason="timeout", permanent=False) from exc
        except (OSError, UnicodeError) as exc:
            raise FetchError(
                f"could not resolve {host}: {exc}", reason="dns", permanent=False
            ) from exc

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Connect to the first checked address of ``host`` that accepts."""
        failure: Exception = FetchError(f"{host} has no address", reason="dns", permanent=False)
        for ip in self.addresses(host, port):
            try:
                stream = self._inner.connect_tcp(
                    str(ip),
                    port,
                    timeout=self._deadline.clamp(timeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            return DeadlineStream(stream, self._deadline)
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        """Refuse: the fetcher never talks to local sockets."""
        raise BlockedDestination("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        """Sleep, as httpcore's retry logic asks."""
        self._inner.sleep(seconds)


class DeadlineStream(httpcore.NetworkStream):
    """Shorten every read, write and TLS handshake so a slow peer cannot pass the deadline."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._stream = stream
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read at most ``max_bytes``, waiting no later than the deadline."""
        return self._stream.read(max_bytes, self._deadline.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Write ``buffer``, waiting no later than the deadline."""
        self._stream.write(buffer, self._deadline.clamp(timeout))

    def close(self) -> None:
        """Close the underlying stream."""
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        """Upgrade to TLS, verifying the certificate against ``server_hostname``."""
        tls = self._stream.start_tls(ssl_context, server_hostname, self._deadline.clamp(timeout))
        return DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        """Pass through what httpcore asks of the socket."""
        return self._stream.get_extra_info(info)


def open_pool(policy: FetchPolicy, deadline: Deadline) -> httpcore.ConnectionPool:
    """Return a connection pool for one fetch: guarded backend, verified TLS, no retries."""
    return httpcore.ConnectionPool(
        ssl_context=verifying_ssl_context(),
        network_backend=GuardedBackend(policy, deadline),
        max_connections=4,
        retries=0,
        http1=True,
        http2=False,
    )


def verifying_ssl_context() -> ssl.SSLContext:
    """Return a context that verifies certificates and host names, honouring SSL_CERT_FILE."""
    # Loading the roots costs tens of ms and lru_cache does not lock: without this, each thread
    # of a fetch worker loaded them at once on its first fetch.
    with _context_lock:
        return _context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


_context_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _context(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    # Operators point SSL_CERT_FILE at a corporate bundle; otherwise trust certifi's roots.
    if cafile or capath:
        context = ssl.create_default_context(cafile=cafile, capath=capath)
    else:
        context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
