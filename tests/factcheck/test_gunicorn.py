"""Behind real gunicorn (factcheck/gunicorn.py): archived bodies arrive whole, HTTPS is trusted
only when DJANGO_BEHIND_TLS_PROXY says so."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.system.stack import REPO, free_port, wait_until

BIN = Path(sys.executable).parent
BODY = b"<html><body><p>The bridge cost 2.1 million dollars.</p></body></html>" * 500

SEED = """
import gzip
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from claims.models import Snapshot, Source
get_user_model().objects.create_superuser("root", "root@example.org", "root-password-123")
source = Source.objects.create(
    url="https://ledger.example/a", normalized_url="https://ledger.example/a", state="fetched"
)
body = open({body!r}, "rb").read()
snapshot = Snapshot(
    source=source, final_url=source.url, status=200, content_type="text/html",
    sha256="0" * 64, size=len(body), text="The bridge cost 2.1 million dollars.",
)
snapshot.body.save("snapshot.gz", ContentFile(gzip.compress(body)), save=False)
snapshot.save()
print("snapshot", snapshot.pk)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    """Return the production-like environment of a migrated SQLite site with one snapshot."""
    root = tmp_path_factory.mktemp("gunicorn")
    (root / "body.html").write_bytes(BODY)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "gunicorn-test-key-signing-nothing-real-0123456789",
        "DATABASE_URL": f"sqlite:///{root / 'db.sqlite3'}",
        "MEDIA_ROOT": str(root / "media"),
        "STATIC_ROOT": str(root / "static"),
        "CELERY_BROKER_URL": "",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "AXES_ENABLED": "0",
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
    }
    manage = [str(BIN / "python"), "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=REPO, env=env, check=True)
    seeded = subprocess.run(
        [*manage, "shell", "-c", SEED.format(body=str(root / "body.html"))],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    env["SNAPSHOT_ID"] = re.search(r"snapshot (\d+)", seeded.stdout).group(1)
    return env


@pytest.fixture
def gunicorn(site) -> Iterator:
    """Start gunicorn with the project's config and `extra` environment; yield its base URL."""
    started = []

    def start(**extra: str) -> str:
        port = free_port()
        env = {**site, **extra, "WEB_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"}
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "factcheck.wsgi", "--config", "factcheck/gunicorn.py"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _answers(base), timeout=60, what="gunicorn to answer")
        return base

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code in (200, 503)
    except httpx.TransportError:
        return False


def logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10)
    form = client.get("/admin/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post(
        "/admin/login/?next=/admin/",
        data={"username": "root", "password": "root-password-123", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/admin/login/"},
    )
    assert response.status_code == 302, response.text[:500]
    return client


def test_the_archived_body_downloads_whole_under_gunicorn(site, gunicorn):
    base = gunicorn()

    client = logged_in(base)
    response = client.get(f"/admin/claims/snapshot/{site['SNAPSHOT_ID']}/body/")
    client.close()

    assert response.status_code == 200
    assert response.headers["Content-Length"] == str(len(BODY))
    assert response.content == BODY


@pytest.mark.parametrize(("behind_proxy", "redirected"), [("0", True), ("1", False)])
def test_gunicorn_trusts_x_forwarded_proto_only_behind_a_tls_proxy(
    gunicorn, behind_proxy, redirected
):
    base = gunicorn(DJANGO_BEHIND_TLS_PROXY=behind_proxy, DJANGO_SECURE_SSL_REDIRECT="1")

    response = httpx.get(f"{base}/admin/login/", headers={"X-Forwarded-Proto": "https"})

    # Plain HTTP from a client that only claims HTTPS is redirected unless a TLS proxy is declared.
    assert (response.status_code == 301) is redirected
    if redirected:
        assert response.headers["Location"].startswith("https://")
