"""Parse URLs for fetching and normalise them for deduplicating sources."""

from __future__ import annotations

from urllib.parse import unquote_plus, urlsplit, urlunsplit

import httpx

from .addresses import literal_address, parse_numeric_host
from .errors import FetchError

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "yclid",
        "_hsenc",
        "_hsmi",
    }
)


# Characters no host name may hold (the URL Standard's forbidden domain code points, less the
# ones urlsplit already splits on): httpx would percent-encode a space ("exa%20mple.com"),
# and the name would then fail DNS on every retry instead of being refused once.
FORBIDDEN_IN_HOST = frozenset(' %<>\\^|"`{}')


def bad_url(message: str) -> FetchError:
    """Return the permanent error for a URL the fetcher will not try."""
    return FetchError(message, reason="bad_url", permanent=True)


def parse_url(url: str) -> httpx.URL:
    """Parse an absolute http(s) URL, rewriting numeric IPv4 hosts to dotted form.

    Hosts like ``2130706433`` or ``127.1`` become ``127.0.0.1`` here so that every later
    check, the Host header and the connection all see one spelling of the address.
    """
    if not isinstance(url, str) or not url.strip():
        raise bad_url("the URL is empty")
    text = url.strip()
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in text):
        raise bad_url("the URL contains control characters")
    try:
        parts = urlsplit(text)
        hostname, port = parts.hostname, parts.port
    except ValueError as exc:
        raise bad_url(f"{url!r} is not a valid URL: {exc}") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise bad_url(f"only http and https URLs are fetched, not {url!r}")
    if "@" in parts.netloc:
        raise bad_url("URLs with credentials are not fetched")
    if not hostname:
        raise bad_url(f"{url!r} has no host")
    if not parts.netloc.startswith("[") and any(
        char in FORBIDDEN_IN_HOST or char.isspace() for char in hostname
    ):
        raise bad_url(
            f"{url!r} is not a valid address: its host {hostname!r} contains a space or a "
            "character no host name may hold"
        )
    # httpx keeps a default port when the scheme is upper-case, so hand it a lower-case one.
    text = parts.scheme + text[len(parts.scheme) :]
    if not parts.netloc.startswith("["):
        try:
            numeric = parse_numeric_host(hostname)
        except ValueError as exc:
            raise bad_url(str(exc)) from exc
        if numeric is not None:
            netloc = str(numeric) if port is None else f"{numeric}:{port}"
            text = urlunsplit(parts._replace(netloc=netloc))
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError) as exc:
        raise bad_url(f"{url!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not parsed.raw_host or parsed.userinfo:
        raise bad_url(f"{url!r} is not an absolute http(s) URL")
    return parsed


def normalize_url(url: str) -> str:
    """Return the canonical form of ``url`` used to deduplicate sources.

    Lower-case the scheme and host, encode the host with IDNA, drop the default port,
    the fragment and tracking parameters (utm_*, fbclid, gclid, ...), and sort the
    remaining query parameters without re-encoding them.
    """
    parsed = parse_url(url)
    host = parsed.raw_host.decode("ascii").rstrip(".")
    ip = literal_address(host)
    if ip is not None:
        host = f"[{ip.compressed}]" if ip.version == 6 else ip.compressed
    port = "" if parsed.port is None else f":{parsed.port}"
    path = parsed.raw_path.decode("ascii").partition("?")[0] or "/"
    pieces = [piece for piece in parsed.query.decode("ascii").split("&") if piece]
    kept = sorted(piece for piece in pieces if not _is_tracking(piece))
    query = f"?{'&'.join(kept)}" if kept else ""
    return f"{parsed.scheme}://{host}{port}{path}{query}"


def _is_tracking(piece: str) -> bool:
    name = unquote_plus(piece.partition("=")[0]).lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS
