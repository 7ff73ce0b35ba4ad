"""The fetcher's HTTP behaviour: requests, redirects, statuses and errors."""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from claims.fetching import FetchError, FetchPolicy, fetch
from claims.fetching.client import parse_retry_after
from tests.claims.httpserver import page, redirect, reply

HTML = b"<html><head><title>Test page</title></head><body><p>Hello, desk.</p></body></html>"


def test_fetch_returns_body_and_metadata(server, policy):
    server.route("/story", page(HTML, headers=[("X-Trace", "a"), ("X-Trace", "b")]))

    result = fetch(server.url("/story"), policy=policy)

    assert result.url == server.url("/story")
    assert result.final_url == server.url("/story")
    assert result.status == 200
    assert (result.content_type, result.charset) == ("text/html", "utf-8")
    assert result.body == HTML
    assert result.sha256 == hashlib.sha256(HTML).hexdigest()
    assert result.headers["x-trace"] == "a, b"
    assert result.redirects == []
    assert result.elapsed > 0


def test_request_names_the_service_and_offers_only_decodable_encodings(server, policy):
    server.route("/story", page(HTML))

    fetch(server.url("/story"), policy=policy)

    sent = server.received[0].headers
    assert sent["user-agent"] == policy.user_agent
    assert sent["user-agent"].startswith("FactcheckDesk/")
    assert sent["accept-encoding"] == "gzip, deflate, br"


def test_caller_cannot_override_host_or_encoding_headers(server, policy):
    server.route("/story", page(HTML))

    fetch(
        server.url("/story"),
        policy=policy,
        headers={"Host": "internal.example", "Accept-Encoding": "zstd", "X-Desk": "1"},
    )

    sent = server.received[0].headers
    assert sent["host"] == f"127.0.0.1:{server.port}"
    assert sent["accept-encoding"] == "gzip, deflate, br"
    assert sent["x-desk"] == "1"


def _chain(server, length: int) -> None:
    for hop in range(1, length + 1):
        server.route(f"/hop/{hop}", redirect(f"/hop/{hop - 1}", status=301 if hop % 2 else 307))
    server.route("/hop/0", page(HTML))


def test_five_redirects_are_followed(server, policy):
    _chain(server, 5)

    result = fetch(server.url("/hop/5"), policy=policy)

    assert result.final_url == server.url("/hop/0")
    assert result.redirects == [server.url(f"/hop/{hop}") for hop in range(5, 0, -1)]


def test_sixth_redirect_fails(server, policy):
    _chain(server, 6)

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/hop/6"), policy=policy)

    assert caught.value.reason == "too_many_redirects"
    assert caught.value.permanent is True
    assert "/hop/0" not in server.paths()


def test_redirect_without_location_fails_permanently(server, policy):
    server.route("/moved", lambda request: reply(request, status=302))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/moved"), policy=policy)

    assert (caught.value.reason, caught.value.permanent) == ("bad_redirect", True)


def test_post_sends_body_and_skips_the_type_allowlist(server, policy):
    server.route(
        "/hook",
        page(b'{"ok": true}', content_type="application/json"),
    )

    result = fetch(
        server.url("/hook"),
        policy=policy,
        method="POST",
        content=b'{"claim": 7}',
        headers={"Content-Type": "application/json", "X-Signature": "sha256=abc"},
    )

    assert result.body == b'{"ok": true}'
    received = server.received[0]
    assert (received.method, received.body) == ("POST", b'{"claim": 7}')
    assert received.headers["x-signature"] == "sha256=abc"


def test_post_redirected_with_303_becomes_get_without_body(server, policy):
    server.route("/hook", redirect("/done", status=303))
    server.route("/done", page(HTML))

    fetch(server.url("/hook"), policy=policy, method="POST", content=b"payload")

    assert [(r.method, r.path, r.body) for r in server.received] == [
        ("POST", "/hook", b"payload"),
        ("GET", "/done", b""),
    ]


def test_post_redirected_with_307_keeps_method_and_body(server, policy):
    server.route("/hook", redirect("/again", status=307))
    server.route("/again", page(b"ok", content_type="text/plain"))

    fetch(server.url("/hook"), policy=policy, method="POST", content=b"payload")

    assert [(r.method, r.body) for r in server.received] == [
        ("POST", b"payload"),
        ("POST", b"payload"),
    ]


@pytest.mark.parametrize(("status", "reason"), [(404, "http_404"), (410, "http_410")])
def test_gone_pages_fail_permanently(server, policy, status, reason):
    server.route("/gone", lambda request: reply(request, status=status, body=b"gone"))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/gone"), policy=policy)

    assert (caught.value.reason, caught.value.permanent, caught.value.status) == (
        reason,
        True,
        status,
    )


def test_other_client_errors_fail_permanently(server, policy):
    server.route("/private", lambda request: reply(request, status=403))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/private"), policy=policy)

    assert (caught.value.reason, caught.value.permanent) == ("http_403", True)


def test_server_error_is_transient(server, policy):
    server.route("/broken", lambda request: reply(request, status=500))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/broken"), policy=policy)

    assert (caught.value.reason, caught.value.permanent, caught.value.status) == (
        "http_5xx",
        False,
        500,
    )


def test_rate_limit_is_transient_with_retry_after(server, policy):
    server.route(
        "/busy", lambda request: reply(request, status=429, headers=[("Retry-After", "7")])
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/busy"), policy=policy)

    assert (caught.value.reason, caught.value.permanent) == ("rate_limited", False)
    assert caught.value.retry_after == 7


def test_retry_after_accepts_http_dates():
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    earlier = format_datetime(now - timedelta(hours=1), usegmt=True)

    assert parse_retry_after(later, now=now) == 90
    assert parse_retry_after(earlier, now=now) == 0
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None


def test_refused_connection_is_transient(policy):
    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()

    with pytest.raises(FetchError) as caught:
        fetch(
            f"http://127.0.0.1:{port}/",
            policy=dataclasses.replace(policy, allowed_ports=frozenset({port})),
        )

    assert (caught.value.reason, caught.value.permanent) == ("connect", False)


def test_unresolvable_host_is_transient(policy, fake_dns, server):
    fake_dns.add("nowhere.example", [])

    with pytest.raises(FetchError) as caught:
        fetch(f"http://nowhere.example:{server.port}/", policy=policy)

    assert (caught.value.reason, caught.value.permanent) == ("dns", False)


def test_fetch_errors_survive_pickling_for_celery():
    error = FetchError(
        "slow down", reason="rate_limited", permanent=False, status=429, retry_after=7
    )

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object, as Celery does

    assert (str(copy), copy.reason, copy.permanent, copy.status, copy.retry_after) == (
        "slow down",
        "rate_limited",
        False,
        429,
        7,
    )


def test_policy_defaults_are_strict():
    default = FetchPolicy()

    assert default.allow_private_networks is False
    assert default.allowed_ports == frozenset({80, 443})
    assert default.max_redirects == 5
    assert default.max_bytes == 10 * 1024 * 1024
    assert default.allowed_content_types == {"text/html", "application/xhtml+xml", "text/plain"}
