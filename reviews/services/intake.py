"""Receive pieces at the desk: ingest them, open a ticket for every claim, keep the record."""

import logging
from datetime import datetime, timedelta
from pathlib import PurePath

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from claims.errors import ClaimsError
from claims.models import Article, Attachment
from claims.services.ingestion import IngestResult, article_ingest
from factcheck.inprocess import enqueue
from factcheck.queueing import requeue_due
from reviews.errors import InvalidTransition, NotAllowed, ReviewError
from reviews.models import Intake, Ticket
from reviews.selectors import articles_public
from reviews.services.tickets import tickets_open
from reviews.workflow import Stage

logger = logging.getLogger(__name__)

# How a file's name tells its format; anything else is detected from the text.
FORMATS_BY_SUFFIX = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
}


def claims_found_phrase(found: int, checkworthy: int) -> str:
    """Return "12 claims, 9 check-worthy" (or "1 claim, ..."), as the piece's record says it."""
    claims = ngettext("%(n)s claim", "%(n)s claims", found) % {"n": f"{found:,}"}
    return f"{claims}, {checkworthy:,} check-worthy"


def format_for(name: str) -> str:
    """Return the ingestion format a file's name implies ("auto" when it implies none)."""
    return FORMATS_BY_SUFFIX.get(PurePath(name).suffix.lower(), "auto")


def article_receive(*, intake: Intake | None = None, **kwargs) -> IngestResult:
    """Ingest a piece (see `article_ingest` for the arguments), open its tickets, queue matching.

    One transaction: either the article, its claims, their tickets and the record of who
    received the piece all exist, or none do. `intake` is the admin's waiting row, which the
    caller completes; without it a new piece gets its own record here.
    """
    from reviews.services.matching import claims_match_after_commit

    with transaction.atomic():
        result = article_ingest(**kwargs)
        if result.created:
            tickets_open(claims=result.claims, new=True)
            # Matching embeds each claim: it runs as a job after the commit, never in here.
            claims_match_after_commit([claim.pk for claim in result.claims])
        else:
            tickets_open(claims=result.article.claims.all())
        if intake is None and result.created:
            _record(
                Intake(received_by=kwargs.get("by"), characters=len(kwargs.get("body") or "")),
                result,
            )
    return result


def _record(intake: Intake, result: IngestResult) -> Intake:
    """Save `intake` as the record of an ingested piece."""
    article = result.article
    intake.title = article.title
    intake.author = article.author
    intake.publication = article.publication
    intake.url = article.url
    intake.published_at = article.published_at
    intake.embargo_until = article.embargo_until
    intake.body_format = article.body_format
    intake.body = ""
    intake.state = Intake.State.INGESTED
    intake.article = article
    intake.created = result.created
    intake.summary = result.summary()
    intake.progress = (
        f"Done: {claims_found_phrase(result.assertions, result.checkworthy)}."
        if result.created
        else "Already ingested: nothing new."
    )
    intake.error = ""
    intake.finished_at = timezone.now()
    intake.job_due_at = None
    intake.save()
    return intake


def intake_submit(
    *,
    by,
    body: str,
    title: str,
    author: str = "",
    publication: str = "",
    url: str = "",
    published_at: datetime | None = None,
    embargo_until: datetime | None = None,
    fmt: str = "auto",
    file_name: str = "",
) -> Intake:
    """Receive a piece from the admin: ingest a short one now, queue a long one.

    A piece up to `INGEST_INLINE_MAX_CHARS` characters is ingested in this call, and a
    `ClaimsError` says why it could not be. A longer one is stored as a queued intake and
    ingested by a background job once this transaction commits; its page shows the progress.
    """
    if not by.has_perm("claims.add_article"):
        raise ClaimsError(
            f"{by} may not ingest pieces: that needs the Fact-checker or Editor role."
        )
    intake = Intake(
        title=(title or "").strip()[:500],
        author=author[:300],
        publication=publication[:300],
        url=url[:2000],
        published_at=published_at,
        embargo_until=embargo_until,
        body_format=fmt,
        characters=len(body),
        file_name=file_name[:255],
        received_by=by,
    )
    if len(body) <= settings.INGEST_INLINE_MAX_CHARS:
        with transaction.atomic():
            result = article_receive(intake=intake, **_ingest_arguments(intake, body=body, by=by))
            return _record(intake, result)
    with transaction.atomic():
        intake.body = body
        intake.state = Intake.State.QUEUED
        intake.progress = f"Queued: {len(body):,} characters wait for the background job."
        intake.job_due_at = _job_due()
        intake.save()
        transaction.on_commit(lambda: _enqueue_job(intake.pk))
    return intake


def _ingest_arguments(intake: Intake, *, body: str, by) -> dict:
    return {
        "body": body,
        "title": intake.title,
        "author": intake.author,
        "publication": intake.publication,
        "url": intake.url,
        "published_at": intake.published_at,
        "embargo_until": intake.embargo_until,
        "fmt": intake.body_format,
        "by": by,
    }


def _job_due():
    """Return when a piece's background job, queued or started now, is sent again if unfinished."""
    return timezone.now() + timedelta(seconds=settings.INGEST_REQUEUE_SECONDS)


def _piece_tasks() -> dict:
    """Return the background job each state of a piece waits for."""
    from reviews.tasks import ingest_piece, remove_piece

    return {Intake.State.QUEUED: ingest_piece, Intake.State.REMOVING: remove_piece}


def _enqueue_job(intake_id: int) -> None:
    """Send the job the piece's state waits for; a broker that refuses it makes it due now."""
    state = Intake.objects.filter(pk=intake_id).values_list("state", flat=True).first()
    task = _piece_tasks().get(state)
    if task is not None and not enqueue(task, intake_id=intake_id):
        Intake.objects.filter(pk=intake_id, state=state).update(job_due_at=timezone.now())


def intakes_sweep(*, now=None) -> int:
    """Send again the pieces' background jobs that were lost; return how many were sent.

    A message the broker refused or lost leaves a piece queued (or being removed) with nothing
    to run it, and a worker killed while ingesting leaves it "ingesting" with its transaction
    rolled back: nothing of it was written. Each is due again INGEST_REQUEUE_SECONDS after it was
    queued or started (at once after a refusal): an ingesting one goes back to the queue, then
    the job is sent again, and again that long later while it stays unfinished. The jobs do
    nothing for a piece no longer in their state, so a duplicate message is harmless.
    """
    now = now or timezone.now()
    Intake.objects.filter(state=Intake.State.INGESTING, job_due_at__lte=now).update(
        state=Intake.State.QUEUED,
        progress="Queued again: the job ingesting it stopped before it finished.",
    )
    return sum(
        requeue_due(
            Intake.objects.filter(state=state),
            due_field="job_due_at",
            task=task,
            key="intake_id",
            what=f"piece job(s) ({state})",
            again_after=settings.INGEST_REQUEUE_SECONDS,
            now=now,
        )
        for state, task in _piece_tasks().items()
    )


def intake_run(*, intake_id: int) -> Intake:
    """Ingest a queued piece (the background job); a piece no longer queued is left alone.

    The progress is committed before the long work starts, so the piece's page shows it. The
    ingestion is one transaction: a worker killed in it leaves nothing written, and the piece
    "ingesting" until the sweeper queues it again (`intakes_sweep`).
    """
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake_id)
        if intake.state != Intake.State.QUEUED:
            return intake
        intake.state = Intake.State.INGESTING
        intake.progress = (
            f"Extracting and ranking the claims of {intake.characters:,} characters "
            f"(started {timezone.localtime():%H:%M:%S})."
        )
        intake.job_due_at = _job_due()
        intake.save(update_fields=["state", "progress", "job_due_at"])
    try:
        with transaction.atomic():
            result = article_receive(
                intake=intake,
                **_ingest_arguments(intake, body=intake.body, by=intake.received_by),
            )
            _record(intake, result)
    except ClaimsError as error:
        _fail(intake, str(error))
    except Exception:
        _fail(intake, "The background job failed unexpectedly; the server's log has the details.")
        raise
    return intake


def _fail(intake: Intake, message: str) -> None:
    intake.state = Intake.State.FAILED
    intake.error = message
    intake.progress = "Failed."
    intake.finished_at = timezone.now()
    intake.job_due_at = None
    intake.save(update_fields=["state", "error", "progress", "finished_at", "job_due_at"])


def piece_remove(*, intake: Intake, by, reason: str) -> Intake:
    """Remove a piece ingested by mistake: its article, claims, tickets and their trail.

    The record stays, saying who removed it, when and why. A piece with a verdict the public
    has seen (published, scheduled, under correction or retracted) is refused: retracting is
    how the desk withdraws those. The deletion runs in a background job after this commit,
    since a long piece has tens of thousands of claims.
    """
    if not by.has_perm("claims.delete_article"):
        raise NotAllowed(f"{by} may not remove pieces: that needs the Editor role.")
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Say why the piece is removed; the reason stays on the record.")
    with transaction.atomic():
        intake = Intake.objects.select_for_update(of=("self",)).get(pk=intake.pk)
        if intake.state != Intake.State.INGESTED or intake.article_id is None:
            raise InvalidTransition(
                f"#{intake.pk} is {intake.get_state_display()}: only an ingested piece can be "
                "removed."
            )
        if _seen_by_public(intake.article_id):
            raise InvalidTransition(
                f"“{intake.title}” has verdicts the public has seen (or will at the embargo), "
                "or its public page shows a verdict it reuses: they stay on the record. Retract "
                "them instead of removing the piece."
            )
        intake.state = Intake.State.REMOVING
        intake.progress = "Removing the article, its claims and their tickets."
        intake.removed_by = by
        intake.removed_at = timezone.now()
        intake.removal_reason = reason
        intake.job_due_at = _job_due()
        intake.save()
        transaction.on_commit(lambda: _enqueue_job(intake.pk))
    return intake


def _seen_by_public(article_id: int) -> bool:
    """Return whether readers have seen (or will at the embargo) a verdict on the article: one
    of its own, or one its public page shows because a claim of it reuses that verdict."""
    own = Ticket.objects.filter(
        claim__article_id=article_id,
        stage__in=[Stage.SCHEDULED, Stage.PUBLISHED, Stage.CORRECTING, Stage.RETRACTED],
    )
    return own.exists() or articles_public().filter(pk=article_id).exists()


def _files_delete(names: list[str]) -> None:
    """Delete stored files whose rows are gone; one that cannot be deleted is logged, not fatal."""
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("Could not delete the removed piece's file %s", name)


def piece_remove_run(*, intake_id: int) -> Intake:
    """Delete the article of a piece being removed (the background job), in one transaction.

    Should the deletion fail, nothing is deleted and the piece's page says so.
    """
    from reviews.models import Verdict

    try:
        with transaction.atomic():
            intake = Intake.objects.select_for_update(of=("self",)).get(pk=intake_id)
            if intake.state != Intake.State.REMOVING:
                return intake
            if intake.article_id is not None and _seen_by_public(intake.article_id):
                # A verdict on it went public after the removal was asked for: it stays.
                intake.state = Intake.State.INGESTED
                intake.progress = (
                    "Not removed: a verdict on it became public after the removal was asked "
                    "for. Retract it instead."
                )
                intake.job_due_at = None
                intake.save(update_fields=["state", "progress", "job_due_at"])
                return intake
            claims = intake.summary.get("assertions", 0)
            if intake.article_id is not None:
                files = list(
                    Attachment.objects.filter(claim__article_id=intake.article_id)
                    .exclude(file="")
                    .values_list("file", flat=True)
                )
                # The rows go with this transaction; their files only once it has committed,
                # so a failed removal keeps every file its rows still name.
                transaction.on_commit(lambda: _files_delete(files))
                # A verdict protects its revisions; both go, so let go of them first.
                Verdict.objects.filter(ticket__claim__article_id=intake.article_id).update(
                    current_revision=None, published_revision=None
                )
                Article.objects.filter(pk=intake.article_id).delete()
            intake.article = None
            intake.state = Intake.State.REMOVED
            intake.progress = ngettext(
                "Removed with its %(n)s claim and its ticket.",
                "Removed with its %(n)s claims and their tickets.",
                claims,
            ) % {"n": f"{claims:,}"}
            intake.finished_at = timezone.now()
            intake.job_due_at = None
            intake.save()
    except Exception:
        Intake.objects.filter(pk=intake_id, state=Intake.State.REMOVING).update(
            state=Intake.State.INGESTED,
            job_due_at=None,
            progress="The removal failed; nothing was deleted. The server's log has the details.",
        )
        raise
    return intake
