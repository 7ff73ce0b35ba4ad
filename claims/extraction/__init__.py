"""Extract check-worthy assertions from article text, Markdown or HTML, without Django."""

from .normalize import MAX_INPUT_BYTES, MAX_INPUT_CHARS, ExtractionError, Link, decode_input
from .pipeline import (
    CHECKWORTHY_THRESHOLD,
    Assertion,
    Extraction,
    extract,
    score_sentence,
    score_sentences,
)

__all__ = [
    "CHECKWORTHY_THRESHOLD",
    "MAX_INPUT_BYTES",
    "MAX_INPUT_CHARS",
    "Assertion",
    "Extraction",
    "ExtractionError",
    "Link",
    "decode_input",
    "extract",
    "score_sentence",
    "score_sentences",
]
