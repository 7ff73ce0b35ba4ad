"""Serve the demo's sample source pages (seeds/sources/) to the demo itself, in debug only.

The demo has no network; its second sample piece cites these pages at
http://127.0.0.1:8000/demo/sources/<name>.html, and the desk archives them through the same
SSRF-safe fetcher as any source (loopback and port 8000 allowed by `make demo` only).
"""

from django.conf import settings
from django.http import Http404, HttpResponse

SOURCES = settings.BASE_DIR / "seeds" / "sources"


def demo_source(request, name: str) -> HttpResponse:
    """Return one sample source page; 404 in production and for any other name."""
    if not settings.DEBUG:
        raise Http404("The demo's sample sources are served only in debug mode.")
    # The URL's slug converter already refuses dots and slashes: no way out of the folder.
    path = SOURCES / f"{name}.html"
    if not path.is_file():
        raise Http404("No such sample source.")
    return HttpResponse(path.read_bytes(), content_type="text/html; charset=utf-8")
