"""TLS is always verified, against the URL's host name even though the fetcher dials an IP."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from claims.fetching import FetchError, FetchPolicy, fetch
from tests.claims.httpserver import LocalServer, page

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Issue a throwaway CA and a certificate for fetch.example signed by it."""
    folder = tmp_path_factory.mktemp("tls")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(
        "req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=Factcheck test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    openssl("req", *curve, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=fetch.example")
    (folder / "leaf.ext").write_text(
        "subjectAltName=DNS:fetch.example\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
    )
    openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "leaf.pem", "-days", "2", "-extfile", "leaf.ext",
    )  # fmt: skip
    return folder


@pytest.fixture
def tls_server(certificates: Path) -> Iterator[LocalServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    local = LocalServer(ssl_context=context).start()
    local.route("/story", page(b"<p>over TLS</p>"))
    yield local
    local.stop()


@pytest.fixture
def tls_policy(tls_server: LocalServer) -> FetchPolicy:
    return FetchPolicy(allow_private_networks=True, allowed_ports=frozenset({tls_server.port}))


def test_untrusted_certificate_is_refused(tls_server, tls_policy, fake_dns, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    fake_dns.add("fetch.example", ["127.0.0.1"])

    with pytest.raises(FetchError) as caught:
        fetch(tls_server.url("/story", host="fetch.example"), policy=tls_policy)

    assert (caught.value.reason, caught.value.permanent) == ("tls", False)
    assert tls_server.received == []


def test_certificate_is_checked_against_the_host_name_not_the_ip(
    tls_server, tls_policy, certificates, fake_dns, connections, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    fake_dns.add("fetch.example", ["127.0.0.1"])

    result = fetch(tls_server.url("/story", host="fetch.example"), policy=tls_policy)

    assert result.body == b"<p>over TLS</p>"
    assert connections == [("127.0.0.1", tls_server.port)]


def test_certificate_for_another_name_is_refused(
    tls_server, tls_policy, certificates, fake_dns, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    fake_dns.add("impostor.example", ["127.0.0.1"])

    with pytest.raises(FetchError) as caught:
        fetch(tls_server.url("/story", host="impostor.example"), policy=tls_policy)

    assert caught.value.reason == "tls"
    assert tls_server.received == []


def test_ip_literal_url_does_not_match_a_name_certificate(
    tls_server, tls_policy, certificates, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))

    with pytest.raises(FetchError) as caught:
        fetch(tls_server.url("/story"), policy=tls_policy)

    assert caught.value.reason == "tls"
