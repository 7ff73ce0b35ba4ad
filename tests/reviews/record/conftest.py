"""Fixtures for the published-record tests: a local server and fetch settings (people: above)."""

from collections.abc import Iterator

import pytest

from tests.claims.httpserver import LocalServer


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
