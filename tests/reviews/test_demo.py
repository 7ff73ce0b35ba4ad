"""The demo shows the whole evidence flow offline: its second piece cites pages it serves itself."""

import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from claims.models import Article, Passage, Source
from tests.services import REPO

SEEDS = REPO / "seeds"
SECOND_PIECE = SEEDS / "harbourview-tram-opinion.md"
DEMO_PREFIX = "http://127.0.0.1:8000/demo/sources/"


@pytest.fixture
def no_broker(settings):
    """Run tasks in-process, as the demo does without a broker, even when tests have one."""
    from factcheck.celery import app

    # Read Celery's own flag first: its first read loads it from the Django setting.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    yield
    app.conf.task_always_eager = eager


def cited_pages() -> list[str]:
    return re.findall(r"\]\((http[^)]+)\)", SECOND_PIECE.read_text(encoding="utf-8"))


def test_every_link_of_the_second_sample_piece_is_a_sample_page_in_seeds():
    links = cited_pages()
    assert len(links) == 3
    for link in links:
        assert link.startswith(DEMO_PREFIX)
        assert (SEEDS / "sources" / link.removeprefix(DEMO_PREFIX)).is_file(), link
    manifest = json.loads((SEEDS / "manifest.json").read_text())
    assert {piece["path"] for piece in manifest["pieces"]} == {
        "openai-microsoft-bedrock-opinion.txt",
        "harbourview-tram-opinion.md",
    }


def test_the_sample_pages_are_served_in_debug(client, settings):
    settings.DEBUG = True
    response = client.get("/demo/sources/city-audit-eastside-tram.html")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"4 percent under budget" in response.content


@pytest.mark.parametrize(
    "path",
    [
        "/demo/sources/city-audit-eastside-tram.html",
        "/demo/sources/no-such-page.html",
        "/demo/sources/..%2Fmanifest.json",
        "/demo/sources/%2E%2E.html",
    ],
)
def test_production_never_serves_them_and_debug_serves_nothing_else(client, settings, path):
    settings.DEBUG = False
    assert client.get(path).status_code == 404
    if "city-audit" not in path:
        settings.DEBUG = True
        assert client.get(path).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_second_piece_archives_its_sources_through_the_fetcher(
    live_server, settings, tmp_path, no_broker
):
    """As `make demo` does, with the live server's port in place of 8000."""
    settings.DEBUG = True
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    port = live_server.url.rsplit(":", 1)[1]
    settings.FETCH_ALLOWED_PORTS = [int(port)]
    piece = tmp_path / "piece.md"
    piece.write_text(
        SECOND_PIECE.read_text(encoding="utf-8").replace(
            DEMO_PREFIX, f"{live_server.url}/demo/sources/"
        ),
        encoding="utf-8",
    )
    call_command("ingest", str(piece), stdout=io.StringIO())
    article = Article.objects.get()
    sources = Source.objects.all()
    assert sources.count() == 3
    assert set(sources.values_list("state", flat=True)) == {Source.State.FETCHED}
    assert Passage.objects.filter(claim__article=article).exists()


def test_without_the_demo_settings_the_fetcher_refuses_loopback():
    from claims.fetching import BlockedDestination, FetchPolicy, fetch

    with pytest.raises(BlockedDestination):
        fetch(DEMO_PREFIX + "city-audit-eastside-tram.html", policy=FetchPolicy())


def test_demo_serve_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("demo_serve")


@pytest.mark.django_db
def test_demo_serve_ends_by_saying_where_to_go_and_who_to_log_in_as(
    settings, tmp_path, monkeypatch, no_broker
):
    from reviews.management.commands import demo_serve

    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    started, served = [], []
    monkeypatch.setattr(demo_serve.inprocess, "start", lambda: started.append(True))
    answers = SimpleNamespace(get=lambda *a, **k: None, HTTPError=demo_serve.httpx.HTTPError)
    monkeypatch.setattr(demo_serve, "httpx", answers)

    def fake_call(name, *args, **kwargs):
        if name == "runserver":
            served.append(args)
        else:
            call_command(name, *args, **kwargs)

    monkeypatch.setattr(demo_serve, "call_command", fake_call)
    monkeypatch.setattr(demo_serve, "threading", SimpleNamespace(Thread=_Now))
    out = io.StringIO()
    call_command("demo_serve", "127.0.0.1:8123", manifest=str(SEEDS / "manifest.json"), stdout=out)
    text = out.getvalue()
    assert started == [True] and served == [("127.0.0.1:8123",)]
    last = text.strip().splitlines()
    assert "Open http://127.0.0.1:8123/admin/" in text
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    for username, password in credentials.items():
        assert f"{username}" in text and password in text
    assert "Ctrl-C" in last[-1]
    assert Article.objects.count() == 2


class _Now:
    """A thread that runs its target at start(), so the test sees its output in order."""

    def __init__(self, target, args, **kwargs):
        self.target, self.args = target, args

    def start(self):
        self.target(*self.args)
