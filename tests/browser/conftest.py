"""Drive Debian's Chromium through Playwright against the live server; keep step screenshots."""

import importlib
import os
from pathlib import Path

import pytest
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from reviews.roles import sync_roles
from tests.services import REPO, skip_or_fail

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container: no sandbox (root), no GPU, no /dev/shm, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
_saved: list[Path] = []


def output_dir() -> Path:
    """Return where screenshots go: $TEST_OUTPUT_DIR/browser, else test-output/browser."""
    root = Path(os.environ.get("TEST_OUTPUT_DIR") or REPO / "test-output")
    return root / "browser"


@pytest.fixture
def chromium(browser_db):
    """Launch Debian's Chromium (never a browser Playwright downloads) for one test.

    It starts after the database is set up and stops before it is flushed: Playwright's sync
    API runs an event loop in this thread, and Django refuses ORM calls beside a running loop
    unless told they are synchronous test set-up (browser_db says so).
    """
    if not CHROMIUM.exists():
        skip_or_fail("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("needs Playwright for Python (pip install -r requirements-dev.txt)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # The test's ORM calls beside the loop got connections of their own; close them here,
        # or PostgreSQL refuses to drop the test database at the end of the run.
        connections.close_all()


@pytest.fixture
def screenshots(request):
    """Return a function that saves a full-page screenshot of `page` as the next step."""
    folder = output_dir() / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    steps = iter(range(1, 100))

    def shoot(page, name: str) -> Path:
        path = folder / f"{next(steps):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _saved.append(path)
        return path

    return shoot


@pytest.fixture
def browser_db(transactional_db, monkeypatch):
    """Re-seed the roles and rating scale a flush removed; let this thread use the ORM.

    Playwright's sync API runs an event loop in the test's thread, which Django's async-safety
    check mistakes for async code; the test's ORM calls are plain synchronous set-up and checks.
    """
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    state = MigrationLoader(connection).project_state().apps
    sync_roles(state)
    importlib.import_module("reviews.migrations.0003_rating_scale").seed_scale(state, None)


def pytest_terminal_summary(terminalreporter):
    if _saved:
        terminalreporter.write_line(
            f"browser screenshots ({len(_saved)}): {_saved[0].parent.parent}"
        )
