"""Match claims against the desk's published verdicts, other open tickets and other publishers'
fact-checks; record what was found and tell the people whose verdict is circulating again."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from claims.matching import Level, Matcher, Thresholds
from claims.matching.calibration import calibration_for
from claims.models import Claim, Embedding, ExternalFactCheck
from claims.services.embeddings import (
    current_encoder,
    embeddings_load,
    embeddings_prune,
    embeddings_store,
)
from reviews import workflow
from reviews.errors import ReviewError
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


def corpus_texts(subject: str, *, ids=None, checked: bool = False) -> list[tuple[int, str]]:
    """Return the (id, text) pairs matched for one subject kind (only ``ids`` if given).

    A verdict is matched on its claim and summary; with ``checked`` its claim alone is returned,
    which is what figures and negations are compared with.
    """
    if subject == Subject.VERDICT:
        rows = _published_verdicts()
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return [
            (
                row["id"],
                row["ticket__claim__text"]
                if checked
                else f"{row['ticket__claim__text']} {row['published_revision__summary']}",
            )
            for row in rows.values("id", "ticket__claim__text", "published_revision__summary")
        ]
    if subject == Subject.CLAIM:
        rows = Claim.objects.filter(ticket__stage__in=MATCHABLE_TICKET_STAGES).order_by("id")
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        return list(rows.values_list("id", "text"))
    rows = ExternalFactCheck.objects.order_by("id")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return list(rows.values_list("id", "claim_reviewed"))


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


# --- Matching one new claim ----------------------------------------------------------------


def claim_match(*, claim_id: int, encoder=None) -> MatchRun | None:
    """Match one claim against verdicts, open tickets and external fact-checks; record it.

    Idempotent per claim and model: a claim already matched under the current model is left as
    it is. Claims of the same article are never matched with each other. A confirmed match of a
    published verdict records a "repeated" event on that verdict's ticket and tells its author
    and the editors. Return the run, or None if the claim is gone.
    """
    encoder = encoder or current_encoder()
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return None
    existing = MatchRun.objects.filter(claim=claim, model_id=encoder.model_id).first()
    if existing is not None:
        return existing
    embeddings_store(subject=Subject.CLAIM, items=[(claim.pk, claim.text)], encoder=encoder)
    corpus = _corpus(
        [Subject.VERDICT, Subject.CLAIM, Subject.EXTERNAL],
        encoder.model_id,
        encoder,
        embed_missing=settings.MATCHING_EMBED_INLINE_LIMIT,
    )
    same_article = {
        Subject.CLAIM: set(
            Claim.objects.filter(article_id=claim.article_id).values_list("pk", flat=True)
        ),
        Subject.VERDICT: set(
            Verdict.objects.filter(ticket__claim__article_id=claim.article_id).values_list(
                "pk", flat=True
            )
        ),
    }
    keep = [
        i for i, (subject, pk) in enumerate(corpus.keys) if pk not in same_article.get(subject, ())
    ]
    corpus = _Corpus(
        keys=[corpus.keys[i] for i in keep],
        texts=[corpus.texts[i] for i in keep],
        check_texts=[corpus.check_texts[i] for i in keep],
        vectors=corpus.vectors[keep] if keep else corpus.vectors[:0],
    )
    matches = _matcher(corpus, encoder).match(
        claim.text, top=settings.MATCHING_TOP, min_level=Level.SUGGESTED
    )
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(claim=claim, model_id=encoder.model_id)
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
    """Queue the matching of new claims once the ingesting transaction has committed."""
    if not settings.MATCHING_ENABLED or not claim_ids:
        return
    transaction.on_commit(lambda: _enqueue(list(claim_ids)), robust=True)


def _enqueue(claim_ids: list[int]) -> None:
    from factcheck.queueing import delay_each
    from reviews.tasks import match_claim

    delay_each(match_claim, key="claim_id", ids=claim_ids, what="claim matching(s)")


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


def ticket_reuse_verdict(
    *, ticket: Ticket, by, verdict: Verdict, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Point the ticket at a published verdict on the same claim, dismissing it as a duplicate.

    Only a verdict the public sees now (published, not retracted, not under embargo) can be
    reused, so a draft never reaches the new piece's readers.
    """
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
