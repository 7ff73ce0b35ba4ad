"""extract_document keeps an article's main text and metadata and drops the page furniture."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from claims.fetching import ExtractedDocument, FetchError, extract_document

# Written for these tests: a made-up local news item, not a published article.
ARTICLE = """<!doctype html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Harbour bridge toll to rise | The Coastal Ledger</title>
<meta name="author" content="Dana Whitfield">
<meta property="og:site_name" content="The Coastal Ledger">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> | <a href="/news">News</a> | <a href="/sport">Sport</a></nav>
<article>
<h1>Harbour bridge toll to rise</h1>
<p>The city council voted on Tuesday to raise the harbour bridge toll from 2 dollars
to 3 dollars for cars, starting in June.</p>
<p>Councillor Mira Osei said the extra money would pay for repainting the bridge, which
has not been repainted since 1998.</p>
<p>Cyclists will keep crossing for free, the council confirmed in a written statement
released after the vote. The café by the south tower stays open during the works.</p>
</article>
<footer>Subscribe to our newsletter. Copyright 2024 The Coastal Ledger.</footer>
</body></html>
"""


def test_html_article_text_and_metadata_are_extracted():
    document = extract_document(
        ARTICLE.encode("utf-8"),
        url="https://ledger.example/news/toll",
        content_type="text/html",
        charset="utf-8",
    )

    assert isinstance(document, ExtractedDocument)
    assert "raise the harbour bridge toll from 2 dollars" in document.text
    assert "repainted since 1998" in document.text
    assert "The café by the south tower" in document.text
    assert "Subscribe to our newsletter" not in document.text
    assert "Sport" not in document.text
    assert document.title == "Harbour bridge toll to rise"
    assert document.author == "Dana Whitfield"
    assert document.site_name == "The Coastal Ledger"
    assert document.published == "2024-03-05"


def test_html_without_declared_charset_reads_the_meta_charset():
    document = extract_document(
        ARTICLE.replace('charset="utf-8"', 'charset="iso-8859-1"').encode("iso-8859-1"),
        url="https://ledger.example/news/toll",
        content_type="text/html",
        charset=None,
    )

    assert "The café by the south tower" in document.text


def test_declared_charset_decodes_html():
    document = extract_document(
        ARTICLE.encode("cp1252"),
        url="https://ledger.example/news/toll",
        content_type="text/html; charset=windows-1252",
        charset="cp1252",
    )

    assert "The café by the south tower" in document.text


def test_plain_text_is_decoded_as_is():
    body = "Line one.\n\nLine two — with a dash.\n".encode()

    document = extract_document(
        body, url="https://ledger.example/notes.txt", content_type="text/plain", charset=None
    )

    assert document == ExtractedDocument(
        text="Line one.\n\nLine two — with a dash.\n",
        title="",
        author="",
        site_name="",
        published="",
    )


def test_plain_text_with_unknown_charset_falls_back_to_utf8():
    document = extract_document(
        "naïve".encode(), url="", content_type="text/plain", charset="no-such-codec"
    )

    assert document.text == "naïve"


def test_empty_html_gives_an_empty_document():
    document = extract_document(b"", url="", content_type="text/html", charset="utf-8")

    assert document.text == ""


def test_other_types_are_refused():
    with pytest.raises(FetchError) as caught:
        extract_document(b"\x89PNG", url="", content_type="image/png", charset=None)

    assert caught.value.reason == "unsupported_type"


def test_the_first_extraction_in_a_process_builds_the_public_suffix_list_for_every_thread():
    # In a fresh process: trafilatura builds the list lazily and without a lock, so each of a
    # fetch worker's threads built its own when the first messages arrived, unless the first
    # extraction (whatever its URL) had built it already.
    code = (
        "from tld.utils import get_tld_names_container as suffixes\n"
        "from claims.fetching import extract_document\n"
        "assert not suffixes()\n"
        f"extract_document({ARTICLE.encode()!r}, url='https://coastal-ledger.example/toll',"
        " content_type='text/html', charset='utf-8')\n"
        "print(bool(suffixes()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "True"
