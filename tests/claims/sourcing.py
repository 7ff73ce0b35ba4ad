"""Helpers for the cited-sources tests: fetch settings for the local server, pages, citations."""

from __future__ import annotations

import itertools

import pytest

from claims.fetching import normalize_url
from claims.models import Citation, Claim, Source
from claims.services import source_for_url
from tests.claims.httpserver import LocalServer
from tests.factories import ArticleFactory, ClaimFactory

REPORT_HTML = b"""<!doctype html>
<html><head><title>Bridge audit finds overspend</title>
<meta name="author" content="Jane Reporter">
<meta property="og:site_name" content="The Ledger">
<meta property="article:published_time" content="2024-03-05">
</head><body><article>
<h1>Bridge audit finds overspend</h1>
<p>The city auditor published her review of the river bridge on Tuesday, after months of
delays and two court challenges from the contractor.</p>
<p>According to the audit, the council spent 4.2 million dollars on the bridge in 2023,
nearly double the 2.3 million dollars it had budgeted for the year.</p>
<p>Residents at the meeting asked why the overruns were not reported earlier. The mayor said
the council would answer in writing within a month.</p>
<p>Weather delayed the painting of the railings, and the footpath reopened in October.</p>
</article></body></html>
"""


@pytest.fixture
def fetch_settings(settings, server: LocalServer, tmp_path):
    """Let the fetcher reach the local server, retry fast, and archive under a temporary root."""
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [server.port]
    settings.FETCH_DEADLINE_SECONDS = 5.0
    settings.FETCH_RETRY_BACKOFF_SECONDS = 1.0
    settings.FETCH_MAX_ATTEMPTS = 3
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def cite(url: str, claim: Claim | None = None) -> Source:
    """Return the source for ``url``, cited by ``claim`` (a new one by default), unscheduled."""
    claim = claim or ClaimFactory(article=ArticleFactory())
    source, _ = source_for_url(url=url, normalized_url=normalize_url(url))
    Citation.objects.get_or_create(claim=claim, source=source, defaults={"href": url})
    return source


_pieces = itertools.count()


def bridge_claim() -> Claim:
    """Return a claim the report above bears on, from a piece of its own."""
    article = ArticleFactory(
        body=(
            "The council spent 4.2 million dollars on the bridge in 2023. "
            f"It feels wasteful, says reader {next(_pieces)}."
        )
    )
    return ClaimFactory(article=article)
