"""Set a claim's topics from its ticket: on the record, and a public change once published."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from claims.models import Tag
from reviews import workflow
from reviews.errors import NotAllowed, ReviewError
from reviews.models import Event, Ticket, Verdict
from reviews.services.publication import verdicts_shown_changed
from reviews.workflow import Stage

# Stages in which editors have approved the verdict that is about to go public as it stands:
# a scheduled one goes out by itself when the embargo lifts, with the tags it has then.
_RELEASED = (Stage.APPROVED, Stage.SCHEDULED)


def tags_editors_only(ticket: Ticket, verdict: Verdict | None) -> bool:
    """Return whether only editors may change the ticket's tags now: once the verdict is public,
    or approved (and perhaps scheduled) to go public as it stands."""
    public = verdict is not None and verdict.published_revision_id is not None
    return public or ticket.stage in _RELEASED


def ticket_set_tags(*, ticket: Ticket, by, tags: Iterable[Tag | str]) -> list[Tag]:
    """Make `tags` (tags or slugs) the topics of the ticket's claim; return them by name.

    Fact-checkers and editors tag claims; once the verdict is public, or editors approved it to
    go public, only editors do, since readers and API clients see the tags: a public verdict's
    change time moves with them. Every change is recorded on the ticket's trail; setting the
    same tags again records nothing.
    """
    if by is None or not by.has_perm(workflow.DRAFT):
        raise NotAllowed("You cannot tag claims: ask an editor for the fact-checker role.")
    wanted = _resolve(tags)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().select_related("claim").get(pk=ticket.pk)
        verdict = Verdict.objects.filter(ticket=locked).first()
        public = verdict is not None and verdict.published_revision_id is not None
        if tags_editors_only(locked, verdict) and not by.has_perm(workflow.PUBLISH):
            raise NotAllowed(
                "Only editors change the tags of a published verdict, or of one approved to be "
                "published: readers see them."
            )
        before = {tag.slug for tag in locked.claim.tags.all()}
        after = {tag.slug for tag in wanted}
        if before == after:
            return sorted(wanted, key=lambda tag: tag.name)
        locked.claim.tags.set(wanted)
        if public:
            verdicts_shown_changed(verdict_ids=[verdict.pk])
        Event.objects.create(
            ticket=locked,
            actor=by,
            action="tag",
            from_stage=locked.stage,
            to_stage=locked.stage,
            data={"added": sorted(after - before), "removed": sorted(before - after)},
        )
    return sorted(wanted, key=lambda tag: tag.name)


def tag_shown_changed(*, claim_ids: Iterable[int], by, data: dict) -> int:
    """Tell readers of the published verdicts on `claim_ids` that a topic they show changed.

    Claims' tag admin calls this (through settings.CLAIMS_TAG_CHANGED) inside the transaction
    that renames or deletes a tag, with the claims that carried it. Each published verdict moves
    its updated_at and fires `verdict.updated`; each ticket's trail records `data` as a tag
    change by `by`. Return how many verdicts changed.
    """
    published = list(
        Verdict.objects.filter(
            ticket__claim_id__in=list(claim_ids), published_revision__isnull=False
        )
        .order_by("id")
        .values("id", "ticket_id", stage=F("ticket__stage"))
    )
    if not published:
        return 0
    verdicts_shown_changed(verdict_ids=[row["id"] for row in published])
    Event.objects.bulk_create(
        Event(
            ticket_id=row["ticket_id"],
            actor=by,
            action="tag",
            from_stage=row["stage"],
            to_stage=row["stage"],
            data=data,
        )
        for row in published
    )
    return len(published)


def _resolve(tags: Iterable[Tag | str]) -> list[Tag]:
    tags = list(tags)
    slugs = {tag if isinstance(tag, str) else tag.slug for tag in tags}
    found = list(Tag.objects.filter(slug__in=slugs))
    unknown = slugs - {tag.slug for tag in found}
    if unknown:
        raise ReviewError(
            f"No tag {', '.join(sorted(unknown))}: an editor adds topics under Claims → Tags."
        )
    return found
