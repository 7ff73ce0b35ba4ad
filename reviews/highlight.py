"""Mark claims in an article's plain text at their exact offsets, as escaped HTML."""

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class Mark:
    """One claim to mark: its span in the plain text and what the mark says and links to."""

    start: int
    end: int
    # CSS class suffix: the rating's slug, or "retracted"; it only ever picks a colour.
    tone: str = ""
    # The words shown next to the claim so colour is never the only signal ("Mostly false").
    label: str = ""
    # Where the mark leads (the verdict page); without it the claim is only marked.
    href: str = ""
    # The id of the first piece, so a link such as #claim-12 lands on the claim.
    anchor: str = ""


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) of each non-blank line: a paragraph of the plain text."""
    bounds, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            bounds.append((start, end))
        start = end + 1
    return bounds


def place(marks: Iterable[Mark], length: int) -> list[Mark]:
    """Return the marks in text order, clipped so that none overlaps another.

    A mark that starts inside an earlier one keeps only its part after it; a mark wholly
    inside an earlier one is dropped (the page lists every verdict besides). Marks outside
    the text are clipped to it.
    """
    placed, cursor = [], 0
    for mark in sorted(marks, key=lambda m: (m.start, -m.end, m.anchor)):
        start, end = max(mark.start, cursor, 0), min(mark.end, length)
        if start >= end:
            continue
        placed.append(Mark(start, end, mark.tone, mark.label, mark.href, mark.anchor))
        cursor = end
    return placed


def _piece(text: str, mark: Mark, start: int, end: int) -> SafeString:
    """Return text[start:end] marked as `mark`: all of it, or the part in one paragraph."""
    first, last = start == mark.start, end == mark.end
    inner = format_html(
        '<mark class="claim-mark rating-{}"{}>{}</mark>',
        mark.tone,
        format_html(' id="{}"', mark.anchor) if first and mark.anchor and not mark.href else "",
        text[start:end],
    )
    if last and mark.label:
        inner = format_html(
            '{}<span class="rating-badge rating-{}"><span class="visually-hidden">, rated'
            "</span> {}</span>",
            inner,
            mark.tone,
            mark.label,
        )
    if not mark.href:
        return inner
    return format_html(
        '<a class="claim-link" href="{}"{}>{}</a>',
        mark.href,
        format_html(' id="{}"', mark.anchor) if first and mark.anchor else "",
        inner,
    )


def highlight(text: str, marks: Sequence[Mark], start: int = 0, end: int | None = None) -> str:
    """Return text[start:end] as escaped HTML with each mark's part of it marked.

    Offsets index the plain text as stored (code points), so each slice is taken before it is
    escaped: entities and curly quotes in the text never shift a mark.
    """
    end = len(text) if end is None else end
    parts, cursor = [], start
    for mark in place(marks, len(text)):
        piece_start, piece_end = max(mark.start, start), min(mark.end, end)
        if piece_start >= piece_end:
            continue
        parts.append(escape(text[cursor:piece_start]))
        parts.append(_piece(text, mark, piece_start, piece_end))
        cursor = piece_end
    parts.append(escape(text[cursor:end]))
    return format_html_join("", "{}", ((part,) for part in parts))


def highlight_paragraphs(text: str, marks: Sequence[Mark]) -> list[str]:
    """Return each paragraph of `text` as escaped HTML with the marks that fall in it."""
    placed = place(marks, len(text))
    return [highlight(text, placed, start, end) for start, end in paragraph_bounds(text)]


def links_by_paragraph(
    text: str, links: Iterable[tuple[int, int, str, str]]
) -> list[list[tuple[str, str]]]:
    """Return, for each paragraph of `text`, the (href, words) of the links that start in it.

    `links` are (start, end, href, anchor) in the plain text. They are listed under their
    paragraph rather than linked in place: a link inside a marked claim cannot nest in the
    claim's own link to its verdict.
    """
    bounds = paragraph_bounds(text)
    starts = [start for start, _end in bounds]
    found: list[list[tuple[str, str]]] = [[] for _ in bounds]
    for start, end, href, anchor in links:
        index = bisect_right(starts, start) - 1
        if index >= 0 and start < bounds[index][1]:
            found[index].append((href, " ".join((anchor or text[start:end]).split()) or href))
    return found
