"""Split a source's text into passages and rank them as evidence for a claim."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

# Numbers keep their decimal point or thousands separator: "3.5" and "1,200" are one token.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LINE = re.compile(r"[^\n]+")
_SENTENCE = re.compile(r".+?(?:[.!?…][\"'”’)\]]*(?=\s)|$)", re.DOTALL)


@dataclass(frozen=True)
class Passage:
    """A span of a text: ``text == source[start:end]``, scored against a query."""

    index: int
    start: int
    end: int
    text: str
    score: float


def tokenize(text: str) -> list[str]:
    """Return the lower-cased words and numbers of ``text``, without English stopwords."""
    return [
        token
        for token in _TOKEN.findall(text.lower())
        if token not in ENGLISH_STOP_WORDS and (len(token) > 1 or token.isdigit())
    ]


def split_passages(text: str, *, max_chars: int = 600) -> list[Passage]:
    """Split ``text`` into paragraph-sized passages of at most ``max_chars`` characters.

    Blank lines always end a passage. Within a block, lines (trafilatura's paragraphs)
    are packed together up to ``max_chars``; a longer line is cut at sentence ends,
    and a longer sentence at the last space that fits. Offsets index ``text`` exactly.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _blocks(text):
        units = [
            piece
            for line in _LINE.finditer(text, block_start, block_end)
            for piece in _units(text, line.start(), line.end(), max_chars)
        ]
        spans.extend(_pack(units, max_chars))
    return [
        Passage(index=index, start=start, end=end, text=text[start:end], score=0.0)
        for index, (start, end) in enumerate(spans)
    ]


def split_lines(text: str) -> list[Passage]:
    """Return each non-blank line of ``text`` (trafilatura's paragraphs) with its offsets.

    What a reader sees as a paragraph, for pinning it whole; ``split_passages`` packs these
    into ranking-sized passages instead.
    """
    lines = [line for line in _LINE.finditer(text) if line.group().strip()]
    return [
        Passage(index=index, start=line.start(), end=line.end(), text=line.group(), score=0.0)
        for index, line in enumerate(lines)
    ]


def rank_passages(text: str, query: str, *, top_k: int = 5) -> list[Passage]:
    """Return the ``top_k`` passages of ``text`` that best match ``query``, best first.

    Score with TF-IDF and cosine similarity, as scikit-learn's ``TfidfVectorizer`` does with
    ``sublinear_tf`` (the tests hold the two to the same passages and scores): its smoothed IDF
    stays positive however few passages a short article has, unlike BM25's, so a passage
    scores above zero exactly when it shares a word with the query. Passages that share
    none are dropped; ties keep document order.
    """
    return rank_passages_many(text, [query], top_k=top_k)[0]


def rank_passages_many(text: str, queries: Sequence[str], *, top_k: int = 5) -> list[list[Passage]]:
    """Rank the passages of ``text`` for each query; return one ranking per query, in order.

    The text is split, tokenized and weighted once for all the queries: a snapshot cited by
    forty claims costs one pass over its passages, not forty.
    """
    passages = split_passages(text)
    if not passages or top_k < 1:
        return [[] for _ in queries]
    counts = [Counter(tokenize(passage.text)) for passage in passages]
    frequency: Counter[str] = Counter()
    for count in counts:
        frequency.update(count.keys())
    # Smoothed IDF: as if one more passage held every word once.
    n = len(passages)
    idf = {term: math.log((1 + n) / (1 + df)) + 1 for term, df in frequency.items()}
    postings: dict[str, list[tuple[int, float]]] = {}
    for index, count in enumerate(counts):
        for term, weight in _unit(count, idf).items():
            postings.setdefault(term, []).append((index, weight))
    rankings = []
    for query in queries:
        scores = [0.0] * n
        for term, weight in _unit(Counter(tokenize(query)), idf).items():
            for index, passage_weight in postings[term]:
                scores[index] += passage_weight * weight
        scored = [
            Passage(p.index, p.start, p.end, p.text, round(score, 9))
            for p, score in zip(passages, scores, strict=True)
            if score > 0
        ]
        scored.sort(key=lambda passage: (-passage.score, passage.index))
        rankings.append(scored[:top_k])
    return rankings


def _unit(count: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Return the L2-normalised sublinear TF-IDF weights of the words ``idf`` knows."""
    weights = {
        term: (1 + math.log(tf)) * idf[term] for term, tf in sorted(count.items()) if term in idf
    }
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {term: weight / norm for term, weight in weights.items()} if norm else {}


def _blocks(text: str) -> list[tuple[int, int]]:
    blocks, start = [], 0
    for gap in _BLANK_LINE.finditer(text):
        blocks.append((start, gap.start()))
        start = gap.end()
    blocks.append((start, len(text)))
    return blocks


def _units(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Return the trimmed spans of one line, cut to fit ``max_chars``."""
    start, end = _trim(text, start, end)
    if start >= end:
        return []
    if end - start <= max_chars:
        return [(start, end)]
    units = []
    for sentence in _SENTENCE.finditer(text, start, end):
        s_start, s_end = _trim(text, sentence.start(), sentence.end())
        while s_end - s_start > max_chars:
            cut = text.rfind(" ", s_start + 1, s_start + max_chars + 1)
            cut = cut if cut > s_start else s_start + max_chars
            units.append(_trim(text, s_start, cut))
            s_start, s_end = _trim(text, cut, s_end)
        if s_start < s_end:
            units.append((s_start, s_end))
    return _pack(units, max_chars)


def _pack(units: list[tuple[int, int]], max_chars: int) -> list[tuple[int, int]]:
    packed: list[tuple[int, int]] = []
    for start, end in units:
        if packed and end - packed[-1][0] <= max_chars:
            packed[-1] = (packed[-1][0], end)
        else:
            packed.append((start, end))
    return packed


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
