"""Represent a published verdict as the public sees it: what the API, webhooks and pages show.

The API and webhooks send `verdict_public`; the readers' verdict page lists `sources_relied_on`.
Both read a revision's sources here, from the same evidence and the same pinned snapshots.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from rest_framework.fields import DateTimeField

from reviews.selectors import verdict_public_url

_MOMENT = DateTimeField()


def absolute(path: str, request=None) -> str:
    """Return `path` as an absolute URL: on the request's host, else on DESK_BASE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.DESK_BASE_URL.rstrip('/')}{path}"


def moment(value) -> str | None:
    """Return a time as the API writes it (ISO 8601 in the desk's time zone), or None."""
    return None if value is None else _MOMENT.to_representation(value)


def rating_public(rating, rating_bounds: tuple) -> dict:
    """Return a rating with the scale's bounds, which ratings off the scale do not have."""
    worst, best = rating_bounds
    on_scale = rating.numeric_value is not None
    return {
        "slug": rating.slug,
        "label": rating.label,
        "value": rating.numeric_value,
        "best": best if on_scale else None,
        "worst": worst if on_scale else None,
    }


def verdict_links(verdict_id: int, request=None) -> dict:
    """Return the verdict's public page, API resource and ClaimReview addresses."""
    return {
        "url": verdict_public_url(verdict_id),
        "api_url": absolute(reverse("api:verdict-detail", args=[verdict_id]), request),
        "claimreview_url": absolute(reverse("api:verdict-claimreview", args=[verdict_id]), request),
    }


def snapshot_public(snapshot) -> dict | None:
    """Return the archived copy of a source as the public sees it, or None if there is none."""
    if snapshot is None:
        return None
    return {
        "archived_at": moment(snapshot.fetched_at),
        "final_url": snapshot.final_url,
        "status": snapshot.status,
        "sha256": snapshot.sha256,
        "title": snapshot.title,
        "site_name": snapshot.site_name,
        "published": None if snapshot.published is None else snapshot.published.isoformat(),
    }


def source_public(evidence) -> dict:
    """Return one piece of evidence the published revision relies on, with its snapshot."""
    return {
        "url": evidence.source.url,
        "stance": evidence.stance,
        "quote": evidence.quote,
        "link_status": evidence.source.link_status,
        "snapshot": snapshot_public(evidence.snapshot),
    }


# --- e15desk: tags (topics) in the public representation -------------------------------------
# One place: verdict_public adds "tags" from here. The claim's tags are prefetched by the callers
# (public_verdicts() in the API, verdict_published_view() for the page); a flat .values() rewrite
# reads them with one extra query keyed by claim id and passes the list in.


def tags_public(tags) -> list[dict]:
    """Return a verdict's topics as the public sees them: slug and name, by name."""
    return [{"slug": tag.slug, "name": tag.name} for tag in sorted(tags, key=lambda t: t.name)]


# --- end e15desk tags -------------------------------------------------------------------------


@dataclass
class ReliedSource:
    """One source a published revision relies on, as the verdict page lists it."""

    source: object
    snapshot: object = None
    quotes: list = field(default_factory=list)
    cited_by_article: bool = False
    changed_since: bool = False


def sources_relied_on(revision) -> list[ReliedSource]:
    """Group what a published revision relies on by source: its quotes, then the piece's links.

    The quotes are the revision's evidence, the same rows `verdict_public` sends one by one as
    its "sources". Each source shows the archived copy the revision pinned; a newer snapshot of
    it shows only as "the live page has changed since".
    """
    by_source: dict[int, ReliedSource] = {}
    for item in revision.evidence.all():
        entry = by_source.setdefault(item.source_id, ReliedSource(item.source, item.snapshot))
        entry.quotes.append(item)
        entry.snapshot = entry.snapshot or item.snapshot
    for link in revision.links.all():
        entry = by_source.setdefault(link.source_id, ReliedSource(link.source))
        entry.snapshot = entry.snapshot or link.snapshot
        entry.cited_by_article = True
    for entry in by_source.values():
        latest = entry.source.last_snapshot_id
        entry.changed_since = bool(entry.snapshot and latest and latest != entry.snapshot.pk)
    return list(by_source.values())


def verdict_public(verdict, *, rating_bounds: tuple, request=None) -> dict:
    """Return a verdict from `verdicts_published()` as the public sees it; never a draft.

    Written out by hand: the API lists up to 200 of these per request. The API's
    VerdictSerializer declares the same keys for the OpenAPI schema.
    """
    claim = verdict.ticket.claim
    article = claim.article
    revision = verdict.published_revision
    return {
        "id": verdict.pk,
        **verdict_links(verdict.pk, request),
        "claim": {"id": claim.pk, "text": claim.text, "start": claim.start, "end": claim.end},
        "article": {
            "id": article.pk,
            "title": article.title,
            "author": article.author,
            "publication": article.publication,
            "url": article.url,
            "published_at": moment(article.published_at),
        },
        "rating": rating_public(revision.rating, rating_bounds),
        "summary": revision.summary,
        "explanation": revision.explanation,
        "sources": [source_public(evidence) for evidence in revision.evidence.all()],
        "revision": revision.number,
        "published_at": moment(verdict.published_at),
        "updated_at": moment(verdict.updated_at),
        "corrections": [
            {"note": c.public_note, "published_at": moment(c.published_at)}
            for c in verdict.published_corrections
        ],
        "retracted": verdict.is_retracted,
        "retracted_at": moment(verdict.retracted_at),
        "retraction_reason": verdict.retraction_reason,
        # e15desk tags: see tags_public above.
        "tags": tags_public(claim.tags.all()),
    }
