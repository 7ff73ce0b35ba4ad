"""Every new citation is ranked, a piece cites a bounded number of sites, hosts are spared."""

import pytest
from django.core.management import call_command

from claims.models import Article, Citation, FetchHost, Passage, Source
from claims.tasks import fetch_source
from tests.api.conftest import client_as
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, fetch_settings  # noqa: F401

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/articles/"


def column(url: str, topic: str) -> str:
    """Return a Markdown piece whose first claim cites `url` about the bridge."""
    return (
        f"On {topic}, [the council spent 4.2 million dollars on the bridge in 2023]({url}). "
        "It feels wasteful.\n"
    )


@pytest.fixture
def fetches_in_process(monkeypatch):
    """Run scheduled fetches in the test's process, even when a real broker is configured."""
    monkeypatch.setattr(fetch_source, "delay", lambda **kwargs: fetch_source.apply(kwargs=kwargs))


@pytest.mark.usefixtures("fetch_settings", "fetches_in_process")
def test_a_later_piece_citing_an_archived_source_gets_passages_without_a_refetch(
    server, django_capture_on_commit_callbacks
):
    server.route("/audit", page(REPORT_HTML))
    cms = client_as("ingest key")
    with django_capture_on_commit_callbacks(execute=True):
        first = cms.post(
            ARTICLES,
            {"title": "One", "body": column(server.url("/audit"), "Monday"), "format": "markdown"},
            format="json",
        )
    source = Source.objects.get()
    assert source.state == Source.State.FETCHED

    with django_capture_on_commit_callbacks(execute=True):
        second = cms.post(
            ARTICLES,
            {"title": "Two", "body": column(server.url("/audit"), "Friday"), "format": "markdown"},
            format="json",
        )

    assert (first.status_code, second.status_code) == (201, 201)
    later = Citation.objects.get(claim__article_id=second.json()["article"]["id"])
    assert later.origin == Citation.Origin.ARTICLE
    passages = Passage.objects.filter(claim=later.claim, snapshot=source.last_snapshot)
    assert passages.exists()
    assert "4.2 million dollars" in passages.order_by("rank").first().text
    assert [request.path for request in server.received] == ["/audit"]


def links(count: int, hosts: int = 1) -> str:
    return "\n".join(
        f"The council spent {n} million dollars, [says site {n % hosts}]"
        f"(https://site{n % hosts}.example/report/{n})."
        for n in range(count)
    )


def test_a_piece_with_more_links_than_the_cap_is_refused_with_a_message_and_nothing_stored():
    response = client_as("ingest key").post(
        ARTICLES, {"title": "Link farm", "body": links(201), "format": "markdown"}, format="json"
    )

    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "links 201 addresses" in message and "at most 200" in message
    assert "INGEST_MAX_LINKS" in message
    assert not Source.objects.exists()
    assert not Article.objects.exists()


def test_a_piece_at_the_cap_is_ingested():
    response = client_as("ingest key").post(
        ARTICLES, {"title": "Many", "body": links(200), "format": "markdown"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Source.objects.count() == 200


def test_a_piece_linking_too_many_sites_is_refused(settings):
    settings.INGEST_MAX_LINK_HOSTS = 3

    response = client_as("ingest key").post(
        ARTICLES,
        {"title": "Sprawl", "body": links(8, hosts=4), "format": "markdown"},
        format="json",
    )

    assert response.status_code == 400
    assert "4 different sites" in response.json()["error"]["message"]
    assert not Source.objects.exists()


@pytest.mark.usefixtures("fetch_settings")
def test_a_second_fetch_from_one_host_waits_for_its_turn_and_costs_no_attempt(server, settings):
    settings.FETCH_HOST_INTERVAL_SECONDS = 3600
    server.route("/a", page(REPORT_HTML))
    server.route("/b", page(REPORT_HTML))
    first, second = (
        Source.objects.create(url=url, normalized_url=url)
        for url in (server.url("/a"), server.url("/b"))
    )

    assert fetch_source.apply(kwargs={"source_id": first.pk}).get() == Source.State.FETCHED
    assert fetch_source.apply(kwargs={"source_id": second.pk}).get() == "pending"

    second.refresh_from_db()
    assert (second.state, second.attempts) == (Source.State.PENDING, 0)
    assert [request.path for request in server.received] == ["/a"]
    # The host's turn comes (an hour later): the waiting source is fetched.
    FetchHost.objects.update(next_fetch_at=second.created_at)
    assert fetch_source.apply(kwargs={"source_id": second.pk}).get() == Source.State.FETCHED


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fetch_settings")
def test_the_fetch_command_waits_for_each_hosts_turn(server, settings):
    settings.FETCH_HOST_INTERVAL_SECONDS = 0.2
    for path in ("/a", "/b", "/c"):
        server.route(path, page(REPORT_HTML))
        Source.objects.create(url=server.url(path), normalized_url=server.url(path))

    call_command("fetch_sources", "--concurrency", "3", verbosity=0)

    assert set(Source.objects.values_list("state", flat=True)) == {Source.State.FETCHED}
    assert FetchHost.objects.get().host == f"127.0.0.1:{server.port}"
