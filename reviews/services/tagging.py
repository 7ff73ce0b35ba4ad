"""Set a claim's topics from its ticket: on the record, and a public change once published."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from claims.models import Tag
from reviews import workflow
from reviews.errors import NotAllowed, ReviewError
from reviews.models import Event, Ticket, Verdict


def ticket_set_tags(*, ticket: Ticket, by, tags: Iterable[Tag | str]) -> list[Tag]:
    """Make `tags` (tags or slugs) the topics of the ticket's claim; return them by name.

    Fact-checkers and editors tag claims; once the verdict is public only editors do, since
    readers and API clients see the change: the verdict's public change time moves with it.
    Every change is recorded on the ticket's trail; setting the same tags again records nothing.
    """
    if by is None or not by.has_perm(workflow.DRAFT):
        raise NotAllowed("You cannot tag claims: ask an editor for the fact-checker role.")
    wanted = _resolve(tags)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().select_related("claim").get(pk=ticket.pk)
        verdict = Verdict.objects.filter(ticket=locked).first()
        public = verdict is not None and verdict.published_revision_id is not None
        if public and not by.has_perm(workflow.PUBLISH):
            raise NotAllowed(
                "Only editors change the tags of a published verdict: readers see them."
            )
        before = {tag.slug for tag in locked.claim.tags.all()}
        after = {tag.slug for tag in wanted}
        if before == after:
            return sorted(wanted, key=lambda tag: tag.name)
        locked.claim.tags.set(wanted)
        if public:
            Verdict.objects.filter(pk=verdict.pk).update(updated_at=timezone.now())
        Event.objects.create(
            ticket=locked,
            actor=by,
            action="tag",
            from_stage=locked.stage,
            to_stage=locked.stage,
            data={"added": sorted(after - before), "removed": sorted(before - after)},
        )
    return sorted(wanted, key=lambda tag: tag.name)


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
