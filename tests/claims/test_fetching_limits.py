"""The fetcher's limits: content types, byte caps, compression bombs, encodings, deadline."""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import socket
import zlib

import brotli
import pytest

from claims.fetching import FetchError, fetch
from tests.claims.httpserver import drip, page, stall

HTML = b"<html><head><title>Test page</title></head><body><p>Hello, desk.</p></body></html>"
BOMB_SIZE = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    return gzip.compress(bytes(BOMB_SIZE), 9)


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    return brotli.compress(bytes(BOMB_SIZE), quality=5)


def test_wrong_content_type_fails_before_the_body_is_read(server, policy):
    # The body never comes: reading it would end in the deadline, not in the type check.
    server.route("/image", stall([("Content-Type", "image/png")]))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/image"), policy=dataclasses.replace(policy, deadline_seconds=3))

    assert (caught.value.reason, caught.value.permanent) == ("unsupported_type", True)
    assert "image/png" in str(caught.value)


def test_missing_content_type_is_unsupported(server, policy):
    server.route("/bare", page(HTML, content_type=None))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/bare"), policy=policy)

    assert caught.value.reason == "unsupported_type"


def test_honest_oversized_content_length_fails_before_reading(server, policy):
    server.route(
        "/huge",
        stall([("Content-Type", "text/html"), ("Content-Length", str(BOMB_SIZE))]),
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/huge"), policy=dataclasses.replace(policy, deadline_seconds=3))

    assert (caught.value.reason, caught.value.permanent) == ("too_large", True)


def test_oversized_body_without_content_length_is_cut_at_the_cap(server, policy):
    server.route("/huge", page(b"a" * (2 * 1024 * 1024), content_length=False))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/huge"), policy=policy)

    assert caught.value.reason == "too_large"


def test_body_at_the_cap_is_accepted(server, policy):
    body = b"a" * policy.max_bytes
    server.route("/full", page(body, content_type="text/plain", content_length=False))

    assert fetch(server.url("/full"), policy=policy).body == body


@pytest.mark.parametrize("with_length", [True, False])
def test_gzip_bomb_stops_at_the_cap(server, policy, gzip_bomb, with_length):
    server.route(
        "/bomb",
        page(gzip_bomb, headers=[("Content-Encoding", "gzip")], content_length=with_length),
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/bomb"), policy=policy)

    assert caught.value.reason == "too_large"


@pytest.mark.parametrize("with_length", [True, False])
def test_brotli_bomb_stops_at_the_cap(server, policy, brotli_bomb, with_length):
    server.route(
        "/bomb",
        page(brotli_bomb, headers=[("Content-Encoding", "br")], content_length=with_length),
    )

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/bomb"), policy=policy)

    assert caught.value.reason == "too_large"


@pytest.mark.parametrize(
    ("encoding", "compress"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("br", brotli.compress),
    ],
)
def test_compressed_bodies_are_decoded(server, policy, encoding, compress):
    server.route("/story", page(compress(HTML), headers=[("Content-Encoding", encoding)]))

    result = fetch(server.url("/story"), policy=policy)

    assert result.body == HTML
    assert result.sha256 == hashlib.sha256(HTML).hexdigest()


def test_unknown_content_encoding_is_refused(server, policy):
    server.route("/story", page(HTML, headers=[("Content-Encoding", "zstd")]))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/story"), policy=policy)

    assert caught.value.reason == "unsupported_encoding"


def test_corrupt_gzip_is_reported(server, policy):
    server.route("/story", page(b"not gzip at all", headers=[("Content-Encoding", "gzip")]))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/story"), policy=policy)

    assert caught.value.reason == "bad_encoding"


def test_slow_drip_is_cut_at_the_overall_deadline(server, policy):
    server.route("/drip", drip(interval=0.5, count=20))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/drip"), policy=dataclasses.replace(policy, deadline_seconds=1.5))

    assert (caught.value.reason, caught.value.permanent) == ("deadline", False)


def test_deadline_covers_a_server_that_never_answers(policy):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the TCP handshake, then never reads or answers
    port = listener.getsockname()[1]
    try:
        with pytest.raises(FetchError) as caught:
            fetch(
                f"http://127.0.0.1:{port}/",
                policy=dataclasses.replace(
                    policy, allowed_ports=frozenset({port}), deadline_seconds=1.5
                ),
            )
    finally:
        listener.close()

    assert caught.value.reason == "deadline"
