"""Answer conditional GETs for the readers' pages and feeds: ETag, Last-Modified, caching."""

from collections.abc import Callable

from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition, require_safe

# Readers may see a page up to this many seconds old; the desk's changes are rarely urgent.
PUBLIC_MAX_AGE = 60
# Bump when the pages' markup changes, so conditional requests stop matching old copies.
PAGE_VERSION = "2"


def conditional(dependencies: Callable):
    """Answer conditional GETs from `dependencies(**url kwargs)`, read once per request.

    `dependencies` is one of reviews.fingerprints' selectors: None when the page does not exist
    (the view answers 404), else what the page shows, which gives its ETag and Last-Modified.
    """

    def read(request, **kwargs):
        if not hasattr(request, "_public_dependencies"):
            request._public_dependencies = dependencies(**kwargs)
        return request._public_dependencies

    def etag(request, **kwargs):
        found = read(request, **kwargs)
        return None if found is None else found.digest(PAGE_VERSION)[:32]

    def last_modified(request, **kwargs):
        found = read(request, **kwargs)
        return None if found is None else found.last_modified

    def decorate(view):
        view = condition(etag_func=etag, last_modified_func=last_modified)(view)
        view = cache_control(public=True, max_age=PUBLIC_MAX_AGE)(view)
        return require_safe(view)

    return decorate
