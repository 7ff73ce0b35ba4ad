"""Import other publishers' fact-checks (schema.org ClaimReview) from files and feeds."""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from claims.errors import ClaimsError
from claims.fetching import FetchError, FetchPolicy, fetch
from claims.matching.claimreview import ClaimReviewError, parse_claimreviews
from claims.models import ExternalFactCheck

logger = logging.getLogger(__name__)
MAX_IMPORT_BYTES = 50 * 1024 * 1024
FEED_CONTENT_TYPES = frozenset(
    {
        "application/json",
        "application/ld+json",
        "application/x-ndjson",
        "application/jsonl",
        "application/jsonlines",
        "text/html",
        "application/xhtml+xml",
        "text/plain",
    }
)
_FIELDS = (
    "publisher",
    "publisher_url",
    "claim_reviewed",
    "claimant",
    "rating_text",
    "rating_value",
    "best_rating",
    "worst_rating",
    "reviewed_at",
    "language",
)


@dataclass(frozen=True)
class ImportResult:
    """What one import did: rows created, updated in place, unchanged, and reviews skipped."""

    source: str
    created: int
    updated: int
    unchanged: int
    skipped: int

    def summary(self) -> str:
        return (
            f"{self.source}: {self.created} new, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.skipped} skipped"
        )


def _is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def _read(source: str) -> bytes:
    if _is_url(source):
        policy = dataclasses.replace(
            FetchPolicy.from_settings(), allowed_content_types=FEED_CONTENT_TYPES
        )
        try:
            return fetch(source, policy=policy).body
        except FetchError as error:
            raise ClaimsError(f"{source}: cannot fetch it ({error})") from None
    try:
        size = os.stat(source).st_size
        if size > MAX_IMPORT_BYTES:
            raise ClaimsError(f"{source}: {size:,} bytes is over {MAX_IMPORT_BYTES:,}; split it")
        with open(source, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise ClaimsError(f"{source}: cannot read it ({error.strerror})") from None


def external_factchecks_import(*, source: str) -> ImportResult:
    """Import the ClaimReviews of a file or URL; the review URL identifies each one.

    A review imported before is updated in place; all rows of one source are written in one
    transaction. URLs go through the SSRF-safe fetcher. Raise ClaimsError with a one-line
    message for unreadable input.
    """
    data = _read(source)
    try:
        reviews, skipped = parse_claimreviews(data, name=source)
    except ClaimReviewError as error:
        raise ClaimsError(str(error)) from None
    # The last occurrence of a URL within one source wins.
    by_url = {review.url: review for review in reviews}
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {
            row.url: row
            for row in ExternalFactCheck.objects.select_for_update().filter(url__in=list(by_url))
        }
        for url, review in by_url.items():
            values = {field: getattr(review, field) for field in _FIELDS}
            row = existing.get(url)
            if row is None:
                ExternalFactCheck.objects.create(url=url, imported_from=source[:2000], **values)
                created += 1
            elif any(getattr(row, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(row, field, value)
                row.imported_from = source[:2000]
                row.save()
                updated += 1
            else:
                unchanged += 1
    return ImportResult(source, created, updated, unchanged, skipped)


def external_feeds_pull() -> list[ImportResult]:
    """Re-import every feed in CLAIMREVIEW_FEEDS; a failing feed is logged and the rest go on."""
    results = []
    for url in settings.CLAIMREVIEW_FEEDS:
        try:
            results.append(external_factchecks_import(source=url))
        except ClaimsError as error:
            logger.warning("ClaimReview feed not imported: %s", error)
    return results
