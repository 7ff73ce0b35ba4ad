"""The one fetch function every outbound request of the service goes through."""

from __future__ import annotations

import codecs
import hashlib
import logging
import ssl
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpcore
import httpx

from .decoding import ACCEPT_ENCODING, decoder_for
from .errors import FetchError
from .policy import FetchPolicy
from .transport import Deadline, GuardedBackend, open_pool
from .urls import parse_url

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# Headers the fetcher owns: callers must not be able to smuggle a second Host or a body length.
_RESERVED_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "accept-encoding", "connection", "te"}
)
_CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_ALLOWLISTED_METHODS = frozenset({"GET", "HEAD"})


@dataclass
class FetchResult:
    """Describe a successful fetch; ``redirects`` lists each URL that answered with one."""

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    headers: dict[str, str]
    body: bytes = field(repr=False)
    sha256: str
    redirects: list[str]
    elapsed: float


@dataclass
class _Request:
    method: str
    url: httpx.URL
    headers: dict[str, str]
    content: bytes | None


def fetch(
    url: str,
    *,
    policy: FetchPolicy | None = None,
    method: str = "GET",
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> FetchResult:
    """Fetch ``url`` within ``policy``, following redirects and checking every hop.

    Raise BlockedDestination for a forbidden destination and FetchError for every other
    failure; ``permanent`` on the error says whether a retry could help.
    """
    policy = policy or FetchPolicy.from_settings()
    started = time.monotonic()
    deadline = Deadline(policy.deadline_seconds)
    request = _Request(
        method=method.upper(),
        url=_checked_url(url, policy),
        headers=_request_headers(policy, method.upper(), headers or {}),
        content=content,
    )
    redirects: list[str] = []
    with open_pool(policy, deadline) as pool:
        while True:
            logger.debug("fetching %s %s", request.method, request.url)
            with _translated_errors(deadline, request.url):
                result = _exchange(pool, request, policy, deadline)
            if isinstance(result, FetchResult):
                result.url = url
                result.redirects = redirects
                result.elapsed = time.monotonic() - started
                return result
            redirects.append(str(request.url))
            if len(redirects) > policy.max_redirects:
                raise FetchError(
                    f"more than {policy.max_redirects} redirects, starting from {url}",
                    reason="too_many_redirects",
                    permanent=True,
                )
            request = _follow(request, *result, policy)


def check_destination(url: str, policy: FetchPolicy | None = None) -> None:
    """Refuse, before anything is sent, a URL the fetcher would refuse to connect to.

    The same checks as a fetch: scheme and host, the port, then every address the host
    resolves to. A name that does not resolve now raises a transient FetchError ("dns").
    """
    policy = policy or FetchPolicy.from_settings()
    parsed = _checked_url(url, policy)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    backend = GuardedBackend(policy, Deadline(policy.connect_timeout))
    backend.addresses(parsed.raw_host.decode("ascii"), port)


def _checked_url(url: str, policy: FetchPolicy) -> httpx.URL:
    parsed = parse_url(url)
    policy.check_host(parsed.raw_host.decode("ascii"))
    policy.check_port(parsed.port or (443 if parsed.scheme == "https" else 80))
    return parsed


def _request_headers(policy: FetchPolicy, method: str, extra: Mapping[str, str]) -> dict[str, str]:
    headers = {"user-agent": policy.user_agent, "accept-encoding": ACCEPT_ENCODING}
    if method in _ALLOWLISTED_METHODS:
        headers["accept"] = ", ".join(sorted(policy.allowed_content_types))
    for name, value in extra.items():
        if name.lower() not in _RESERVED_HEADERS:
            headers[name.lower()] = value
    return headers


def _exchange(
    pool: httpcore.ConnectionPool, request: _Request, policy: FetchPolicy, deadline: Deadline
) -> FetchResult | tuple[int, str | None]:
    """Send one request; return the result, or the status and Location of a redirect."""
    headers = [("host", request.url.netloc.decode("ascii")), *request.headers.items()]
    if request.content is not None or request.method in {"POST", "PUT", "PATCH"}:
        headers.append(("content-length", str(len(request.content or b""))))
    target = httpcore.URL(
        scheme=request.url.raw_scheme,
        host=request.url.raw_host,
        port=request.url.port,
        target=request.url.raw_path,
    )
    timeouts = {
        "connect": policy.connect_timeout,
        "read": policy.deadline_seconds,
        "write": policy.deadline_seconds,
        "pool": policy.deadline_seconds,
    }
    with pool.stream(
        request.method,
        target,
        headers=[(name.encode("latin-1"), value.encode("latin-1")) for name, value in headers],
        content=request.content,
        extensions={"timeout": timeouts},
    ) as response:
        status = response.status
        received = _response_headers(response.headers)
        if status in REDIRECT_STATUSES:
            return status, received.get("location")
        _check_status(status, received, request.url)
        content_type, charset = _parse_content_type(received.get("content-type", ""))
        if request.method in _ALLOWLISTED_METHODS:
            _check_content_type(content_type, policy, request.url)
        _check_declared_length(received, policy, request.url)
        body = b""
        if request.method != "HEAD":
            body = _read_body(response, received, policy, deadline, request.url)
    return FetchResult(
        url="",
        final_url=str(request.url),
        status=status,
        content_type=content_type,
        charset=charset,
        headers=received,
        body=body,
        sha256=hashlib.sha256(body).hexdigest(),
        redirects=[],
        elapsed=0.0,
    )


def _follow(request: _Request, status: int, location: str | None, policy: FetchPolicy) -> _Request:
    """Return the request for the next hop, after checking where it goes."""
    if not location:
        raise FetchError(
            f"{request.url} answered {status} without a Location header",
            reason="bad_redirect",
            permanent=True,
            status=status,
        )
    try:
        joined = str(request.url.join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(
            f"{request.url} redirected to an invalid URL {location!r}",
            reason="bad_redirect",
            permanent=True,
            status=status,
        ) from exc
    target = _checked_url(joined, policy)
    method, content, headers = request.method, request.content, dict(request.headers)
    # Browsers turn a redirected POST into a GET for 301-303; 307/308 keep method and body.
    if (status == 303 and method != "HEAD") or (status in (301, 302) and method == "POST"):
        method, content = "GET", None
        headers.pop("content-type", None)
    if (target.scheme, target.host, target.port) != (
        request.url.scheme,
        request.url.host,
        request.url.port,
    ):
        for name in _CREDENTIAL_HEADERS:
            headers.pop(name, None)
    return _Request(method=method, url=target, headers=headers, content=content)


def _response_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in raw:
        key, text = name.decode("latin-1").lower(), value.decode("latin-1")
        headers[key] = f"{headers[key]}, {text}" if key in headers else text
    return headers


def _check_status(status: int, headers: dict[str, str], url: httpx.URL) -> None:
    if 200 <= status < 300:
        return
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 429:
        raise FetchError(
            f"{url} is rate limiting us (429)",
            reason="rate_limited",
            permanent=False,
            status=status,
            retry_after=retry_after,
        )
    if status >= 500:
        raise FetchError(
            f"{url} answered with server error {status}",
            reason="http_5xx",
            permanent=False,
            status=status,
            retry_after=retry_after,
        )
    raise FetchError(
        f"{url} answered {status}", reason=f"http_{status}", permanent=True, status=status
    )


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Return the delay a Retry-After header asks for, in seconds, or None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _parse_content_type(header: str) -> tuple[str, str | None]:
    media_type, *params = header.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    if charset is not None:
        try:
            codecs.lookup(charset)
        except LookupError:
            charset = None
    return media_type.strip().lower(), charset


def _check_content_type(content_type: str, policy: FetchPolicy, url: httpx.URL) -> None:
    if content_type not in policy.allowed_content_types:
        raise FetchError(
            f"{url} is {content_type or 'of no declared type'}, not one of "
            f"{', '.join(sorted(policy.allowed_content_types))}",
            reason="unsupported_type",
            permanent=True,
        )


def _check_declared_length(headers: dict[str, str], policy: FetchPolicy, url: httpx.URL) -> None:
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > policy.max_bytes:
        raise _too_large(url, policy)


def _read_body(
    response: httpcore.Response,
    headers: dict[str, str],
    policy: FetchPolicy,
    deadline: Deadline,
    url: httpx.URL,
) -> bytes:
    decoder = decoder_for(headers.get("content-encoding", ""))
    body = bytearray()
    received = 0

    def take(pieces: Iterator[bytes]) -> None:
        # Count decoded bytes piece by piece so a compression bomb stops at the cap.
        for piece in pieces:
            if len(body) + len(piece) > policy.max_bytes:
                raise _too_large(url, policy)
            body.extend(piece)

    for raw in response.iter_stream():
        received += len(raw)
        if received > policy.max_bytes:
            raise _too_large(url, policy)
        take(decoder.decode(raw))
        deadline.remaining()
    take(decoder.flush())
    return bytes(body)


def _too_large(url: httpx.URL, policy: FetchPolicy) -> FetchError:
    return FetchError(
        f"{url} is larger than the {policy.max_bytes:,} byte limit",
        reason="too_large",
        permanent=True,
    )


@contextmanager
def _translated_errors(deadline: Deadline, url: httpx.URL) -> Iterator[None]:
    """Turn httpcore's exceptions into FetchErrors that say whether to retry."""
    host = url.host
    try:
        yield
    except FetchError:
        raise
    except httpcore.TimeoutException as exc:
        if deadline.expired():
            raise deadline.error() from exc
        raise FetchError(f"{host} timed out: {exc}", reason="timeout", permanent=False) from exc
    except httpcore.ConnectError as exc:
        if _caused_by_tls(exc):
            raise FetchError(
                f"TLS with {host} failed: {exc}", reason="tls", permanent=False
            ) from exc
        raise FetchError(
            f"could not connect to {host}: {exc}", reason="connect", permanent=False
        ) from exc
    except (httpcore.LocalProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise FetchError(
            f"the request to {host} is invalid: {exc}", reason="bad_request", permanent=True
        ) from exc
    except httpcore.NetworkError as exc:
        raise FetchError(
            f"the connection to {host} failed: {exc}", reason="network", permanent=False
        ) from exc
    except httpcore.ProtocolError as exc:
        raise FetchError(
            f"{host} broke the HTTP protocol: {exc}", reason="network", permanent=False
        ) from exc


def _caused_by_tls(exc: BaseException) -> bool:
    # httpcore wraps the ssl error as an argument and, depending on the path, as the cause.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError) or any(isinstance(a, ssl.SSLError) for a in seen.args):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
