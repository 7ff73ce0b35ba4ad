"""Extract the main text and metadata from a fetched document."""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass
from datetime import date

import trafilatura

from .errors import FetchError

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass
class ExtractedDocument:
    """Hold a document's main text and what it says about itself."""

    text: str
    title: str
    author: str
    site_name: str
    published: str


def extract_document(
    body: bytes, *, url: str, content_type: str, charset: str | None
) -> ExtractedDocument:
    """Return the main text of ``body``: trafilatura for HTML, the decoded text for text/plain.

    Only trafilatura's extractor runs here; its downloader never does, so fetching stays
    with the one guarded fetcher.
    """
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == "text/plain":
        return ExtractedDocument(
            text=_decode(body, charset), title="", author="", site_name="", published=""
        )
    if media_type not in HTML_TYPES:
        raise FetchError(
            f"cannot extract text from {media_type or 'an undeclared type'}",
            reason="unsupported_type",
            permanent=True,
        )
    if not body.strip():
        return ExtractedDocument(text="", title="", author="", site_name="", published="")
    # Without a declared charset, hand trafilatura the bytes so it can read <meta charset>.
    markup: bytes | str = _decode(body, charset) if _known(charset) else body
    _warm_up()
    document = trafilatura.bare_extraction(
        markup,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )
    if document is None:
        return ExtractedDocument(text="", title="", author="", site_name="", published="")
    return ExtractedDocument(
        text=document.text or "",
        title=document.title or "",
        author=document.author or "",
        site_name=document.sitename or "",
        published=_iso_date(document.date),
    )


_warm = threading.Event()
_warming = threading.Lock()
# Enough for trafilatura to take every lazy first-use path: metadata, a URL, a paragraph.
_WARM_UP_PAGE = (
    "<html><head><title>Warm-up</title></head><body><article><p>"
    + "A paragraph long enough to be kept as the main text of the page. " * 4
    + "</p></article></body></html>"
)
# A host courlan's quick pattern cannot read (a short name, as in bbc.co.uk; an address with a
# port), so trafilatura falls back to the public-suffix list and builds it here.
_WARM_UP_URL = "https://ab.example/"


def _warm_up() -> None:
    """Run trafilatura once, alone, before the first real extraction in this process.

    On first use it builds the public-suffix list (about 50 ms of CPU) with no lock, so the 32
    threads of a fetch worker each built it at once when the first messages arrived (for any
    host the quick pattern cannot read; a warm-up with one it can read left the list unbuilt).
    """
    if _warm.is_set():
        return
    with _warming:
        if not _warm.is_set():
            trafilatura.bare_extraction(_WARM_UP_PAGE, url=_WARM_UP_URL, with_metadata=True)
            _warm.set()


def _known(charset: str | None) -> bool:
    if not charset:
        return False
    try:
        codecs.lookup(charset)
    except LookupError:
        return False
    return True


def _decode(body: bytes, charset: str | None) -> str:
    # A wrong or missing charset should cost a few odd characters, not the whole document.
    return body.decode(charset if _known(charset) else "utf-8", errors="replace")


def _iso_date(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return ""
