"""Celery tasks for cited sources: thin wrappers that own only their retry policy."""

from celery import shared_task
from django.conf import settings

from claims.services import (
    HostBusy,
    TransientFetchError,
    source_fetch,
    source_fetch_in_turn,
    source_recheck,
    sources_recheck_links,
    sources_sweep,
)


@shared_task(name="claims.fetch_source", bind=True, ignore_result=True)
def fetch_source(self, *, source_id: int) -> str:
    """Fetch and archive one source; retry transient failures after the service's countdown."""
    try:
        if self.request.is_eager:
            # In-process there is no broker to wait with: wait for the host's turn here.
            return source_fetch_in_turn(source_id=source_id, patience=30).state
        return source_fetch(source_id=source_id).state
    except HostBusy as busy:
        if self.request.is_eager:
            return "pending"
        # Not a failed attempt: the same message again once the host's turn comes.
        fetch_source.apply_async(
            kwargs={"source_id": source_id}, countdown=busy.countdown, queue=settings.FETCH_QUEUE
        )
        return "pending"
    except TransientFetchError as exc:
        if self.request.is_eager:
            # In-process (no broker) a retry would run at once and block the caller; the source
            # stays pending with its next attempt time for the sweeper or `fetch_sources`.
            return "pending"
        # The countdown already honours Retry-After, backoff and jitter; the service counts
        # attempts and gives up first, so this limit is only a backstop.
        raise self.retry(
            exc=exc, countdown=exc.countdown, max_retries=settings.FETCH_MAX_ATTEMPTS
        ) from exc


@shared_task(name="claims.sweep_sources", ignore_result=True)
def sweep_sources() -> int:
    """Queue the sources that are due and not held by a worker (run by beat every minute)."""
    return sources_sweep()


@shared_task(name="claims.recheck_links", ignore_result=True)
def recheck_links() -> int:
    """Queue weekly live re-checks of the sources behind published verdicts."""
    return sources_recheck_links()


@shared_task(name="claims.recheck_source", ignore_result=True)
def recheck_source(*, source_id: int) -> str:
    """Re-check one source's live URL against its snapshot."""
    return source_recheck(source_id=source_id).link_status


@shared_task(name="claims.pull_claimreview_feeds", ignore_result=True)
def pull_claimreview_feeds() -> int:
    """Re-import the configured ClaimReview feeds (CLAIMREVIEW_FEEDS)."""
    from claims.services.external import external_feeds_pull

    return len(external_feeds_pull())
