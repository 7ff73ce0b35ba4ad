"""Split paragraphs into sentence spans with syntok, capping runaway sentences."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from syntok import segmenter
from syntok.tokenizer import Tokenizer

# Debate sentences average about 100 characters; past this a "sentence" is a list, a table
# flattened into prose or text without punctuation, and no reader checks it as one claim.
MAX_SENTENCE_CHARS = 600
# Preferred places to cut an over-long sentence, best first.
_CUT_MARKS = ("; ", ": ", " — ", " – ", ", ")
_JOINERS = frozenset("\u200d\ufe0e\ufe0f")


@dataclass(frozen=True)
class Sentence:
    """A sentence spanning text[start:end] inside paragraph number `paragraph`."""

    start: int
    end: int
    paragraph: int


def segment(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[Sentence]:
    """Return the sentences of every paragraph span of text, in document order."""
    # Keep "n't" as written so every token is a verbatim slice of the text.
    tokenizer = Tokenizer(replace_not_contraction=False)
    sentences = []
    for index, (para_start, para_end) in enumerate(paragraphs):
        # Tokenize each paragraph on its own: syntok's base_offset pads the text with spaces,
        # which would make long documents quadratic.
        chunk = text[para_start:para_end]
        for tokens in segmenter.segment(tokenizer.tokenize(chunk)):
            spans = [(t.offset, t.offset + len(t.value)) for t in tokens if t.value]
            if not spans:
                continue
            start = para_start + spans[0][0]
            end = para_start + max(end for _, end in spans)
            for cut_start, cut_end in cap_sentence(text, start, min(end, para_end)):
                sentences.append(Sentence(cut_start, cut_end, index))
    return sentences


def cap_sentence(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut text[start:end] into pieces of at most MAX_SENTENCE_CHARS at natural breaks."""
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = _find_cut(text, start, start + MAX_SENTENCE_CHARS)
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((start, piece_end))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def _find_cut(text: str, start: int, limit: int) -> int:
    """Return where to cut before limit: after a clause mark, else at a space, else anywhere."""
    floor = start + MAX_SENTENCE_CHARS // 2
    for mark in _CUT_MARKS:
        at = text.rfind(mark, floor, limit)
        if at != -1:
            return at + len(mark.rstrip())
    for at in range(limit, floor, -1):
        if text[at - 1].isspace():
            return at
    # No space at all (a URL, base64, a language without spaces): cut anywhere that does
    # not separate a character from its combining marks or emoji joiners.
    at = limit
    while at > floor and (unicodedata.combining(text[at]) or text[at] in _JOINERS):
        at -= 1
    return at
