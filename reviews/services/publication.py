"""Publish approved verdicts (now or when the embargo lifts), correct and retract them."""

import logging

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from reviews.errors import NotAllowed, ReviewError
from reviews.models import Correction, Notification, Rating, Ticket, Verdict, WebhookEvent
from reviews.selectors import rating_bounds, verdicts_published
from reviews.services import webhooks
from reviews.services._steps import Step, required_text, step
from reviews.services.record import revision_links_pin
from reviews.services.verdicts import _people_on
from reviews.workflow import Stage

logger = logging.getLogger(__name__)


# Any constant works: it names the one lock that every change to what the public sees takes.
_PUBLIC_CHANGES_LOCK = 0x7665726469637473


def _save_public_change(verdict: Verdict, fields: list[str]) -> None:
    """Save `fields` of the verdict and stamp its updated_at, one public change at a time.

    On PostgreSQL the changes take turns (a lock held until commit) and the stamp is the
    database's clock, so updated_at follows commit order: an API client syncing by (updated_at,
    id) never moves its cursor past a change that commits later with an earlier time.
    """
    Verdict.objects.filter(pk=verdict.pk).update(
        updated_at=_public_change_stamp(), **{name: getattr(verdict, name) for name in fields}
    )


def _public_change_stamp():
    """Take the public changes' turn and return the time to stamp updated_at with."""
    if connection.vendor != "postgresql":
        return timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PUBLIC_CHANGES_LOCK])
    return Now()


def verdicts_shown_changed(*, verdict_ids: list[int]) -> list[Verdict]:
    """Record that what the public sees of published verdicts changed without a new revision.

    For what a verdict shows beside its revision (its claim's topics): move each one's
    updated_at (one update, in the public changes' turn, so API sync clients fetch them again)
    and owe subscribers a `verdict.updated` delivery. Only the verdicts readers see now count:
    one held back by an embargo is told when it goes out, never before. Call it inside the
    change's transaction, after the change; the caller records it on each ticket's trail.
    Return the verdicts.
    """
    if not verdict_ids:
        return []
    shown = verdicts_published().filter(pk__in=verdict_ids).order_by().values("pk")
    Verdict.objects.filter(pk__in=shown).update(updated_at=_public_change_stamp())
    verdicts = list(Verdict.objects.filter(pk__in=shown).order_by("id"))
    webhooks.deliveries_create(verdicts=verdicts, event=WebhookEvent.UPDATED)
    return verdicts


def article_shown_changed(*, article_id: int) -> list[Verdict]:
    """Tell readers of the article's published verdicts that the piece's details changed.

    The article admin calls this (through settings.CLAIMS_ARTICLE_CHANGED) inside the
    transaction that edits the title, byline, address or date, which the article's own events
    record: each verdict moves its updated_at and fires `verdict.updated`.
    """
    # Only those readers see now: a verdict held back by the embargo is told when it goes out.
    shown = verdicts_published().filter(ticket__claim__article_id=article_id)
    return verdicts_shown_changed(verdict_ids=list(shown.order_by().values_list("pk", flat=True)))


# What the API, webhooks and ClaimReview show of a verdict's rating (the pages show it all).
RATING_SHOWN_FIELDS = ("slug", "label", "numeric_value")


def rating_save(*, rating: Rating, by) -> Rating:
    """Save a new or edited step of the rating scale, for an administrator.

    A new slug, label or value is a public change of the verdicts readers see rated with it,
    and a new best or worst value of the scale one of every verdict rated on the scale (the
    API's best/worst, ClaimReview's bestRating/worstRating): each moves its updated_at and
    fires `verdict.updated`, as a renamed topic does. (The pages and their ETags follow any
    edit of the scale through its change time.)
    """
    needed = "reviews.change_rating" if rating.pk else "reviews.add_rating"
    if by is None or not by.has_perm(needed):
        raise NotAllowed("Only administrators change the rating scale.")
    with transaction.atomic():
        before, bounds = _scale_locked(rating.pk)
        rating.save()
        reworded = before is not None and any(
            before[name] != getattr(rating, name) for name in RATING_SHOWN_FIELDS
        )
        _scale_shown_changed(rating_ids=[rating.pk] if reworded else [], bounds_before=bounds)
    return rating


def rating_delete(*, rating: Rating, by) -> None:
    """Take a step no verdict uses off the rating scale, for an administrator.

    A step some revision or vote uses is protected and cannot go. Taking off the best or the
    worst step moves the scale's bounds: every verdict rated on the scale changes (rating_save).
    """
    if by is None or not by.has_perm("reviews.delete_rating"):
        raise NotAllowed("Only administrators change the rating scale.")
    with transaction.atomic():
        _before, bounds = _scale_locked(rating.pk)
        rating.delete()
        _scale_shown_changed(rating_ids=[], bounds_before=bounds)


def _scale_locked(rating_id: int | None) -> tuple[dict | None, tuple]:
    """Lock the whole scale (its bounds are compared after the change); return what the
    public sees of the rating `rating_id` and the scale's (worst, best) now."""
    scale = {
        row["pk"]: row
        for row in Rating.objects.select_for_update()
        .order_by("pk")
        .values("pk", *RATING_SHOWN_FIELDS)
    }
    return scale.get(rating_id), rating_bounds()


def _scale_shown_changed(*, rating_ids: list[int], bounds_before: tuple) -> list[Verdict]:
    """Tell of the published verdicts rated with `rating_ids`, and of every verdict rated on
    the scale if its bounds moved from `bounds_before`."""
    changed = Q(published_revision__rating__in=rating_ids)
    if rating_bounds() != bounds_before:
        changed |= Q(published_revision__rating__numeric_value__isnull=False)
    shown = verdicts_published().filter(changed).order_by()
    return verdicts_shown_changed(verdict_ids=list(shown.values_list("pk", flat=True)))


def _make_public(s: Step) -> None:
    """Make the approved current revision the public one, closing an open correction."""
    now = timezone.now()
    verdict = s.facts.verdict
    correction = s.facts.open_correction
    revision_links_pin(revision=verdict.current_revision, claim_id=s.ticket.claim_id)
    verdict.published_revision = verdict.current_revision
    if verdict.published_at is None:
        verdict.published_at = now
    _save_public_change(verdict, ["published_revision", "published_at"])
    if correction is not None:
        correction.published_revision = verdict.current_revision
        correction.published_at = now
        correction.save(update_fields=["published_revision", "published_at"])
    webhooks.deliveries_create(
        verdicts=[verdict],
        event=WebhookEvent.CORRECTED if correction is not None else WebhookEvent.PUBLISHED,
    )
    s.ticket.publish()
    s.action = "publish"
    s.data = {
        "revision": verdict.current_revision.number,
        "rating": verdict.current_revision.rating.slug,
        "correction": correction.pk if correction else None,
    }
    s.notify_users(Notification.Kind.PUBLISHED, _people_on(s.ticket, verdict))


def verdict_publish(
    *, ticket: Ticket, by, correction_note: str = "", expected_version: int | None = None
) -> Ticket:
    """Publish the approved verdict now, or schedule it while the article's embargo holds.

    When the verdict corrects a published one, `correction_note` is the public note that
    readers see with it.
    """
    with step(ticket, by=by, action="publish", expected_version=expected_version) as s:
        correction = s.facts.open_correction
        if correction is not None:
            correction.public_note = required_text(
                correction_note or correction.public_note,
                "This publishes a correction: write the correction note readers will see.",
            )
            correction.save(update_fields=["public_note"])
            s.note = correction.public_note
        article = s.ticket.claim.article
        if article.is_embargoed():
            s.ticket.schedule()
            s.action = "schedule"
            s.data = {
                "revision": s.facts.verdict.current_revision.number,
                "embargo_until": article.embargo_until.isoformat(),
            }
        else:
            _make_public(s)
    return s.ticket


def verdicts_publish_due(*, now=None) -> int:
    """Publish every scheduled verdict whose embargo has lifted; return how many were published.

    The desk acts by itself here (no actor on the events). Each ticket is its own transaction,
    so one failure does not hold back the others.
    """
    now = now or timezone.now()
    due = (
        Ticket.objects.filter(stage=Stage.SCHEDULED)
        .exclude(claim__article__embargo_until__gt=now)
        .order_by("id")
        .values_list("pk", flat=True)
    )
    published = 0
    for pk in list(due):
        try:
            with step(pk, by=None, action="publish") as s:
                _make_public(s)
        except ReviewError as error:
            # Someone acted on it meanwhile (requested changes); nothing is left to publish.
            logger.info("Scheduled ticket %s not published: %s", pk, error)
            continue
        published += 1
    return published


def correction_open(
    *, ticket: Ticket, by, note: str, expected_version: int | None = None
) -> Correction:
    """Reopen a published verdict for a correction; the published version stays public."""
    note = required_text(note, "Say what needs correcting.")
    with step(
        ticket, by=by, action="open_correction", expected_version=expected_version, note=note
    ) as s:
        verdict = s.facts.verdict
        correction = Correction.objects.create(
            verdict=verdict,
            reason=note,
            opened_by=by,
            replaced_revision_id=verdict.published_revision_id,
        )
        s.ticket.open_correction()
        s.data = {"correction": correction.pk}
        s.notify_users(
            Notification.Kind.CORRECTION_REQUESTED, [s.ticket.assignee] if s.ticket.assignee else []
        )
    return correction


def verdict_retract(
    *, ticket: Ticket, by, reason: str, expected_version: int | None = None
) -> Ticket:
    """Withdraw a published verdict; clients see it as retracted, with the reason."""
    reason = required_text(reason, "Give the public reason for the retraction.")
    with step(ticket, by=by, action="retract", expected_version=expected_version, note=reason) as s:
        verdict = s.facts.verdict
        verdict.retracted_at = timezone.now()
        verdict.retraction_reason = reason
        _save_public_change(verdict, ["retracted_at", "retraction_reason"])
        webhooks.deliveries_create(verdicts=[verdict], event=WebhookEvent.RETRACTED)
        s.ticket.retract()
        s.data = {"revision": verdict.published_revision.number}
    return s.ticket
