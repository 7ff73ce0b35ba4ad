"""Turn raw article bytes, HTML, Markdown or plain text into plain text, paragraphs and links."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree
from markdown_it import MarkdownIt

FORMATS = ("auto", "text", "markdown", "html")


def lexicon(words: str) -> frozenset[str]:
    """Return the set of space-separated words, a readable way to write word lists."""
    return frozenset(words.split())


# Ten times a long-form feature, or the raw HTML of a heavy news page. Prose this long takes
# about ten seconds to extract (BENCHMARKS.md); refusing beyond it keeps a stray upload from
# tying up a worker. UTF-8 needs at most four bytes a character.
MAX_INPUT_CHARS = 2_000_000
MAX_INPUT_BYTES = 4 * MAX_INPUT_CHARS

# Elements whose content is never prose a reader sees.
DROPPED_TAGS = lexicon(
    "head script style iframe noscript template object embed svg math canvas audio video "
    "source track map button select option textarea input"
)
HEADING_TAGS = lexicon("h1 h2 h3 h4 h5 h6")
BLOCK_TAGS = lexicon(
    "address article aside blockquote body caption dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p "
    "pre section summary table tbody td tfoot th thead tr ul"
)

# HTML collapses ASCII whitespace only; U+00A0 and friends are content and must survive.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
_HTML_SNIFF = re.compile(
    r"<(?:!doctype\s+html|/?(?:html|head|body|p|div|span|a|br|hr|h[1-6]|ul|ol|li|article|"
    r"section|main|table|tr|td|blockquote|em|strong|b|i|img|script|style|iframe|noscript|"
    r"template|pre|code|figure|header|footer|nav)(?:\s[^<>]*)?/?)>",
    re.IGNORECASE,
)
_MARKDOWN_SNIFF = re.compile(
    r"^ {0,3}#{1,6}[ \t]+\S"  # heading
    r"|\[[^\]\n]+\]\([^)\s]+(?:\s+\"[^\"\n]*\")?\)"  # inline link
    r"|^ {0,3}(?:```|~~~)"  # fenced code
    r"|(\*\*|__)\S[^\n]*?\S\1",  # strong emphasis
    re.MULTILINE,
)
_BARE_URL = re.compile(r"https?://[^\s<>\"'“”‘’()\[\]{}]+")
_URL_TRAILING = ".,;:!?"
# Hard-wrapped prose has every line but the last this long; shorter lines are headings or lists.
_WRAP_MIN, _WRAP_MAX = 40, 100
# A plain-text line this short, with no sentence end, standing alone is a title or a heading.
_HEADING_MAX_CHARS, _HEADING_MAX_WORDS = 90, 12
_SENTENCE_END = ".!?…;:,"
_CLOSERS = "\"'”’)]»*_"
_LIST_ITEM = re.compile(r"(?:[-*+•–—]|\d{1,3}[.)])\s")
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


class ExtractionError(ValueError):
    """Input that cannot be turned into claims; the message says what to do about it."""


@dataclass(frozen=True)
class Link:
    """A link whose anchor text spans plain_text[start:end]."""

    href: str
    start: int
    end: int


@dataclass(frozen=True)
class Document:
    """Plain text with its paragraph spans and links, ready for segmentation."""

    plain_text: str
    format: str
    paragraphs: tuple[tuple[int, int], ...]
    links: tuple[Link, ...]
    # Indexes into paragraphs of the headings (HTML h1–h6, Markdown "#"): context, not claims.
    headings: frozenset[int] = frozenset()


def decode_input(raw: bytes, *, name: str) -> str:
    """Decode uploaded bytes as UTF-8 text, refusing binary, empty and oversized input."""
    if len(raw) > MAX_INPUT_BYTES:
        raise ExtractionError(
            f"{name}: {len(raw):,} bytes is more than the {MAX_INPUT_BYTES:,}-byte limit; "
            "split it into smaller files"
        )
    if b"\x00" in raw:
        raise ExtractionError(
            f"{name}: not valid UTF-8 text (it contains NUL bytes, so it looks like a binary file)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"{name}: not valid UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and retry"
        ) from None
    text = text.removeprefix("\ufeff")
    if not text:
        raise ExtractionError(f"{name}: the file is empty; there is nothing to ingest")
    if text.isspace():
        raise ExtractionError(f"{name}: the file holds only whitespace; there is nothing to ingest")
    return text


def sniff_format(body: str) -> str:
    """Guess whether body is HTML, Markdown or plain text."""
    head = body[:200_000]
    if len(_HTML_SNIFF.findall(head)) >= 2:
        return "html"
    if _MARKDOWN_SNIFF.search(head):
        return "markdown"
    return "text"


def normalize(body: str, *, fmt: str = "auto") -> Document:
    """Return the plain text of body with paragraph spans and links."""
    if fmt not in FORMATS:
        raise ExtractionError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if len(body) > MAX_INPUT_CHARS:
        raise ExtractionError(
            f"input is {len(body):,} characters, more than the {MAX_INPUT_CHARS:,} limit; "
            "split it into smaller documents"
        )
    if "\x00" in body:
        raise ExtractionError("input contains NUL characters, so it is binary data, not text")
    if fmt == "auto":
        fmt = sniff_format(body)
    headings: frozenset[int] = frozenset()
    if fmt == "html":
        text, paragraphs, links, headings = _html_to_text(body)
    elif fmt == "markdown":
        text, paragraphs, links, headings = _html_to_text(_MARKDOWN.render(body))
    else:
        text, paragraphs, links = body, _text_paragraphs(body), []
        headings = _text_headings(text, paragraphs)
    if not paragraphs and fmt == "text":
        raise ExtractionError("no text to extract: the input is empty or only whitespace")
    if not paragraphs:
        raise ExtractionError(
            f"no readable text in the {fmt} input once scripts, styles and markup are removed"
        )
    links.extend(_bare_urls(text, links))
    links.sort(key=lambda link: (link.start, link.end))
    return Document(text, fmt, tuple(paragraphs), tuple(links), headings)


def _text_paragraphs(text: str) -> list[tuple[int, int]]:
    """Split plain text into paragraphs on blank lines, or on every line when not hard-wrapped."""
    blocks: list[list[tuple[int, int]]] = [[]]
    start = 0
    for line in text.split("\n"):
        line_start, start = start, start + len(line) + 1
        stripped = line.strip()
        if not stripped:
            if blocks[-1]:
                blocks.append([])
            continue
        lead = len(line) - len(line.lstrip())
        blocks[-1].append((line_start + lead, line_start + lead + len(stripped)))
    paragraphs = []
    for lines in blocks:
        if not lines:
            continue
        wrapped = all(_WRAP_MIN <= end - start <= _WRAP_MAX for start, end in lines[:-1])
        if len(lines) > 1 and wrapped:
            paragraphs.append((lines[0][0], lines[-1][1]))
        else:
            paragraphs.extend(lines)
    return paragraphs


def _text_headings(text: str, paragraphs: list[tuple[int, int]]) -> frozenset[int]:
    """Return the indexes of the plain-text paragraphs that read as a title or a heading.

    Plain text has no markup for headings, so a paragraph counts as one when it is a single
    short line with no sentence end (no final period, question or exclamation mark), is not a
    list item, is followed by text that does not continue its sentence, and either opens the
    piece or stands alone between blank lines: "A bridge too costly" over the first paragraph.
    As with Markdown and HTML headings, it stays in the text as context and never becomes a
    claim.
    """
    found = set()
    for index, (start, end) in enumerate(paragraphs[:-1]):
        line = text[start:end]
        if "\n" in line or len(line) > _HEADING_MAX_CHARS:
            continue
        if len(line.split()) > _HEADING_MAX_WORDS or not any(c.isalpha() for c in line):
            continue
        if line.rstrip(_CLOSERS)[-1:] in _SENTENCE_END or _LIST_ITEM.match(line):
            continue
        before = text[paragraphs[index - 1][1] : start] if index else ""
        after = text[end : paragraphs[index + 1][0]]
        if text[paragraphs[index + 1][0]].islower():
            continue  # a line broken mid-sentence, not a title
        if index == 0 or (_blank_line(before) and _blank_line(after)):
            found.add(index)
    return frozenset(found)


def _blank_line(gap: str) -> bool:
    """Return whether the text between two paragraphs holds an empty line."""
    return gap.count("\n") >= 2


def _bare_urls(text: str, links: list[Link]) -> list[Link]:
    """Return links for http(s) URLs written out in the text and not already inside an anchor."""
    # Anchors never nest, so the one starting last before a URL ends is the only candidate.
    anchors = sorted((link.start, link.end) for link in links)
    found = []
    for match in _BARE_URL.finditer(text):
        start, end = match.start(), match.end()
        while end > start and text[end - 1] in _URL_TRAILING:
            end -= 1
        before = bisect.bisect_left(anchors, (end,)) - 1
        if before >= 0 and anchors[before][1] > start:
            continue
        found.append(Link(text[start:end], start, end))
    return found


class _TextBuilder:
    """Accumulate visible HTML text, collapsing whitespace and tracking paragraph and link spans."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.paragraphs: list[tuple[int, int]] = []
        self.links: list[Link] = []
        self.headings: set[int] = set()
        # How many heading elements are open: a paragraph ended inside one is a heading.
        self.in_heading = 0
        self._paragraph_start: int | None = None
        self._separator = ""
        self._open_links: list[list] = []

    def text(self, value: str | None, *, preformatted: bool = False) -> None:
        if not value:
            return
        if not preformatted:
            value = _HTML_SPACE.sub(" ", value)
            if value.startswith(" "):
                self._separator = self._separator or " "
            trailing = value.endswith(" ")
            value = value.strip(" ")
        else:
            trailing = False
        if not value:
            return
        if self._paragraph_start is None:
            if self.paragraphs:
                self._emit("\n\n")
            self._paragraph_start = self.length
        elif self._separator:
            self._emit(self._separator)
        self._separator = " " if trailing else ""
        for link in self._open_links:
            if link[1] is None:
                link[1] = self.length
        self._emit(value)

    def line_break(self) -> None:
        if self._paragraph_start is not None:
            self._separator = "\n"

    def end_paragraph(self) -> None:
        if self._paragraph_start is not None:
            if self.in_heading:
                self.headings.add(len(self.paragraphs))
            self.paragraphs.append((self._paragraph_start, self.length))
        self._paragraph_start = None
        self._separator = ""

    def open_link(self, href: str) -> None:
        self._open_links.append([href, None])

    def close_link(self) -> None:
        href, start = self._open_links.pop()
        if start is not None and self.length > start:
            self.links.append(Link(href, start, self.length))

    def _emit(self, value: str) -> None:
        self.parts.append(value)
        self.length += len(value)


def _html_to_text(
    html: str,
) -> tuple[str, list[tuple[int, int]], list[Link], frozenset[int]]:
    """Walk the parsed HTML and return its visible text, paragraph spans, links and headings."""
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return "", [], [], frozenset()
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return "", [], [], frozenset()
    out = _TextBuilder()
    links_open: list[bool] = []
    preformatted = 0
    # iterwalk instead of recursion: deeply nested markup must not exhaust the stack.
    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event in ("comment", "pi"):
            out.text(element.tail, preformatted=preformatted > 0)
            continue
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in DROPPED_TAGS:
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS:
                out.end_paragraph()
            elif tag == "br":
                out.line_break()
            out.in_heading += tag in HEADING_TAGS
            preformatted += tag == "pre"
            href = element.get("href") if tag == "a" else None
            is_link = bool(href) and not href.strip().lower().startswith("javascript:")
            links_open.append(is_link)
            if is_link:
                out.open_link(href.strip())
            out.text(element.text, preformatted=preformatted > 0)
            continue
        if tag not in DROPPED_TAGS:
            if links_open.pop():
                out.close_link()
            preformatted -= tag == "pre"
            if tag in BLOCK_TAGS:
                out.end_paragraph()
            out.in_heading -= tag in HEADING_TAGS
        out.text(element.tail, preformatted=preformatted > 0)
    out.end_paragraph()
    return "".join(out.parts), out.paragraphs, out.links, frozenset(out.headings)
