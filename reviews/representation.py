"""Represent a published verdict as the public sees it: the one shape the API and webhooks send."""

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


def source_public(evidence) -> dict:
    """Return one piece of evidence the published revision relies on, with its snapshot."""
    snapshot = evidence.snapshot
    return {
        "url": evidence.source.url,
        "stance": evidence.stance,
        "quote": evidence.quote,
        "link_status": evidence.source.link_status,
        "snapshot": None
        if snapshot is None
        else {
            "archived_at": moment(snapshot.fetched_at),
            "final_url": snapshot.final_url,
            "status": snapshot.status,
            "sha256": snapshot.sha256,
            "title": snapshot.title,
            "site_name": snapshot.site_name,
            "published": None if snapshot.published is None else snapshot.published.isoformat(),
        },
    }


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
    }
