"""Answer conditional requests: ETag and Last-Modified from one cheap query, 304 before work."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, QuerySet, Subquery
from django.http import HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from claims.models import Evidence
from reviews.models import Rating

_FIELDS = [
    "pk",
    "updated_at",
    "article_changed_at",
    "published_revision__rating__slug",
    "published_revision__rating__label",
    "published_revision__rating__numeric_value",
    "sources_changed_at",
    "source_count",
    "scale_worst",
    "scale_best",
]


@dataclass(frozen=True)
class Fingerprint:
    """What the response will show, summed up: its validators and the rating scale's bounds."""

    etag: str
    last_modified: datetime | None
    count: int
    bounds: tuple[int | None, int | None]


def _scale_bound(order: str) -> Subquery:
    values = Rating.objects.filter(numeric_value__isnull=False).order_by(order)
    return Subquery(values.values("numeric_value")[:1])


def fingerprint(
    queryset: QuerySet, request, *, limit: int | None = None, extra: str = ""
) -> Fingerprint:
    """Return the validators of the first `limit` verdicts of `queryset` in one query.

    Each row brings what can change what the public sees of it: the verdict's public change
    time, its article's, its rating's wording, its sources' re-checks and how many there are,
    and the scale's bounds. The request's query, host and media type are in the hash too.
    """
    evidence = (
        Evidence.objects.filter(verdict_revisions=OuterRef("published_revision"))
        .order_by()
        .values("verdict_revisions")
    )
    rows = (
        queryset.prefetch_related(None)
        .select_related(None)
        .annotate(
            article_changed_at=F("ticket__claim__article__updated_at"),
            sources_changed_at=Subquery(
                evidence.annotate(latest=Max("source__updated_at")).values("latest")
            ),
            source_count=Subquery(evidence.annotate(n=Count("pk")).values("n")),
            scale_worst=_scale_bound("numeric_value"),
            scale_best=_scale_bound("-numeric_value"),
        )
        .values_list(*_FIELDS)
    )
    rows = list(rows[:limit] if limit is not None else rows)
    renderer = getattr(request, "accepted_renderer", None)
    digest = hashlib.sha256()
    for part in (
        request.build_absolute_uri("/"),
        request.get_full_path(),
        getattr(renderer, "media_type", ""),
        settings.CLAIMREVIEW_PUBLISHER_NAME,
        settings.CLAIMREVIEW_PUBLISHER_URL,
        settings.DESK_BASE_URL,
        extra,
        repr(rows),
    ):
        digest.update(str(part).encode())
        digest.update(b"\0")
    stamps = [stamp for row in rows for stamp in (row[1], row[2], row[6]) if stamp is not None]
    bounds = (rows[0][8], rows[0][9]) if rows else (None, None)
    return Fingerprint(
        etag=f'W/"{digest.hexdigest()[:40]}"',
        last_modified=max(stamps) if stamps else None,
        count=len(rows),
        bounds=bounds,
    )


def not_modified(request, print_: Fingerprint):
    """Return a 304 when the client's copy is current, else None."""
    # HTTP dates count whole seconds; so must the comparison.
    last_modified = int(print_.last_modified.timestamp()) if print_.last_modified else None
    response = get_conditional_response(request, etag=print_.etag, last_modified=last_modified)
    if isinstance(response, HttpResponseNotModified):
        return with_validators(response, print_)
    return None


def with_validators(response, print_: Fingerprint):
    """Stamp a response with its ETag and Last-Modified, and make caches revalidate it."""
    response["ETag"] = print_.etag
    if print_.last_modified is not None:
        response["Last-Modified"] = http_date(print_.last_modified.timestamp())
    # Anyone may store it, nobody may reuse it unchecked: a 304 costs one small query.
    response["Cache-Control"] = "no-cache"
    response["Vary"] = "Accept, Authorization, Cookie"
    return response
