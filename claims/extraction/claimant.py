"""Find who a claim is attributed to ("OpenAI complained that ..."): the speaker, not the writer."""

from __future__ import annotations

import re

# One to five capitalised words (names, organisations, "OpenAI", "Satya Nadella", "the EU's
# Ursula von der Leyen" reads as "Ursula von der Leyen"), before a verb of saying.
_PARTICLE = r"von|van|de|der|da|del|bin|al"
_NAME = rf"((?:[A-Z][\w'’.-]*)(?:\s+(?:[A-Z][\w'’.-]*|{_PARTICLE})){{0,4}})"
_SAYING = (
    r"(?:complained|claimed|claims|argued|argues|insisted|insists|warned|warns|admitted|"
    r"acknowledged|confirmed|announced|testified|alleged|disclosed|denied|stated|wrote|said|"
    r"says|told\s+\w+)"
)
_BEFORE_VERB = re.compile(
    _NAME + r"(?:,[^,]{1,60},)?\s+(?:has\s+|have\s+|had\s+)?" + _SAYING + r"\b"
)
_ACCORDING_TO = re.compile(r"\b[Aa]ccording to\s+" + _NAME)
# Capitalised words that start sentences or name documents, not speakers.
_NOT_SPEAKERS = {
    "the",
    "a",
    "an",
    "this",
    "that",
    "it",
    "he",
    "she",
    "they",
    "we",
    "i",
    "you",
    "his",
    "her",
    "their",
    "its",
    "our",
    "memo",
    "report",
    "filing",
    "statement",
    "letter",
    "email",
    "document",
    "sources",
    "officials",
    "critics",
    "analysts",
    "experts",
    "people",
    "but",
    "and",
    "yet",
    "so",
    "in",
    "on",
    "as",
    "when",
    "if",
}


def speaker(text: str) -> str:
    """Return the person or body a claim is attributed to in ``text``, or "" if none is named."""
    for pattern in (_ACCORDING_TO, _BEFORE_VERB):
        for match in pattern.finditer(text):
            words = match.group(1).split()
            while words and words[0].lower() in _NOT_SPEAKERS:
                words = words[1:]
            if words and words[0][0].isupper():
                name = re.sub(r"['’]s$", "", " ".join(words)).rstrip(".,")
                return name[:300]
    return ""
