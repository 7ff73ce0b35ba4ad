"""Match claims against the desk's published verdicts, other open tickets and other publishers'
fact-checks; record what was found and tell the people whose verdict is circulating again."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from claims.matching import Level, Matcher, Thresholds
from claims.matching.calibration import calibration_for
from claims.matching.dense import approximate_available
from claims.models import Claim, Embedding, ExternalFactCheck
from claims.services.embeddings import (
    current_encoder,
    embeddings_load,
    embeddings_prune,
    embeddings_store,
    from_bytes,
)
from factcheck.queueing import ID_BATCH, delay_each_or_due, requeue_due
from reviews import workflow
from reviews.errors import NotAllowed, ReviewError
from reviews.models import ClaimMatch, Event, MatchRun, Notification, Ticket, Verdict
from reviews.selectors import users_with_permission
from reviews.services import notifications
from reviews.services._steps import step
from reviews.workflow import DismissReason, Stage

logger = logging.getLogger(__name__)
Subject = Embedding.Subject
# Tickets still being worked on before publication: a claim there is "being checked now".
MATCHABLE_TICKET_STAGES = [
    Stage.NEW,
    Stage.QUEUED,
    Stage.RESEARCHING,
    Stage.IN_REVIEW,
    Stage.CHANGES_REQUESTED,
    Stage.APPROVED,
    Stage.SCHEDULED,
]
_KIND_OF_SUBJECT = {
    Subject.VERDICT: ClaimMatch.Kind.VERDICT,
    Subject.CLAIM: ClaimMatch.Kind.TICKET,
    Subject.EXTERNAL: ClaimMatch.Kind.EXTERNAL,
}


def matching_settings(model_id: str | None) -> tuple[str, float, Thresholds]:
    """Return (mode, weight, thresholds) for ``model_id``: settings override the calibration."""
    calibration = calibration_for(model_id)
    mode = calibration.mode if calibration else "dense"
    weight = calibration.weight if calibration else 1.0
    suggested = settings.MATCHING_SUGGESTED_THRESHOLD
    confirmed = settings.MATCHING_CONFIRMED_THRESHOLD
    if suggested is None:
        suggested = calibration.thresholds.suggested if calibration else 0.6
    if confirmed is None:
        confirmed = calibration.thresholds.confirmed if calibration else 0.85
    margin = settings.MATCHING_CONFIRMED_MARGIN
    if margin is None:
        margin = calibration.thresholds.margin if calibration else 0.0
    return (
        mode,
        weight,
        Thresholds(suggested=suggested, confirmed=max(suggested, confirmed), margin=margin),
    )


# --- What is matched -----------------------------------------------------------------------


def _published_verdicts():
    return (
        Verdict.objects.filter(published_revision__isnull=False, retracted_at__isnull=True)
        .exclude(ticket__claim__article__embargo_until__gt=timezone.now())
        .order_by("id")
    )


def corpus_texts(
    subject: str, *, ids=None, checked: bool = False, changed_since=None, limit=None
) -> list[tuple[int, str]]:
    """Return the (id, text) pairs matched for one subject kind (only ``ids`` if given, only
    verdicts and fact-checks changed since ``changed_since`` if given, at most ``limit``).

    A verdict is matched on its claim and summary; with ``checked`` its claim alone is returned,
    which is what figures and negations are compared with.
    """
    if subject == Subject.VERDICT:
        rows = _published_verdicts()
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        if changed_since is not None:
            rows = rows.filter(updated_at__gte=changed_since)
        return [
            (
                row["id"],
                row["ticket__claim__text"]
                if checked
                else f"{row['ticket__claim__text']} {row['published_revision__summary']}",
            )
            for row in rows.values("id", "ticket__claim__text", "published_revision__summary")[
                :limit
            ]
        ]
    if subject == Subject.CLAIM:
        rows = Claim.objects.filter(ticket__stage__in=MATCHABLE_TICKET_STAGES).order_by("id")
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return list(rows.values_list("id", "text"))
    rows = ExternalFactCheck.objects.order_by("id")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    if changed_since is not None:
        rows = rows.filter(updated_at__gte=changed_since)
    return list(rows.values_list("id", "claim_reviewed")[:limit])


@dataclass
class _Corpus:
    keys: list[tuple[str, int]]
    texts: list[str]
    check_texts: list[str]
    vectors: np.ndarray


def _corpus(subjects, model_id: str, encoder, *, embed_missing: int) -> _Corpus:
    """Return the items of ``subjects`` that have a vector under ``model_id``.

    Items still without one are embedded here when there are at most ``embed_missing`` of them
    (a new verdict, a few imports); more means a model change, which the background refresh
    fills in while matching goes on with what is there.
    """
    keys, texts, check_texts, blocks = [], [], [], []
    for subject in subjects:
        items = corpus_texts(subject)
        checked = dict(corpus_texts(subject, checked=True)) if subject == Subject.VERDICT else {}
        stored = embeddings_load(subject=subject, model_id=model_id, ids=None)
        have = set(stored.ids)
        missing = [(pk, text) for pk, text in items if pk not in have]
        if missing and len(missing) <= embed_missing:
            embeddings_store(subject=subject, items=missing, encoder=encoder)
            stored = embeddings_load(subject=subject, model_id=model_id, ids=None)
        row_of = {pk: row for row, pk in enumerate(stored.ids)}
        present = [(pk, text) for pk, text in items if pk in row_of]
        keys += [(subject, pk) for pk, _ in present]
        texts += [text for _, text in present]
        check_texts += [checked.get(pk, text) for pk, text in present]
        if present:
            blocks.append(stored.vectors[[row_of[pk] for pk, _ in present]])
    dim = encoder.dim
    vectors = np.vstack(blocks) if blocks else np.zeros((0, dim), dtype=np.float32)
    return _Corpus(keys=keys, texts=texts, check_texts=check_texts, vectors=vectors)


def _matcher(corpus: _Corpus, encoder) -> Matcher:
    mode, weight, thresholds = matching_settings(encoder.model_id)
    return Matcher(
        keys=corpus.keys,
        texts=corpus.texts,
        encoder=encoder,
        vectors=corpus.vectors,
        check_texts=corpus.check_texts,
        exact_limit=settings.MATCHING_EXACT_LIMIT,
        mode=mode,
        weight=weight,
        thresholds=thresholds,
    )


# --- The process's matcher, kept between jobs ----------------------------------------------

# Vector ids below the newest one a refresh read but missing from it (a transaction that had not
# committed yet, or a rolled-back id) are looked for again for this long.
_HOLE_GRACE_SECONDS = 600.0
_HOLES_KEPT = 1000
# Verdicts and fact-checks changed since the last refresh, less this, are embedded if they need
# it: a change whose time stamp was taken before the refresh but committed after is still seen.
_CHANGE_SLACK = timedelta(minutes=5)


def _subject_texts(subject: str, ids=None) -> dict[int, tuple[str, str]]:
    """Return {id: (matched text, checked text)} for every item of ``subject`` (or ``ids``),
    public or not: the cache holds them all and filters at query time."""
    if subject == Subject.VERDICT:
        rows = Verdict.objects.all()
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        return {
            row["id"]: (
                f"{row['ticket__claim__text']} {row['published_revision__summary'] or ''}".strip(),
                row["ticket__claim__text"],
            )
            for row in rows.values("id", "ticket__claim__text", "published_revision__summary")
        }
    model, field = (
        (Claim, "text") if subject == Subject.CLAIM else (ExternalFactCheck, "claim_reviewed")
    )
    rows = model.objects.all()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return {pk: (text, text) for pk, text in rows.values_list("id", field)}


@dataclass
class _Cached:
    stamp: tuple
    matcher: Matcher
    mark: int
    holes: dict[int, float]
    refreshed_at: object
    built: float
    added: int = 0


class MatcherCache:
    """The corpus matcher of this process, keyed by the encoder's model id and the matching
    settings: built from every stored vector by the first job, then fed only the vectors
    stored since (ids above the highest read), so a job reads what changed, not the corpus.

    What the cache holds is a superset: every item with a vector, public or not. Whether an item
    may be matched (a verdict published and not retracted or embargoed, a ticket still open, the
    claim from another piece) is asked of the database at query time for the top candidates
    only, so a stale cache can rank a withdrawn item but never return it. The lexical side
    weighs added texts with the build's vocabulary, so the cache is rebuilt once added rows pass
    MATCHING_CACHE_REBUILD_SHARE of the build or it is MATCHING_CACHE_MAX_AGE_SECONDS old. A
    lock serialises refresh and search: a worker's threads share one matcher.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._cached: _Cached | None = None
        # Read by tests and the benchmark: builds done, vector rows read.
        self.builds = 0
        self.rows_read = 0

    def clear(self) -> None:
        """Drop the matcher and zero the counters."""
        with self._lock:
            self._cached = None
            self.builds = self.rows_read = 0

    @contextmanager
    def matcher(self, encoder):
        """Yield the current matcher, refreshed; hold it only inside the ``with`` block."""
        mode, weight, thresholds = matching_settings(encoder.model_id)
        stamp = (encoder.model_id, mode, weight, settings.MATCHING_EXACT_LIMIT)
        with self._lock:
            cached = self._cached
            if cached is None or cached.stamp != stamp or self._due_rebuild(cached):
                self._cached = None  # let the old matcher go before the new one is built
                cached = self._cached = self._build(stamp, encoder, mode, weight)
            else:
                self._refresh(cached, encoder)
            cached.matcher.thresholds = thresholds
            yield cached.matcher

    def _due_rebuild(self, cached: _Cached) -> bool:
        size = max(cached.matcher.size - cached.added, 1)
        if cached.added > settings.MATCHING_CACHE_REBUILD_SHARE * size + 100:
            return True
        dense = cached.matcher.dense
        if (
            dense is not None
            and not dense.approximate
            and dense.size > cached.stamp[3]
            and approximate_available()
        ):
            return True  # grown past the exact limit: build the approximate index
        return time.monotonic() - cached.built > settings.MATCHING_CACHE_MAX_AGE_SECONDS

    def _build(self, stamp, encoder, mode, weight) -> _Cached:
        model_id = encoder.model_id
        started = timezone.now()
        for subject in (Subject.VERDICT, Subject.CLAIM, Subject.EXTERNAL):
            _embed_missing(subject, corpus_texts(subject), encoder)
        keys, texts, check_texts, vectors = [], [], [], []
        mark, newest_seen = 0, set()
        by_subject = {
            s: _subject_texts(s) for s in (Subject.VERDICT, Subject.CLAIM, Subject.EXTERNAL)
        }
        rows = Embedding.objects.filter(model_id=model_id).order_by("id")
        for pk, subject, subject_id, dim, vector in rows.values_list(
            "id", "subject", "subject_id", "dim", "vector"
        ).iterator(chunk_size=2000):
            self.rows_read += 1
            mark = max(mark, pk)
            if pk > mark - _HOLES_KEPT:
                newest_seen.add(pk)
            text = by_subject.get(subject, {}).get(subject_id)
            if text is None:
                continue
            keys.append((subject, subject_id))
            texts.append(text[0])
            check_texts.append(text[1])
            vectors.append(from_bytes(vector, dim))
        matrix = np.vstack(vectors) if vectors else np.zeros((0, encoder.dim), np.float32)
        matcher = Matcher(
            keys=keys,
            texts=texts,
            encoder=encoder,
            vectors=matrix,
            check_texts=check_texts,
            exact_limit=stamp[3],
            mode=mode,
            weight=weight,
        )
        self.builds += 1
        return _Cached(
            stamp=stamp,
            matcher=matcher,
            mark=mark,
            # Ids below the newest read but not seen: looked for again, as after a refresh.
            holes={
                pk: time.monotonic()
                for pk in range(max(1, mark - _HOLES_KEPT), mark)
                if pk not in newest_seen
            },
            refreshed_at=started,
            built=time.monotonic(),
        )

    def _refresh(self, cached: _Cached, encoder) -> None:
        started = timezone.now()
        since = cached.refreshed_at - _CHANGE_SLACK
        limit = settings.MATCHING_EMBED_INLINE_LIMIT
        for subject in (Subject.VERDICT, Subject.EXTERNAL):
            # More changes than a job embeds (a bulk import) are the background refresh's.
            changed = corpus_texts(subject, changed_since=since, limit=limit + 1)
            if len(changed) <= limit:
                embeddings_store(subject=subject, items=changed, encoder=encoder)
        now = time.monotonic()
        holes = {pk: at for pk, at in cached.holes.items() if now - at < _HOLE_GRACE_SECONDS}
        rows = list(
            Embedding.objects.filter(model_id=cached.stamp[0])
            .filter(Q(id__gt=cached.mark) | Q(id__in=list(holes)))
            .order_by("id")
            .values_list("id", "subject", "subject_id", "dim", "vector")
        )
        self.rows_read += len(rows)
        seen = {row[0] for row in rows}
        newest = max(seen, default=cached.mark)
        holes = {pk: at for pk, at in holes.items() if pk not in seen}
        # Only the newest are kept: another model's rows (a re-embedding) also leave gaps, and
        # a transaction still open is one of the last to have taken an id.
        start = max(cached.mark + 1, newest - _HOLES_KEPT)
        holes.update({pk: now for pk in range(start, newest) if pk not in seen})
        if len(holes) > _HOLES_KEPT:
            holes = dict(sorted(holes.items())[len(holes) - _HOLES_KEPT :])
        cached.mark, cached.holes, cached.refreshed_at = newest, holes, started
        if not rows:
            return
        wanted: dict[str, set[int]] = {}
        for _, subject, subject_id, _, _ in rows:
            wanted.setdefault(subject, set()).add(subject_id)
        found = {subject: _subject_texts(subject, ids) for subject, ids in wanted.items()}
        latest = {}
        for _, subject, subject_id, dim, vector in rows:  # by id: the newest row wins
            text = found[subject].get(subject_id)
            if text is not None:
                latest[(subject, subject_id)] = (text, from_bytes(vector, dim))
        if not latest:
            return
        keys = list(latest)
        cached.matcher.add(
            keys=keys,
            texts=[latest[key][0][0] for key in keys],
            check_texts=[latest[key][0][1] for key in keys],
            vectors=np.vstack([latest[key][1] for key in keys]),
        )
        cached.added += len(keys)


def _embed_missing(subject: str, items: list[tuple[int, str]], encoder) -> None:
    """Embed ``items`` lacking a current vector when there are few (a new verdict, a few
    imports); more means a model change, which the background refresh fills in."""
    if items and len(items) <= settings.MATCHING_EMBED_INLINE_LIMIT:
        embeddings_store(subject=subject, items=items, encoder=encoder)
    elif items:
        have = set(
            Embedding.objects.filter(subject=subject, model_id=encoder.model_id).values_list(
                "subject_id", flat=True
            )
        )
        missing = [(pk, text) for pk, text in items if pk not in have]
        if len(missing) <= settings.MATCHING_EMBED_INLINE_LIMIT:
            embeddings_store(subject=subject, items=missing, encoder=encoder)


MATCHER_CACHE = MatcherCache()


def _matchable(keys, *, article_id: int | None) -> dict:
    """Return {key: checked text} for the keys that may be matched now (public verdicts, open
    tickets, fact-checks still stored), leaving out the items of article ``article_id``."""
    ids: dict[str, list[int]] = {}
    for subject, pk in keys:
        ids.setdefault(subject, []).append(pk)
    kept = {}
    if ids.get(Subject.VERDICT):
        rows = _published_verdicts().filter(pk__in=ids[Subject.VERDICT])
        if article_id is not None:
            rows = rows.exclude(ticket__claim__article_id=article_id)
        for pk, text in rows.values_list("id", "ticket__claim__text"):
            kept[(Subject.VERDICT, pk)] = text
    if ids.get(Subject.CLAIM):
        rows = Claim.objects.filter(
            pk__in=ids[Subject.CLAIM], ticket__stage__in=MATCHABLE_TICKET_STAGES
        )
        if article_id is not None:
            rows = rows.exclude(article_id=article_id)
        for pk, text in rows.values_list("id", "text"):
            kept[(Subject.CLAIM, pk)] = text
    if ids.get(Subject.EXTERNAL):
        rows = ExternalFactCheck.objects.filter(pk__in=ids[Subject.EXTERNAL])
        for pk, text in rows.values_list("id", "claim_reviewed"):
            kept[(Subject.EXTERNAL, pk)] = text
    return kept


# --- Matching one new claim ----------------------------------------------------------------


def claim_match(*, claim_id: int, encoder=None) -> MatchRun | None:
    """Match one claim against verdicts, open tickets and external fact-checks; record it.

    Idempotent per claim and model: a claim already matched under the current model is left as
    it is. Claims of the same article are never matched with each other. A confirmed match of a
    published verdict records a "repeated" event on that verdict's ticket and tells its author
    and the editors. Return the run, or None if the claim is gone.

    The search runs on the process's kept matcher (MATCHER_CACHE); what may be matched is
    checked against the database for the top candidates, not taken from the cache.
    """
    encoder = encoder or current_encoder()
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return None
    existing = MatchRun.objects.filter(claim=claim, model_id=encoder.model_id).first()
    if existing is not None:
        if claim.match_due_at is not None:
            _matched(claim.pk)
        return existing
    embeddings_store(subject=Subject.CLAIM, items=[(claim.pk, claim.text)], encoder=encoder)
    with MATCHER_CACHE.matcher(encoder) as matcher:
        matches = matcher.match(
            claim.text,
            top=settings.MATCHING_TOP,
            min_level=Level.SUGGESTED,
            keep=lambda keys: _matchable(keys, article_id=claim.article_id),
        )
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(claim=claim, model_id=encoder.model_id)
            _matched(claim.pk)
            rows = [_match_row(run, rank, match) for rank, match in enumerate(matches, start=1)]
            ClaimMatch.objects.bulk_create(rows)
            for row in rows:
                if row.kind == ClaimMatch.Kind.VERDICT and row.level == ClaimMatch.Level.CONFIRMED:
                    _tell_verdict_circulating(row.verdict_id, claim, row.score)
    except IntegrityError:
        # A concurrent run of the same job won; its result stands.
        return MatchRun.objects.get(claim=claim, model_id=encoder.model_id)
    return run


def _match_row(run: MatchRun, rank: int, match) -> ClaimMatch:
    subject, pk = match.key
    kind = _KIND_OF_SUBJECT[subject]
    return ClaimMatch(
        run=run,
        kind=kind,
        verdict_id=pk if kind == ClaimMatch.Kind.VERDICT else None,
        matched_claim_id=pk if kind == ClaimMatch.Kind.TICKET else None,
        external_id=pk if kind == ClaimMatch.Kind.EXTERNAL else None,
        rank=rank,
        score=match.score,
        level=match.level,
        conflicts=list(match.conflicts),
    )


def _tell_verdict_circulating(verdict_id: int, claim: Claim, score: float) -> None:
    verdict = Verdict.objects.select_related("ticket", "published_revision").get(pk=verdict_id)
    ticket = verdict.ticket
    event = Event.objects.create(
        ticket=ticket,
        actor=None,
        action="repeated",
        from_stage=ticket.stage,
        to_stage=ticket.stage,
        note=f"Repeated in “{claim.article.title}”: {claim.text}",
        data={"claim": claim.pk, "article": claim.article_id, "score": round(score, 4)},
    )
    authors = list(
        verdict.revisions.select_related("author")
        .order_by("number")
        .values_list("author", flat=True)
    )
    from django.contrib.auth import get_user_model

    people = list(get_user_model().objects.filter(pk__in=authors).order_by("pk"))
    people += list(users_with_permission(workflow.PUBLISH))
    notifications.notify(event=event, kind=Notification.Kind.CIRCULATING, recipients=people)


def claims_match_after_commit(claim_ids: list[int]) -> None:
    """Queue the matching of new claims once the ingesting transaction has committed.

    Call it inside that transaction: each claim records that its matching is owed, so a job
    the broker lost (or refused) is queued again by the sweeper (claims_match_sweep).
    """
    if not settings.MATCHING_ENABLED or not claim_ids:
        return
    due = timezone.now() + timedelta(seconds=settings.MATCHING_REQUEUE_SECONDS)
    for start in range(0, len(claim_ids), ID_BATCH):
        Claim.objects.filter(pk__in=claim_ids[start : start + ID_BATCH]).update(match_due_at=due)
    transaction.on_commit(lambda: _enqueue(list(claim_ids)), robust=True)


def _owed() -> dict:
    """Return the claims still owed a matching, and the field saying when each is queued next."""
    return {"rows": Claim.objects.filter(match_due_at__isnull=False), "due_field": "match_due_at"}


def _matched(claim_id: int) -> None:
    Claim.objects.filter(pk=claim_id).update(match_due_at=None)


def _match_task():
    # Imported here: the tasks module imports this one.
    from reviews.tasks import match_claim

    return match_claim


def _enqueue(claim_ids: list[int]) -> None:
    delay_each_or_due(
        _match_task(), key="claim_id", ids=claim_ids, what="claim matching(s)", **_owed()
    )


def claims_match_sweep(*, now=None, limit: int = 1000) -> int:
    """Queue the matchings owed and due (a job the broker lost); return how many were queued.

    A claim queued is due again after MATCHING_REQUEUE_SECONDS unless its job has run by then,
    so a long queue behind a large piece is not flooded with duplicates.
    """
    if not settings.MATCHING_ENABLED:
        return 0
    return requeue_due(
        task=_match_task(),
        key="claim_id",
        what="claim matching(s)",
        again_after=settings.MATCHING_REQUEUE_SECONDS,
        now=now,
        limit=limit,
        **_owed(),
    )


# --- Keeping vectors current -----------------------------------------------------------------


def embeddings_refresh(*, limit: int = 500, encoder=None) -> int:
    """Embed up to ``limit`` matched items that lack a vector under the current model.

    Return how many were embedded; 0 means everything is current, and then the vectors of older
    models are deleted. Run by beat and re-queued by its task while work remains, so a model
    change re-embeds in the background and ingestion never waits for it.
    """
    encoder = encoder or current_encoder()
    done = 0
    for subject in (Subject.VERDICT, Subject.CLAIM, Subject.EXTERNAL):
        if done >= limit:
            break
        items = corpus_texts(subject)
        have = set(
            Embedding.objects.filter(subject=subject, model_id=encoder.model_id).values_list(
                "subject_id", flat=True
            )
        )
        missing = [(pk, text) for pk, text in items if pk not in have][: limit - done]
        # Existing vectors whose text changed (a corrected summary) are re-embedded too.
        changed = [(pk, text) for pk, text in items if pk in have]
        done += embeddings_store(subject=subject, items=missing, encoder=encoder)
        if done < limit:
            done += embeddings_store(
                subject=subject, items=changed[: limit - done], encoder=encoder
            )
    if done == 0:
        embeddings_prune(model_id=encoder.model_id)
    return done


# --- Reading matches -----------------------------------------------------------------------


_SIMILAR_CACHE: dict = {}
_SIMILAR_LOCK = threading.Lock()


def verdicts_similar(*, text: str, top: int = 10, encoder=None) -> list[tuple[int, object]]:
    """Return (verdict id, Match) for the published verdicts most similar to ``text``, at or
    above the "suggested" threshold.

    The verdicts' matcher is kept per process and rebuilt only when the published verdicts or
    their vectors change (one aggregate query tells), so a query costs one embedding and one
    matrix product.
    """
    encoder = encoder or current_encoder()
    verdicts = _published_verdicts()
    stamp = (
        encoder.model_id,
        verdicts.aggregate(n=Count("id"), last=Max("updated_at"), top=Max("id")).values(),
        Embedding.objects.filter(subject=Subject.VERDICT, model_id=encoder.model_id)
        .aggregate(n=Count("id"), last=Max("id"), at=Max("created_at"))
        .values(),
    )
    stamp = (stamp[0], tuple(stamp[1]), tuple(stamp[2]))
    with _SIMILAR_LOCK:
        cached = _SIMILAR_CACHE.get("verdicts")
        if cached is None or cached[0] != stamp:
            corpus = _corpus(
                [Subject.VERDICT],
                encoder.model_id,
                encoder,
                embed_missing=settings.MATCHING_EMBED_INLINE_LIMIT,
            )
            cached = (stamp, _matcher(corpus, encoder))
            _SIMILAR_CACHE["verdicts"] = cached
    matcher = cached[1]
    if not matcher.keys:
        return []
    # Only what reaches "suggested": a verdict ranked first among unrelated ones is no answer.
    found = matcher.match(text, top=top, min_level=Level.SUGGESTED)
    return [(match.key[1], match) for match in found]


# --- Acting on a match ---------------------------------------------------------------------


def ticket_mark_duplicate(
    *, ticket: Ticket, by, of: Ticket, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Dismiss the ticket as a duplicate of ticket ``of``, linked (not a free-text reason)."""
    return _dismiss_as_duplicate(
        ticket=ticket, by=by, of=of, verdict=None, note=note, expected_version=expected_version
    )


def may_reuse(user) -> bool:
    """Return whether ``user`` may reuse a published verdict on another piece (editors)."""
    return user is not None and user.has_perm(workflow.PUBLISH)


def ticket_reuse_verdict(
    *, ticket: Ticket, by, verdict: Verdict, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Point the ticket at a published verdict on the same claim, dismissing it as a duplicate.

    Only a verdict the public sees now (published, not retracted, not under embargo) can be
    reused, so a draft never reaches the new piece's readers. Reuse puts that verdict on the new
    piece's public page, so it is an editor's decision, like every other change readers see.
    """
    if not may_reuse(by):
        raise NotAllowed(
            "Only editors reuse a published verdict: it then shows on this piece's public page. "
            "Mark the ticket a duplicate instead, or @mention an editor in the discussion."
        )
    if not _published_verdicts().filter(pk=verdict.pk).exists():
        raise ReviewError("Only a published verdict can be reused; this one is not public.")
    return _dismiss_as_duplicate(
        ticket=ticket,
        by=by,
        of=verdict.ticket,
        verdict=verdict,
        note=note,
        expected_version=expected_version,
    )


def _dismiss_as_duplicate(*, ticket, by, of, verdict, note, expected_version) -> Ticket:
    if of.pk == ticket.pk:
        raise ReviewError("A ticket cannot be a duplicate of itself; choose another ticket.")
    with step(ticket, by=by, action="dismiss", expected_version=expected_version, note=note) as s:
        was = s.ticket.reuses_verdict_id
        if was is not None and was != getattr(verdict, "pk", None) and not may_reuse(by):
            # A reopened ticket still marks the piece with the verdict it reused: taking the
            # mark off changes the piece's public page, so it is an editor's call too.
            raise NotAllowed(
                "This claim reuses a published verdict on the piece's public page; only an "
                "editor may point it elsewhere. @mention an editor in the discussion."
            )
        s.ticket.dismiss()
        s.ticket.dismiss_reason = DismissReason.DUPLICATE
        s.data = {"reason": str(DismissReason.DUPLICATE), "duplicate_of": of.pk}
        if verdict is not None:
            s.data["reuses_verdict"] = verdict.pk
        # step() saves the workflow fields; the links are this service's own.
        Ticket.objects.filter(pk=s.ticket.pk).update(duplicate_of=of, reuses_verdict=verdict)
        s.ticket.duplicate_of = of
        s.ticket.reuses_verdict = verdict
    return s.ticket
