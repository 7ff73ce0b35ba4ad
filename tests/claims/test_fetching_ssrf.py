"""The fetcher refuses non-public destinations before connecting, and connects where it checked."""

from __future__ import annotations

import dataclasses

import httpcore
import pytest

from claims.fetching import BlockedDestination, FetchError, FetchPolicy, fetch
from claims.fetching.transport import Deadline, GuardedBackend
from tests.claims.httpserver import page, redirect

PRODUCTION = FetchPolicy()

SSRF_CORPUS = [
    ("http://127.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.0.0.1.:80/", "127.0.0.1 is a loopback address"),
    ("http://2130706433/", "127.0.0.1 is a loopback address"),
    ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
    ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
    ("http://127.1/", "127.0.0.1 is a loopback address"),
    ("http://0x7f.1/", "127.0.0.1 is a loopback address"),
    ("http://[::1]/", "::1 is a loopback address"),
    ("http://[::ffff:7f00:1]/", "IPv4-mapped form of 127.0.0.1"),
    ("http://[::ffff:127.0.0.1]/", "IPv4-mapped form of 127.0.0.1"),
    ("http://[::127.0.0.1]/", "IPv4-compatible"),
    ("http://[64:ff9b::7f00:1]/", "NAT64 address embedding 127.0.0.1"),
    ("http://[64:ff9b::a9fe:a9fe]/", "NAT64 address embedding 169.254.169.254"),
    ("http://[64:ff9b:1:7f00:0:100::]/", "local-use NAT64"),
    ("http://[2002:7f00:1::]/", "6to4 address embedding 127.0.0.1"),
    ("http://[2002:a9fe:a9fe::1]/", "6to4 address embedding 169.254.169.254"),
    ("http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "Teredo"),
    ("http://localhost/", "localhost is a loopback name"),
    ("http://LOCALHOST./", "loopback name"),
    ("http://api.localhost/", "loopback name"),
    ("http://169.254.169.254/latest/meta-data/", "link-local cloud metadata address"),
    ("http://169.254.1.1/", "link-local address"),
    ("http://[fe80::1]/", "link-local address"),
    ("http://[fd00:ec2::254]/", "cloud metadata address"),
    ("http://[fd12:3456::1]/", "unique local address"),
    ("http://[fec0::1]/", "site-local address"),
    ("http://10.0.0.1/", "private address"),
    ("http://172.16.5.4/", "private address"),
    ("http://192.168.1.1/", "private address"),
    ("http://100.64.0.1/", "carrier-grade NAT"),
    ("http://0.0.0.0/", "0.0.0.0/8"),
    ("http://0/", "0.0.0.0/8"),
    ("http://[::]/", "unspecified address"),
    ("http://224.0.0.1/", "multicast address"),
    ("http://[ff02::1]/", "multicast address"),
    ("http://255.255.255.255/", "broadcast address"),
    ("http://240.0.0.1/", "reserved address"),
    ("http://192.0.2.10/", "not a globally routable address"),
    ("http://93.184.215.14:22/", "port 22 is not allowed"),
    ("https://93.184.215.14:8443/", "port 8443 is not allowed"),
]


@pytest.mark.parametrize(("url", "why"), SSRF_CORPUS)
def test_production_policy_refuses_ssrf_corpus_without_connecting(url, why, connections):
    with pytest.raises(BlockedDestination) as caught:
        fetch(url, policy=PRODUCTION)

    assert caught.value.reason == "blocked"
    assert caught.value.permanent is True
    assert why in str(caught.value)
    assert connections == []


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "gopher://127.0.0.1:70/", "http://user:pw@example.com/"]
)
def test_other_schemes_and_credentials_are_refused_as_bad_urls(url, connections):
    with pytest.raises(FetchError) as caught:
        fetch(url, policy=PRODUCTION)

    assert caught.value.reason == "bad_url"
    assert caught.value.permanent is True
    assert connections == []


@pytest.mark.parametrize(
    "addresses",
    [["10.1.2.3"], ["93.184.215.14", "127.0.0.1"], ["2606:2800:21f::1", "fd00::5"]],
)
def test_host_resolving_to_any_private_address_is_refused(addresses, fake_dns, connections):
    fake_dns.add("news.example", addresses)

    with pytest.raises(BlockedDestination) as caught:
        fetch("http://news.example/story", policy=PRODUCTION)

    assert str(caught.value).startswith("news.example resolves to ")
    assert connections == []


def test_allowance_never_lifts_link_local_or_this_network(server, policy, fake_dns, connections):
    fake_dns.add("metadata.example", ["169.254.169.254"])
    fake_dns.add("zero.example", ["0.0.0.0"])

    for url in (
        f"http://169.254.169.254:{server.port}/",
        f"http://0.0.0.0:{server.port}/",
        f"http://metadata.example:{server.port}/",
        f"http://zero.example:{server.port}/",
    ):
        with pytest.raises(BlockedDestination):
            fetch(url, policy=policy)
    assert connections == []


def test_redirect_to_metadata_address_is_refused_without_connecting(server, policy, connections):
    server.route("/article", redirect(f"http://169.254.169.254:{server.port}/latest/meta-data/"))

    with pytest.raises(BlockedDestination) as caught:
        fetch(server.url("/article"), policy=policy)

    assert "169.254.169.254 is a link-local cloud metadata address" in str(caught.value)
    assert connections == [("127.0.0.1", server.port)]


def test_redirect_to_unspecified_address_is_refused(server, policy, connections):
    server.route("/article", redirect(f"http://0.0.0.0:{server.port}/"))

    with pytest.raises(BlockedDestination):
        fetch(server.url("/article"), policy=policy)

    assert connections == [("127.0.0.1", server.port)]


def test_redirect_to_name_resolving_to_metadata_is_refused(server, policy, fake_dns, connections):
    fake_dns.add("cdn.example", ["169.254.169.254"])
    server.route("/article", redirect(f"http://cdn.example:{server.port}/latest"))

    with pytest.raises(BlockedDestination) as caught:
        fetch(server.url("/article"), policy=policy)

    assert "cdn.example resolves to 169.254.169.254" in str(caught.value)
    assert connections == [("127.0.0.1", server.port)]


def test_redirect_to_disallowed_port_is_refused(server, policy, connections):
    server.route("/article", redirect("http://127.0.0.1:6379/"))

    with pytest.raises(BlockedDestination) as caught:
        fetch(server.url("/article"), policy=policy)

    assert "port 6379" in str(caught.value)
    assert connections == [("127.0.0.1", server.port)]


def test_redirect_to_another_scheme_is_refused(server, policy):
    server.route("/article", redirect("file:///etc/passwd"))

    with pytest.raises(FetchError) as caught:
        fetch(server.url("/article"), policy=policy)

    assert caught.value.reason == "bad_url"


def test_connection_goes_to_the_checked_address_despite_rebinding(
    server, policy, fake_dns, connections
):
    # First answer passes the (test) policy; a rebinding resolver then swaps in metadata.
    fake_dns.add("rebind.example", ["127.0.0.1"], ["169.254.169.254"])
    server.route("/first", redirect("/second"))
    server.route("/second", page(b"<p>settled</p>"))

    result = fetch(f"http://rebind.example:{server.port}/first", policy=policy)

    assert result.body == b"<p>settled</p>"
    assert fake_dns.lookups == ["rebind.example"]
    # Two hops, two connections (HTTP/1.0 closes each), both to the address that was checked.
    assert connections == [("127.0.0.1", server.port), ("127.0.0.1", server.port)]
    assert server.received[0].headers["host"] == f"rebind.example:{server.port}"


def test_blocked_address_in_answer_refuses_even_after_a_good_one(server, policy, fake_dns):
    fake_dns.add("mixed.example", ["127.0.0.1", "169.254.169.254"])

    with pytest.raises(BlockedDestination):
        fetch(f"http://mixed.example:{server.port}/", policy=policy)

    assert server.received == []


def test_production_policy_refuses_the_local_server(server, connections):
    production_with_port = dataclasses.replace(PRODUCTION, allowed_ports=frozenset({server.port}))

    with pytest.raises(BlockedDestination):
        fetch(server.url("/"), policy=production_with_port)

    assert connections == []


def test_rebinding_to_a_private_address_cannot_redirect_the_connection(fake_dns, monkeypatch):
    # Production policy, no network: record where the backend dials, then fail the dial.
    fake_dns.add("rebind.example", ["93.184.215.14"], ["127.0.0.1"])
    dialled: list[tuple[str, int]] = []

    def record(self, host, port, timeout=None, local_address=None, socket_options=None):
        dialled.append((host, port))
        raise httpcore.ConnectError("refused by the test")

    monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp", record)

    with pytest.raises(FetchError) as caught:
        fetch("https://rebind.example/story", policy=PRODUCTION)
    assert caught.value.reason == "connect"
    # A later fetch sees the rebound answer and is refused before dialling anything.
    with pytest.raises(BlockedDestination):
        fetch("https://rebind.example/story", policy=PRODUCTION)

    assert dialled == [("93.184.215.14", 443)]
    assert fake_dns.lookups == ["rebind.example", "rebind.example"]


def test_backend_resolves_a_host_once_per_fetch(fake_dns, monkeypatch):
    fake_dns.add("rebind.example", ["93.184.215.14"], ["169.254.169.254"])
    dialled: list[tuple[str, int]] = []
    monkeypatch.setattr(
        httpcore.SyncBackend,
        "connect_tcp",
        lambda self, host, port, **kwargs: dialled.append((host, port)) or object(),
    )
    backend = GuardedBackend(PRODUCTION, Deadline(5))

    backend.connect_tcp("rebind.example", 443, timeout=1)
    backend.connect_tcp("rebind.example", 443, timeout=1)

    assert fake_dns.lookups == ["rebind.example"]
    assert dialled == [("93.184.215.14", 443), ("93.184.215.14", 443)]
