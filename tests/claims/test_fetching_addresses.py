"""Address classification: what is public, what the test allowance lifts, what it never does."""

from __future__ import annotations

import ipaddress

import pytest

from claims.fetching import BlockedDestination, FetchPolicy
from claims.fetching.addresses import classify, is_localhost_name, parse_numeric_host

PUBLIC = [
    "93.184.215.14",
    "8.8.8.8",
    "1.1.1.1",
    "2606:2800:21f:cb07:6820:80da:af6b:8b2c",
    "2a00:1450:4001:82b::200e",
    "64:ff9b::808:808",  # NAT64 of a public address
    "2002:808:808::1",  # 6to4 of a public address
    "::ffff:8.8.8.8",
]
LIFTED_BY_ALLOWANCE = [
    "127.0.0.1",
    "127.255.0.9",
    "::1",
    "10.0.0.1",
    "172.31.255.255",
    "192.168.0.10",
    "100.64.0.1",
    "fd00::1",
    "fec0::1",
    "::ffff:127.0.0.1",
    "64:ff9b::a00:1",
    "2002:c0a8:101::1",
]
NEVER_ALLOWED = [
    "0.0.0.0",
    "0.1.2.3",
    "169.254.169.254",
    "169.254.0.1",
    "224.0.0.251",
    "239.255.255.250",
    "255.255.255.255",
    "240.0.0.1",
    "192.0.2.1",
    "198.18.0.1",
    "::",
    "fe80::1",
    "ff02::1",
    "fd00:ec2::254",
    "::ffff:169.254.169.254",
    "::ffff:0.0.0.0",
    "::127.0.0.1",
    "::8.8.8.8",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1:a9fe:a9:fe00::",
    "2002:a9fe:a9fe::",
    "2002::",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:db8::1",
]


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass_the_production_policy(address):
    ip = ipaddress.ip_address(address)

    assert classify(ip) is None
    FetchPolicy().check_address(ip)


@pytest.mark.parametrize("address", LIFTED_BY_ALLOWANCE)
def test_private_addresses_are_blocked_unless_the_test_allowance_is_on(address):
    ip = ipaddress.ip_address(address)

    with pytest.raises(BlockedDestination):
        FetchPolicy().check_address(ip)
    FetchPolicy(allow_private_networks=True).check_address(ip)


@pytest.mark.parametrize("address", NEVER_ALLOWED)
def test_special_addresses_are_blocked_even_with_the_allowance(address):
    ip = ipaddress.ip_address(address)

    with pytest.raises(BlockedDestination) as caught:
        FetchPolicy(allow_private_networks=True).check_address(ip)

    assert str(caught.value).startswith(f"{ip} is ")


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F.0.0.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0x", "0.0.0.0"),
        ("169.254.43518", "169.254.169.254"),
        ("news.example", None),
        ("0x1g", None),
        ("1e100.net", None),
    ],
)
def test_numeric_hosts_are_read_as_browsers_read_them(host, expected):
    parsed = parse_numeric_host(host)

    assert (str(parsed) if parsed else None) == expected


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.0.0.1", "1.2.3.256", "09.0.0.1", "1..2"])
def test_invalid_numeric_hosts_are_errors(host):
    with pytest.raises(ValueError):
        parse_numeric_host(host)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("localhost", True),
        ("LocalHost.", True),
        ("api.localhost", True),
        ("localhost.localdomain", True),
        ("notlocalhost", False),
        ("localhost.example", False),
    ],
)
def test_localhost_names(host, expected):
    assert is_localhost_name(host) is expected


def test_port_outside_the_policy_is_blocked():
    with pytest.raises(BlockedDestination) as caught:
        FetchPolicy().check_port(8080)

    assert str(caught.value) == "port 8080 is not allowed (allowed: 80, 443)"
