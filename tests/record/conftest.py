"""Fixtures for the published-record tests: the desk's people, a local server, fetch settings."""

from collections.abc import Iterator

import pytest

from reviews.tasks import send_notification
from tests.claims.httpserver import LocalServer
from tests.reviews.factories import new_editor, new_fact_checker


@pytest.fixture
def server() -> Iterator[LocalServer]:
    local = LocalServer().start()
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def fetch_settings(settings, server, tmp_path):
    """Let the fetcher reach the local server; archive under a temporary root."""
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [server.port]
    settings.FETCH_DEADLINE_SECONDS = 5.0
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


@pytest.fixture(autouse=True)
def notifications_in_process(monkeypatch):
    monkeypatch.setattr(
        send_notification, "delay", lambda **kwargs: send_notification.apply(kwargs=kwargs)
    )


@pytest.fixture
def checker(db):
    return new_fact_checker(username="checker")


@pytest.fixture
def editor(db):
    return new_editor(username="editor")
