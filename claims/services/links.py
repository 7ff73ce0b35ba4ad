"""Re-check the live URLs of archived sources: does the page still answer, and say the same?"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string

from claims.fetching import FetchError, FetchPolicy, extract_document, fetch
from claims.models import Claim, FetchAttempt, Source
from factcheck.queueing import delay_each

logger = logging.getLogger(__name__)

__all__ = ["source_recheck", "sources_recheck_links"]

LinkStatus = Source.LinkStatus
GONE_REASONS = frozenset({"http_404", "http_410"})


def sources_recheck_links(
    *, claims: QuerySet[Claim] | None = None, now: datetime | None = None
) -> int:
    """Queue a live re-check of each archived source cited by ``claims`` and not checked lately.

    Without ``claims``, the FETCH_RECHECK_CLAIMS callable chooses them (the reviews app
    supplies "claims behind published verdicts"); when that is unset, every archived source.
    Return how many re-checks were queued.
    """
    # Imported here: the tasks module imports the services.
    from claims.tasks import recheck_source

    now = now or timezone.now()
    if claims is None and settings.FETCH_RECHECK_CLAIMS:
        claims = import_string(settings.FETCH_RECHECK_CLAIMS)()
    stale = now - timedelta(days=settings.FETCH_RECHECK_AFTER_DAYS)
    sources = Source.objects.filter(state=Source.State.FETCHED).filter(
        Q(last_checked_at__isnull=True) | Q(last_checked_at__lte=stale)
    )
    if claims is not None:
        sources = sources.filter(citations__claim__in=claims)
    ids = list(sources.order_by("id").values_list("id", flat=True).distinct())
    # Not urgent: what a broker outage leaves unqueued, next week's run picks up.
    unsent = delay_each(recheck_source, key="source_id", ids=ids, what="link re-check(s)")
    return len(ids) - len(unsent)


def source_recheck(*, source_id: int) -> Source:
    """Fetch the source's live URL and record whether it answers and matches its snapshot."""
    source = Source.objects.select_related("last_snapshot").get(pk=source_id)
    attempt = FetchAttempt.objects.create(source=source, purpose=FetchAttempt.Purpose.RECHECK)
    started = time.monotonic()
    try:
        result = fetch(source.normalized_url, policy=FetchPolicy.from_settings())
    except FetchError as exc:
        status = LinkStatus.GONE if exc.reason in GONE_REASONS else LinkStatus.UNREACHABLE
        attempt.outcome = (
            FetchAttempt.Outcome.BLOCKED if exc.reason == "blocked" else FetchAttempt.Outcome.FAILED
        )
        attempt.reason = exc.reason[:32]
        attempt.error_class = type(exc).__name__
        attempt.message = str(exc)[:5000]
        attempt.http_status = exc.status
    else:
        status = _compare(source, result)
        attempt.outcome = FetchAttempt.Outcome.SUCCEEDED
        attempt.http_status = result.status
        attempt.message = f"live page {status}"
    attempt.finished_at = timezone.now()
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.save()
    source.link_status = status
    source.last_checked_at = attempt.finished_at
    source.save(update_fields=["link_status", "last_checked_at", "updated_at"])
    return source


def _compare(source: Source, result) -> str:
    snapshot = source.last_snapshot
    if snapshot is None or result.sha256 == snapshot.sha256:
        return LinkStatus.UNCHANGED
    # Pages change around the article (ads, dates, comments); compare the main text.
    try:
        live = extract_document(
            result.body,
            url=result.final_url,
            content_type=result.content_type,
            charset=result.charset,
        ).text
    except FetchError:
        return LinkStatus.CHANGED
    same = " ".join(live.split()) == " ".join(snapshot.text.split())
    return LinkStatus.UNCHANGED if same else LinkStatus.CHANGED
