"""Answer conditional requests: ETag and Last-Modified from one cheap query, 304 before work."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from reviews.fingerprints import verdicts_dependencies


@dataclass(frozen=True)
class Fingerprint:
    """What the response will show, summed up: its validators and the rating scale's bounds."""

    etag: str
    last_modified: datetime | None
    count: int
    bounds: tuple[int | None, int | None]


def fingerprint(
    queryset: QuerySet, request, *, limit: int | None = None, extra: str = ""
) -> Fingerprint:
    """Return the validators of the first `limit` verdicts of `queryset` in one query.

    What the verdicts show comes from reviews.fingerprints, as for the readers' pages; the
    request's host, query and media type, and the publisher's settings, are in the hash too.
    """
    shown = verdicts_dependencies(queryset, limit=limit)
    renderer = getattr(request, "accepted_renderer", None)
    digest = shown.digest(
        request.build_absolute_uri("/"),
        request.get_full_path(),
        getattr(renderer, "media_type", ""),
        settings.CLAIMREVIEW_PUBLISHER_NAME,
        settings.CLAIMREVIEW_PUBLISHER_URL,
        settings.DESK_BASE_URL,
        extra,
    )
    return Fingerprint(
        etag=f'W/"{digest[:40]}"',
        last_modified=shown.last_modified,
        count=shown.count,
        bounds=shown.bounds,
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
