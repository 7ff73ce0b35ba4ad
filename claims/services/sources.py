"""Fetch, archive and re-queue cited sources; the database row, not the message, is the record."""

from __future__ import annotations

import gzip
import logging
import random
import time
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import router, transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone
from django.utils.module_loading import import_string

from claims.errors import ClaimsError
from claims.fetching import (
    BlockedDestination,
    ExtractedDocument,
    FetchError,
    FetchPolicy,
    FetchResult,
    extract_document,
    fetch,
)
from claims.models import Claim, FetchAttempt, FetchHost, Passage, Snapshot, Source
from factcheck.compiled import Insert, Update, run_compiled_together
from factcheck.queueing import backoff_seconds, delay_each_or_due, requeue_due

from .evidence import passages_store

logger = logging.getLogger(__name__)

__all__ = [
    "HostBusy",
    "TransientFetchError",
    "retry_countdown",
    "source_fetch",
    "source_fetch_in_turn",
    "sources_fetch_now",
    "sources_retry_failed",
    "sources_schedule",
    "sources_sweep",
]

State = Source.State
Outcome = FetchAttempt.Outcome


class TransientFetchError(Exception):
    """A fetch failed in a way that may pass; the source is pending again after ``countdown``."""

    def __init__(self, message: str, *, countdown: float) -> None:
        super().__init__(message)
        self.countdown = countdown

    def __reduce__(self):
        return _rebuild_transient, (str(self), self.countdown)


def _rebuild_transient(message: str, countdown: float) -> TransientFetchError:
    return TransientFetchError(message, countdown=countdown)


class HostBusy(Exception):
    """The source's host was fetched too recently; try again after ``countdown`` seconds.

    Not an attempt: the source stays pending and its attempts are not counted.
    """

    def __init__(self, host: str, *, countdown: float) -> None:
        super().__init__(f"{host} was fetched less than FETCH_HOST_INTERVAL_SECONDS ago")
        self.host = host
        self.countdown = countdown

    def __reduce__(self):
        return _rebuild_busy, (self.host, self.countdown)


def _rebuild_busy(host: str, countdown: float) -> HostBusy:
    return HostBusy(host, countdown=countdown)


def sources_schedule(*, source_ids: Iterable[int]) -> None:
    """Queue a fetch of each source once the current transaction commits.

    A broker that is down costs one bounded publish attempt, never an exception in the
    caller: the sources stay pending and the sweeper queues them when the broker is back.
    """
    ids = list(dict.fromkeys(source_ids))
    if ids:
        transaction.on_commit(lambda: _enqueue_fetches(ids))


def _waiting() -> dict:
    """Return the sources that wait for a fetch, and the field saying when each is queued next."""
    return {"rows": Source.objects.filter(state=State.PENDING), "due_field": "next_attempt_at"}


def _fetch_task():
    # Imported here: the tasks module imports this one.
    from claims.tasks import fetch_source

    return fetch_source


def _enqueue_fetches(source_ids: list[int]) -> int:
    """Publish one fetch message per source; return how many were sent.

    The broker down, the sources are due at once: the sweeper queues them when it is back.
    """
    return delay_each_or_due(
        _fetch_task(), key="source_id", ids=source_ids, what="source fetch(es)", **_waiting()
    )


def retry_countdown(*, attempt: int, retry_after: float | None = None) -> float:
    """Return seconds to wait before attempt ``attempt + 1``: exponential, jittered, capped.

    The server's Retry-After wins when it asks for longer (up to the same cap).
    """
    cap = settings.FETCH_RETRY_BACKOFF_MAX_SECONDS
    countdown = backoff_seconds(
        attempt, base=settings.FETCH_RETRY_BACKOFF_SECONDS, cap=cap, jitter=True
    )
    if retry_after:
        countdown = max(countdown, min(retry_after, cap))
    return countdown


def source_fetch(*, source_id: int) -> Source:
    """Fetch and archive the source if it is waiting and nobody holds it; return it.

    Take the source with one conditional UPDATE (the lease), record the attempt, fetch through
    the safe fetcher, then store the snapshot, rank passages for every citing claim and mark it
    fetched. A permanent failure marks it failed or blocked; a transient one sets it pending
    again and raises TransientFetchError, unless the attempts are used up. A host fetched
    less than FETCH_HOST_INTERVAL_SECONDS ago raises HostBusy and leaves the source as it was.
    """
    now = timezone.now()
    token = uuid.uuid4()
    lease_until = now + timedelta(seconds=settings.FETCH_LEASE_SECONDS)
    # One transaction for the lease and the attempt's record: one commit on the hot path.
    with transaction.atomic():
        slot = _host_slot(source_id, now)
        # The lease and the attempt's row go in one round trip; if the source is not ours to
        # fetch (a duplicate message, a live lease), the attempt is rolled back with it.
        leased, started_row = run_compiled_together(
            [
                (
                    "fetch-lease",
                    _leasing,
                    {"source": source_id, "token": token, "now": now, "until": lease_until},
                ),
                ("fetch-attempt", _attempt_starting, {"source": source_id, "now": now}),
            ]
        )
        if leased:
            source = _instance(Source, leased[0])
            attempt = _instance(FetchAttempt, started_row[0])
            if slot is not None:
                # The host's row is locked since _host_slot: the next fetch there waits its turn.
                slot.next_fetch_at = now + timedelta(seconds=settings.FETCH_HOST_INTERVAL_SECONDS)
                slot.save(update_fields=["next_fetch_at"])
        else:
            transaction.set_rollback(True)
    if not leased:
        source = Source.objects.get(pk=source_id)
        logger.info("source %s is %s; nothing to fetch", source_id, source.state)
        return source
    started = time.monotonic()
    try:
        result = fetch(source.normalized_url, policy=FetchPolicy.from_settings())
        document = extract_document(
            result.body,
            url=result.final_url,
            content_type=result.content_type,
            charset=result.charset,
        )
        body_name = _store_body(source, result)
    except FetchError as exc:
        return _record_failure(source_id, attempt, token, exc, started)
    except Exception as exc:
        # A bug or a library failure: retry like a network error, then give up with the reason.
        logger.exception("fetching source %s failed unexpectedly", source_id)
        return _record_failure(source_id, attempt, token, exc, started)
    return _record_success(source, attempt, token, result, document, body_name, started)


# The fetch's own statements, each compiled once per worker and prepared once per connection
# (factcheck/compiled.py): the ORM writes their SQL, each call sends only its values.


def _columns(model) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


def _instance(model, row: dict):
    """Return the model instance for a row of every column, as a query would load it."""
    names = _columns(model)
    return model.from_db(router.db_for_read(model), names, [row[name] for name in names])


def _leasing(*, source, token, now, until):
    # Take the source if it waits or its holder's lease ran out, and read it back.
    waiting = Q(state=State.PENDING) | Q(state=State.FETCHING, lease_expires_at__lte=now)
    return Update(
        Source.objects.filter(waiting, pk=source),
        {
            "state": State.FETCHING,
            "lease_token": token,
            "lease_expires_at": until,
            # If this worker dies, the source is due again as soon as the lease runs out.
            "next_attempt_at": until,
            "attempts": F("attempts") + 1,
            "updated_at": now,
        },
        returning=_columns(Source),
    )


def _attempt_starting(*, source, now):
    return Insert(
        [FetchAttempt(source_id=source, started_at=now)], returning=_columns(FetchAttempt)
    )


def _host_slot(source_id: int, now: datetime) -> FetchHost | None:
    """Lock the source's host row and return it, or raise HostBusy if its turn has not come.

    Return None when fetches are not spaced (FETCH_HOST_INTERVAL_SECONDS is 0) or the source
    does not exist (the lease finds that out).
    """
    if settings.FETCH_HOST_INTERVAL_SECONDS <= 0:
        return None
    url = Source.objects.filter(pk=source_id).values_list("normalized_url", flat=True).first()
    if url is None:
        return None
    from .citations import host_of

    host = host_of(url)[:300]
    slot, _ = FetchHost.objects.select_for_update().get_or_create(
        host=host, defaults={"next_fetch_at": now}
    )
    if slot.next_fetch_at > now:
        # A little jitter, so the sources waiting for one host do not all wake at once.
        wait = (slot.next_fetch_at - now).total_seconds()
        jitter = random.uniform(0, settings.FETCH_HOST_INTERVAL_SECONDS)  # noqa: S311
        raise HostBusy(host, countdown=wait + jitter)
    return slot


def source_fetch_in_turn(*, source_id: int, patience: float = 600.0) -> Source:
    """Fetch the source in this process, waiting for its host's turn; see source_fetch.

    For the operator's command and the in-process demo, which have no broker to wait with.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            return source_fetch(source_id=source_id)
        except HostBusy as busy:
            if time.monotonic() + busy.countdown > deadline:
                raise
            time.sleep(busy.countdown)


def _store_body(source: Source, result: FetchResult) -> str:
    """Write the gzip-compressed body once per content; return its storage name."""
    name = f"snapshots/{source.pk}/{result.sha256}.gz"
    if not default_storage.exists(name):
        # mtime=0 keeps the archive byte-identical for identical bodies.
        name = default_storage.save(name, ContentFile(gzip.compress(result.body, mtime=0)))
    return name


def _record_success(
    source: Source,
    attempt: FetchAttempt,
    token: uuid.UUID,
    result: FetchResult,
    document: ExtractedDocument,
    body_name: str,
    started: float,
) -> Source:
    now = timezone.now()
    _finish(attempt, started, http_status=result.status)
    attempt.outcome = Outcome.SUCCEEDED
    snapshot_values = {
        "source": source.pk,
        "sha256": result.sha256,
        "final_url": result.final_url[:2000],
        "status": result.status,
        "content_type": result.content_type[:200],
        "now": now,
        "size": len(result.body),
        "body": body_name,
        "text": document.text,
        "title": document.title[:1000],
        "author": document.author[:500],
        "site_name": document.site_name[:500],
        "published": _parse_date(document.published),
    }
    try:
        with transaction.atomic():
            # One round trip: archive the content (or note it seen again), mark the source
            # fetched if the lease is still ours (the conditional UPDATE checks it and locks the
            # row), record the attempt's outcome, and read the claims still to rank against it.
            stored, owned, _, to_rank = run_compiled_together(
                [
                    ("fetch-snapshot", _snapshot_storing, snapshot_values),
                    (
                        "fetch-fetched",
                        _source_fetched,
                        {"source": source.pk, "token": token, "sha256": result.sha256, "now": now},
                    ),
                    (
                        "fetch-finished",
                        _attempt_finished,
                        {
                            "attempt": attempt.pk,
                            "finished": attempt.finished_at,
                            "duration": attempt.duration_ms,
                            "status": result.status,
                        },
                    ),
                    (
                        "fetch-to-rank",
                        _claims_to_rank,
                        {"source": source.pk, "sha256": result.sha256},
                    ),
                ]
            )
            if not owned:
                raise _Superseded
            snapshot = _instance(Snapshot, stored[0])
            # One pass over the text for every claim, one insert.
            passages_store(snapshot=snapshot, claims=[(row["id"], row["text"]) for row in to_rank])
    except _Superseded:
        # Our lease ran out and another attempt took the source over (and may have archived the
        # same content first): it owns the outcome, and nothing of ours was kept.
        return _superseded(Source.objects.get(pk=source.pk), attempt)
    source.state = State.FETCHED
    source.state_reason = ""
    source.updated_at = now
    _release(source)
    source.last_snapshot = snapshot
    return source


class _Superseded(Exception):
    """The lease ran out before the fetch was recorded; roll its record back."""


def _snapshot_storing(*, source, sha256, now, **fields):
    # Content seen before keeps its row and first fetch; only when it was last seen moves.
    snapshot = Snapshot(source_id=source, sha256=sha256, fetched_at=now, last_seen_at=now, **fields)
    return Insert(
        [snapshot],
        returning=_columns(Snapshot),
        update_conflicts=("last_seen_at",),
        unique_fields=("source", "sha256"),
    )


def _source_fetched(*, source, token, sha256, now):
    snapshot = Snapshot.objects.filter(source_id=source, sha256=sha256).values("pk")
    return Update(
        Source.objects.filter(pk=source, lease_token=token),
        {
            "state": State.FETCHED,
            "state_reason": "",
            "updated_at": now,
            **dict.fromkeys(_LEASE_FIELDS),
            "last_snapshot": Subquery(snapshot),
        },
    )


def _attempt_finished(*, attempt, finished, duration, status):
    return Update(
        FetchAttempt.objects.filter(pk=attempt),
        {
            "outcome": Outcome.SUCCEEDED,
            "finished_at": finished,
            "duration_ms": duration,
            "http_status": status,
        },
    )


def _claims_to_rank(*, source, sha256):
    # The claims citing the source, less those already ranked against this content.
    ranked = Passage.objects.filter(snapshot__source_id=source, snapshot__sha256=sha256)
    return (
        Claim.objects.filter(citations__source_id=source)
        .exclude(pk__in=ranked.values("claim_id"))
        .order_by("id")
        .values("id", "text")
    )


def _record_failure(
    source_id: int, attempt: FetchAttempt, token: uuid.UUID, exc: Exception, started: float
) -> Source:
    countdown = None
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        _finish(attempt, started, http_status=getattr(exc, "status", None))
        attempt.error_class = type(exc).__name__
        attempt.reason = getattr(exc, "reason", "")[:32]
        attempt.message = str(exc)[:5000]
        if source.lease_token != token:
            return _superseded(source, attempt)
        described = f"{attempt.reason or attempt.error_class}: {exc}"[:900]
        if isinstance(exc, FetchError) and exc.permanent:
            blocked = isinstance(exc, BlockedDestination) or exc.reason == "blocked"
            source.state = State.BLOCKED if blocked else State.FAILED
            attempt.outcome = Outcome.BLOCKED if blocked else Outcome.FAILED
            source.state_reason = described
            _release(source)
        elif source.attempts >= settings.FETCH_MAX_ATTEMPTS:
            source.state = State.FAILED
            attempt.outcome = Outcome.FAILED
            source.state_reason = f"gave up after {source.attempts} attempts; last: {described}"
            _release(source)
        else:
            countdown = retry_countdown(
                attempt=source.attempts, retry_after=getattr(exc, "retry_after", None)
            )
            source.state = State.PENDING
            attempt.outcome = Outcome.RETRYING
            attempt.retry_in_seconds = round(countdown, 3)
            source.state_reason = f"retrying in {countdown:.0f}s after {described}"
            _release(source)
            source.next_attempt_at = timezone.now() + timedelta(seconds=countdown)
        source.save()
        attempt.save()
    if countdown is not None:
        raise TransientFetchError(source.state_reason, countdown=countdown)
    return source


# What _release clears.
_LEASE_FIELDS = ["lease_token", "lease_expires_at", "next_attempt_at"]


def _finish(attempt: FetchAttempt, started: float, *, http_status: int | None) -> None:
    attempt.finished_at = timezone.now()
    attempt.duration_ms = int((time.monotonic() - started) * 1000)
    attempt.http_status = http_status


def _release(source: Source) -> None:
    for field in _LEASE_FIELDS:
        setattr(source, field, None)


def _superseded(source: Source, attempt: FetchAttempt) -> Source:
    # Our lease ran out and another attempt took the source over: it owns the outcome.
    logger.warning("fetch attempt %s of source %s outlived its lease", attempt.pk, source.pk)
    attempt.outcome = Outcome.SUPERSEDED
    attempt.save()
    return source


def _parse_date(value: str | date | datetime | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date) or not value:
        return value or None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def sources_sweep(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Take back expired leases and queue sources that are due; return how many were queued.

    Covers a lost message (broker down at ingestion, Redis restarted empty) and a worker
    killed mid-fetch. Each queued source is due again only after FETCH_REQUEUE_SECONDS, so a
    long queue is not flooded with duplicates; a duplicate that does arrive finds the lease.
    """
    now = now or timezone.now()
    with transaction.atomic():
        expired = list(
            Source.objects.select_for_update(skip_locked=True)
            .filter(state=State.FETCHING, lease_expires_at__lte=now)
            .order_by("id")[:limit]
        )
        for source in expired:
            FetchAttempt.objects.filter(
                source=source, purpose=FetchAttempt.Purpose.FETCH, outcome=Outcome.STARTED
            ).update(
                outcome=Outcome.ABANDONED,
                finished_at=now,
                message="The worker stopped answering before the lease ran out.",
            )
            source.lease_token = None
            source.lease_expires_at = None
            if source.attempts >= settings.FETCH_MAX_ATTEMPTS:
                source.state = State.FAILED
                source.state_reason = (
                    f"gave up after {source.attempts} attempts: the worker died each time"
                )
                source.next_attempt_at = None
            else:
                source.state = State.PENDING
                source.state_reason = "its worker died mid-fetch; queued again"
                source.next_attempt_at = now
            source.save()
    return requeue_due(
        task=_fetch_task(),
        key="source_id",
        what="source fetch(es)",
        again_after=settings.FETCH_REQUEUE_SECONDS,
        now=now,
        limit=limit,
        **_waiting(),
    )


def sources_fetch_now(
    *, source_ids: Iterable[int], by=None, schedule: bool = True, published_ok: bool = False
) -> int:
    """Queue the sources again from their first attempt, refetching archived ones too.

    A source a published verdict relies on (FETCH_PROTECTED_SOURCES says which) is refused
    unless ``published_ok``: an editor re-fetches it from the ticket page, which records it.
    """
    source_ids = list(source_ids)
    if not published_ok:
        _refuse_protected(source_ids)
    states = [state for state in State if state != State.FETCHING]
    return _requeue(source_ids=source_ids, by=by, states=states, schedule=schedule)


def _refuse_protected(source_ids: list[int]) -> None:
    """Refuse to fetch again a source a published verdict relies on (FETCH_PROTECTED_SOURCES)."""
    if not settings.FETCH_PROTECTED_SOURCES:
        return
    protected = import_string(settings.FETCH_PROTECTED_SOURCES)().filter(pk__in=source_ids)
    urls = sorted(protected.values_list("normalized_url", flat=True))
    if urls:
        raise ClaimsError(
            f"A published verdict relies on {', '.join(u[:100] for u in urls[:3])}: an editor "
            "can re-fetch it from the ticket page, where the desk's trail records it."
        )


def sources_retry_failed(
    *, source_ids: Iterable[int] | None = None, by=None, schedule: bool = True
) -> int:
    """Queue failed sources again from their first attempt (all of them by default).

    With ``schedule=False`` they are only set pending, for a caller that fetches them itself.
    A person (``by``) may not retry a source a published verdict relies on, as for
    sources_fetch_now; the operator's command (no ``by``) may.
    """
    if by is not None:
        if source_ids is None:
            source_ids = Source.objects.filter(state=State.FAILED).values_list("pk", flat=True)
        source_ids = list(source_ids)
        _refuse_protected(source_ids)
    return _requeue(source_ids=source_ids, by=by, states=[State.FAILED], schedule=schedule)


def _requeue(*, source_ids: Iterable[int] | None, by, states: list[str], schedule: bool) -> int:
    if by is not None and not by.has_perm("claims.change_source"):
        raise ClaimsError("You cannot re-fetch sources: ask an editor for the permission.")
    now = timezone.now()
    with transaction.atomic():
        # A source a worker holds right now is left to it.
        queryset = Source.objects.select_for_update().filter(state__in=states)
        if source_ids is not None:
            queryset = queryset.filter(pk__in=list(source_ids))
        ids = list(queryset.order_by("id").values_list("id", flat=True))
        Source.objects.filter(pk__in=ids).update(
            state=State.PENDING,
            state_reason="",
            attempts=0,
            next_attempt_at=now + timedelta(seconds=settings.FETCH_REQUEUE_SECONDS),
            updated_at=now,
        )
        if schedule:
            sources_schedule(source_ids=ids)
    return len(ids)
