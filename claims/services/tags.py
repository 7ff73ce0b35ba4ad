"""Rename and delete the desk's topics, telling whoever shows them (published verdicts)."""

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from claims.models import Tag


def _shown_changed(*, claim_ids: list[int], by, data: dict) -> None:
    # Claims never imports reviews: the setting names what publishes the change.
    if claim_ids and settings.CLAIMS_TAG_CHANGED:
        import_string(settings.CLAIMS_TAG_CHANGED)(claim_ids=claim_ids, by=by, data=data)


def tag_save(*, tag: Tag, by) -> Tag:
    """Save a new or edited tag; a new name or slug is a public change of the claims it is on."""
    with transaction.atomic():
        before = (
            Tag.objects.select_for_update().filter(pk=tag.pk).values("name", "slug").first()
            if tag.pk
            else None
        )
        tag.save()
        if before and (before["name"], before["slug"]) != (tag.name, tag.slug):
            _shown_changed(
                claim_ids=list(tag.claims.values_list("pk", flat=True)),
                by=by,
                data={
                    "renamed": {
                        "from": f"{before['name']} ({before['slug']})",
                        "to": f"{tag.name} ({tag.slug})",
                    }
                },
            )
    return tag


def tag_delete(*, tag: Tag, by) -> None:
    """Delete a tag: the claims it was on lose it, a public change for their published verdicts."""
    with transaction.atomic():
        claim_ids = list(tag.claims.values_list("pk", flat=True))
        slug = tag.slug
        tag.delete()
        _shown_changed(claim_ids=claim_ids, by=by, data={"removed": [slug]})
