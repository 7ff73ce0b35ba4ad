"""Classify IP addresses and host names, and resolve hosts once, for the SSRF guard."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

IPAddress = IPv4Address | IPv6Address

_THIS_NETWORK = IPv4Network("0.0.0.0/8")
_CGNAT = IPv4Network("100.64.0.0/10")
_LINK_LOCAL_V4 = IPv4Network("169.254.0.0/16")
_BROADCAST = IPv4Address("255.255.255.255")
_RFC1918 = (IPv4Network("10.0.0.0/8"), IPv4Network("172.16.0.0/12"), IPv4Network("192.168.0.0/16"))
_METADATA = frozenset(
    {IPv4Address("169.254.169.254"), IPv4Address("169.254.170.2"), IPv6Address("fd00:ec2::254")}
)

_IPV4_COMPATIBLE = IPv6Network("::/96")
_NAT64 = IPv6Network("64:ff9b::/96")
_NAT64_LOCAL = IPv6Network("64:ff9b:1::/48")
_6TO4 = IPv6Network("2002::/16")
_TEREDO = IPv6Network("2001::/32")
_ULA = IPv6Network("fc00::/7")

_HEX_LABEL = re.compile(r"0[xX][0-9a-fA-F]*")


@dataclass(frozen=True)
class Verdict:
    """Say why an address is not public, and whether the test-only allowance may lift that."""

    description: str
    private: bool


def classify(ip: IPAddress) -> Verdict | None:
    """Return why ``ip`` is not a public destination, or None when it is public."""
    if isinstance(ip, IPv4Address):
        return _classify_v4(ip)
    return _classify_v6(ip)


def _classify_v4(ip: IPv4Address) -> Verdict | None:
    # Never liftable: these reach the host itself, the cloud metadata service or nothing sane.
    if ip in _THIS_NETWORK:
        return Verdict("in 0.0.0.0/8, which reaches this host", private=False)
    if ip in _LINK_LOCAL_V4:
        if ip in _METADATA:
            return Verdict("a link-local cloud metadata address", private=False)
        return Verdict("a link-local address", private=False)
    if ip.is_multicast:
        return Verdict("a multicast address", private=False)
    if ip == _BROADCAST:
        return Verdict("the broadcast address", private=False)
    if ip.is_loopback:
        return Verdict("a loopback address", private=True)
    if ip in _CGNAT:
        return Verdict("a carrier-grade NAT address (100.64.0.0/10)", private=True)
    if any(ip in network for network in _RFC1918):
        return Verdict("a private address", private=True)
    if ip.is_reserved:
        return Verdict("a reserved address", private=False)
    if not ip.is_global:
        return Verdict("not a globally routable address", private=False)
    return None


def _classify_v6(ip: IPv6Address) -> Verdict | None:
    # Python's is_global misses several embedded-IPv4 forms, hence the explicit checks first.
    if ip.ipv4_mapped is not None:
        return _embedded("an IPv4-mapped form of", ip.ipv4_mapped)
    if ip.is_unspecified:
        return Verdict("the unspecified address", private=False)
    if ip.is_loopback:
        return Verdict("a loopback address", private=True)
    if ip in _IPV4_COMPATIBLE:
        return Verdict("a deprecated IPv4-compatible address", private=False)
    if ip in _NAT64:
        return _embedded("a NAT64 address embedding", IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _NAT64_LOCAL:
        embedded = _embedded("a local-use NAT64 address embedding", _rfc6052_slash48(ip))
        if embedded is not None and not embedded.private:
            return embedded
        return Verdict("a local-use NAT64 address (64:ff9b:1::/48)", private=True)
    if ip in _6TO4:
        return _embedded("a 6to4 address embedding", IPv4Address((int(ip) >> 80) & 0xFFFFFFFF))
    if ip in _TEREDO:
        return Verdict("a Teredo tunnel address", private=False)
    if ip.is_link_local:
        return Verdict("a link-local address", private=False)
    if ip.is_multicast:
        return Verdict("a multicast address", private=False)
    if ip in _ULA:
        if ip in _METADATA:
            return Verdict("a cloud metadata address", private=False)
        return Verdict("a unique local address", private=True)
    if ip.is_site_local:
        return Verdict("a deprecated site-local address", private=True)
    if ip.is_reserved:
        return Verdict("a reserved address", private=False)
    if not ip.is_global:
        return Verdict("not a globally routable address", private=False)
    return None


def _embedded(prefix: str, v4: IPv4Address) -> Verdict | None:
    verdict = _classify_v4(v4)
    if verdict is None:
        return None
    return Verdict(f"{prefix} {v4}, {verdict.description}", private=verdict.private)


def _rfc6052_slash48(ip: IPv6Address) -> IPv4Address:
    # RFC 6052 puts the IPv4 octets of a /48 prefix around the reserved "u" octet (bits 64-71).
    packed = ip.packed
    return IPv4Address(packed[6:8] + packed[9:11])


def parse_numeric_host(host: str) -> IPv4Address | None:
    """Return the IPv4 address a numeric host like ``127.1`` or ``0x7f000001`` names.

    Follow the WHATWG URL host parser, which browsers and many resolvers share, so
    decimal, octal, hex and shortened forms cannot smuggle an address past the check.
    Return None for host names; raise ValueError for a host that ends in a number but
    is not a valid address.
    """
    labels = host.split(".")
    if labels[-1] == "" and len(labels) > 1:
        labels.pop()
    last = labels[-1]
    if not (last.isdigit() and last.isascii()) and not _HEX_LABEL.fullmatch(last):
        return None
    if len(labels) > 4:
        raise ValueError(f"{host!r} has too many numeric parts for an IPv4 address")
    numbers = [_parse_ipv4_number(label, host) for label in labels]
    if any(number > 255 for number in numbers[:-1]) or numbers[-1] >= 256 ** (5 - len(numbers)):
        raise ValueError(f"{host!r} is out of range for an IPv4 address")
    value = numbers[-1]
    for position, number in enumerate(numbers[:-1]):
        value += number << (8 * (3 - position))
    return IPv4Address(value)


def _parse_ipv4_number(label: str, host: str) -> int:
    try:
        if label[:2].lower() == "0x":
            return int(label[2:] or "0", 16)
        if len(label) > 1 and label.startswith("0"):
            return int(label[1:], 8)
        if label.isdigit() and label.isascii():
            return int(label)
    except ValueError:
        pass
    raise ValueError(f"{host!r} is not a valid numeric IPv4 address")


def literal_address(host: str) -> IPAddress | None:
    """Return the address an IP-literal host names, or None for a host name."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    try:
        return parse_numeric_host(bare)
    except ValueError:
        # Not an address at all; the URL parser rejects these before any fetch.
        return None


def is_localhost_name(host: str) -> bool:
    """Return True for names that always mean this machine (RFC 6761), trailing dot or not."""
    name = host.rstrip(".").lower()
    return name in {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"} or (
        name.endswith(".localhost")
    )


def resolve_host(host: str, port: int, *, timeout: float) -> list[IPAddress]:
    """Resolve ``host`` once, giving up after ``timeout`` seconds.

    getaddrinfo has no timeout of its own, so it runs in a daemon thread that a slow
    resolver cannot use to hold the fetch past its deadline.
    """
    outcome: dict[str, object] = {}

    def lookup() -> None:
        try:
            outcome["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            outcome["error"] = exc

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"resolving {host} took longer than {timeout:.1f}s")
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    addresses: list[IPAddress] = []
    for family, _type, _proto, _canon, sockaddr in outcome["infos"]:  # type: ignore[union-attr]
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(sockaddr[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise OSError(f"{host} has no IPv4 or IPv6 address")
    return addresses
