"""The weekly re-check records whether a cited page still answers and still says the same."""

import pytest
from django.utils import timezone

from claims.models import Claim, FetchAttempt, Snapshot, Source
from claims.services import source_fetch, source_recheck, sources_recheck_links
from claims.tasks import recheck_source
from reviews.workflow import Stage
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401
from tests.reviews.factories import ticket_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings")]

LinkStatus = Source.LinkStatus


@pytest.fixture
def archived(server):
    server.route("/report", page(REPORT_HTML))
    return source_fetch(source_id=cite(server.url("/report")).pk)


@pytest.mark.parametrize(
    ("live", "status"),
    [
        (page(REPORT_HTML), LinkStatus.UNCHANGED),
        (
            page(REPORT_HTML.replace(b"<h1>", b"<nav>Subscribe today!</nav><h1>")),
            LinkStatus.UNCHANGED,
        ),
        (page(REPORT_HTML.replace(b"4.2 million", b"3.9 million")), LinkStatus.CHANGED),
        (page(b"gone", status=404), LinkStatus.GONE),
        (page(b"gone", status=410), LinkStatus.GONE),
        (page(b"down", status=503), LinkStatus.UNREACHABLE),
    ],
)
def test_the_live_page_is_compared_with_the_archive(server, archived, live, status):
    server.route("/report", live)

    source = source_recheck(source_id=archived.pk)

    assert source.link_status == status
    assert source.last_checked_at is not None
    # The snapshot stays the archive of record.
    assert source.last_snapshot_id == archived.last_snapshot_id
    assert Snapshot.objects.filter(source=source).count() == 1
    attempt = FetchAttempt.objects.filter(source=source).latest("id")
    assert attempt.purpose == FetchAttempt.Purpose.RECHECK


def test_only_archived_sources_not_checked_lately_are_queued(
    server, archived, monkeypatch, settings
):
    settings.FETCH_RECHECK_CLAIMS = ""  # every archived source
    queued = []
    monkeypatch.setattr(
        recheck_source, "delay", lambda **kwargs: queued.append(kwargs["source_id"])
    )
    cite(server.url("/pending"))
    recent = source_fetch(source_id=cite(server.url("/report?recent=1")).pk)
    Source.objects.filter(pk=recent.pk).update(last_checked_at=timezone.now())

    assert sources_recheck_links() == 1
    assert queued == [archived.pk]


def test_the_recheck_covers_the_claims_the_configured_callable_chooses(
    server, archived, settings, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        recheck_source, "delay", lambda **kwargs: queued.append(kwargs["source_id"])
    )
    mine = source_fetch(source_id=cite(server.url("/report?mine=1"), bridge_claim()).pk)
    settings.FETCH_RECHECK_CLAIMS = "tests.claims.test_link_rot.claims_chosen"

    assert sources_recheck_links() == 1
    assert queued == [mine.pk]


def claims_chosen():
    """Stand in for the reviews app's "claims behind published verdicts"."""
    return Claim.objects.filter(citations__source__normalized_url__endswith="mine=1")


def test_by_default_the_recheck_covers_the_sources_behind_published_verdicts(
    server, archived, monkeypatch
):
    queued = []
    monkeypatch.setattr(
        recheck_source, "delay", lambda **kwargs: queued.append(kwargs["source_id"])
    )
    published = ticket_in(Stage.PUBLISHED).claim
    behind = source_fetch(source_id=cite(server.url("/report?published=1"), published).pk)
    source_fetch(source_id=cite(server.url("/report?draft=1"), ticket_in(Stage.APPROVED).claim).pk)

    # `archived` and the approved-only claim's source have no published verdict behind them.
    assert sources_recheck_links() == 1
    assert queued == [behind.pk]
