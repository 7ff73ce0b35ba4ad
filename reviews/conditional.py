"""Answer conditional GETs for the readers' pages and feeds: ETag, Last-Modified, caching."""

import hashlib
from collections.abc import Callable

from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

from reviews import selectors

# Readers may see a page up to this many seconds old; the desk's changes are rarely urgent.
PUBLIC_MAX_AGE = 60
# Bump when the pages' markup changes, so conditional requests stop matching old copies.
PAGE_VERSION = "1"


def _scale_fingerprint() -> str:
    """Return a digest of the rating scale as pages show it (labels, definitions, colours)."""
    rows = list(
        selectors.rating_scale().values_list("slug", "label", "definition", "colour", "order")
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


def conditional(stamp: Callable):
    """Answer conditional GETs from `stamp(**url kwargs)`, read once per request.

    `stamp` returns None (the page does not exist: the view answers 404) or a tuple whose last
    item is the newest change behind the page; the ETag also covers the rating scale.
    """

    def read(request, **kwargs):
        if not hasattr(request, "_public_stamp"):
            request._public_stamp = stamp(**kwargs)
        return request._public_stamp

    def etag(request, **kwargs):
        value = read(request, **kwargs)
        if value is None:
            return None
        key = repr((PAGE_VERSION, value, _scale_fingerprint())).encode()
        return hashlib.sha256(key).hexdigest()[:32]

    def last_modified(request, **kwargs):
        value = read(request, **kwargs)
        return None if value is None else value[-1]

    def decorate(view):
        view = condition(etag_func=etag, last_modified_func=last_modified)(view)
        view = cache_control(public=True, max_age=PUBLIC_MAX_AGE)(view)
        return require_safe(view)

    return decorate
