"""Answer conditional requests: ETag and Last-Modified from one cheap query, 304 before work.

A response's body is kept in the configured cache (CACHE_URL) under its fingerprint, which
changes with anything the body shows: an unchanged resource asked again costs the fingerprint's
query and one cache read, and a change is seen at once because it moves the key.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from reviews.fingerprints import Dependencies, verdicts_dependencies


@dataclass(frozen=True)
class Fingerprint:
    """What the response will show, summed up: its validators and the rating scale's bounds."""

    etag: str
    digest: str
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
    return fingerprint_of(verdicts_dependencies(queryset, limit=limit), request, extra=extra)


def fingerprint_of(shown: Dependencies, request, *, extra: str = "") -> Fingerprint:
    """Return the validators of a response that shows `shown` (see `fingerprint`)."""
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
        digest=digest,
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


# Bump when reviews/representation.py changes what a body shows for the same rows: bodies kept
# by the previous code (in a shared cache, across a deploy) are then never read again.
BODY_VERSION = "2"
# How long a kept body stays at most. Bodies are never stale (a change moves the key), so this
# only bounds the memory that bodies of pages nobody asks for any more take.
BODY_SECONDS = 24 * 3600


def _body_key(request, print_: Fingerprint) -> str | None:
    renderer = getattr(request, "accepted_renderer", None)
    if getattr(renderer, "format", None) != "json":
        # The browsable API's page shows the user and forms: never kept.
        return None
    # The accepted media type carries parameters (indent=4) that change the bytes.
    parts = (BODY_VERSION, settings.TIME_ZONE, request.accepted_media_type, print_.digest)
    return "api-body:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def kept_body(request, print_: Fingerprint):
    """Return the response kept for this fingerprint, stamped with its validators, or None."""
    key = _body_key(request, print_)
    kept = cache.get(key) if key is not None else None
    if kept is None:
        return None
    content_type, body = kept
    return with_validators(HttpResponse(body, content_type=content_type), print_)


def keep_body(request, response, print_: Fingerprint):
    """Stamp `response` with its validators and keep its rendered body for the next request."""
    key = _body_key(request, print_)
    if key is not None and response.status_code == 200:

        def keep(rendered):
            cache.set(key, (rendered["Content-Type"], rendered.content), BODY_SECONDS)

        response.add_post_render_callback(keep)
    return with_validators(response, print_)
