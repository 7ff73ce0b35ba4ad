"""Tell when two texts that read alike differ in a figure or in polarity.

Sentence encoders score "unemployment fell to 4%" and "unemployment rose to 14%" as near
duplicates, and "X is true" against "X is not true" almost as high (shared/notes/encoders.md):
before a match is called confirmed, its figures and its negations must agree.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .text import clean

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)(\s*(?:%|percent|per cent))?", re.IGNORECASE)
_SCALE_WORDS = {
    "zero": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "thousand": "1000",
    "million": "1000000",
    "billion": "1000000000",
    "trillion": "1000000000000",
    "half": "0.5",
    "dozen": "12",
}
_WORD = re.compile(r"[^\W\d_]+(?:'[a-z]+)?|\d+", re.IGNORECASE)
_NEGATIONS = {
    "not",
    "no",
    "never",
    "neither",
    "nor",
    "none",
    "nobody",
    "nothing",
    "nowhere",
    "cannot",
    "without",
}


_MULTIPLIERS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# A written number and the scale word after it ("3.2 million") are one figure, not two.
_SCALED = re.compile(
    r"(?<![\w.])(\d+(?:[.,]\d+)*)\s+(" + "|".join(_MULTIPLIERS) + r")\b", re.IGNORECASE
)

# "three million" reads as "3 million".
_WORD_SCALED = re.compile(
    r"\b("
    + "|".join(w for w in _SCALE_WORDS if w not in _MULTIPLIERS)
    + r")\s+("
    + "|".join(_MULTIPLIERS)
    + r")\b",
    re.IGNORECASE,
)


def _canonical(digits: str) -> str:
    digits = digits.replace(",", "").rstrip(".")
    if "." in digits:
        digits = digits.rstrip("0").rstrip(".")
    return digits


def figures(text: str) -> set[str]:
    """Return the numbers a text states, as canonical strings ("1,200" -> "1200",
    "3.2 million" -> "3200000")."""
    text = _WORD_SCALED.sub(
        lambda match: f"{_SCALE_WORDS[match.group(1).lower()]} {match.group(2)}", clean(text)
    )
    found = set()
    for match in _SCALED.finditer(text):
        value = Decimal(_canonical(match.group(1))) * _MULTIPLIERS[match.group(2).lower()]
        found.add(_canonical(format(value, "f")))
    text = _SCALED.sub(" ", text)
    for match in _NUMBER.finditer(text):
        found.add(_canonical(match.group(1)) + ("%" if match.group(2) else ""))
    for word in _WORD.findall(text.lower()):
        if word in _SCALE_WORDS:
            found.add(_SCALE_WORDS[word])
    return found


def negated(text: str) -> bool:
    """Return whether a text holds an odd number of negations (so it denies what it states)."""
    count = 0
    for word in _WORD.findall(clean(text).lower()):
        if word in _NEGATIONS or word.endswith("n't"):
            count += 1
    return count % 2 == 1


def conflicts(query: str, candidate: str) -> tuple[str, ...]:
    """Return why ``candidate`` may state something other than ``query`` (empty if nothing).

    A figure conflict is a number in ``query`` (the new claim) that ``candidate`` (what the desk
    checked) lacks: a changed figure, or a figure the check never covered. A figure only the
    candidate states is no conflict (the new claim repeats part of what was checked). A polarity
    conflict is one text negated and the other not.
    """
    reasons = []
    query_figures, candidate_figures = figures(query), figures(candidate)
    if query_figures - candidate_figures:
        reasons.append(
            "figures differ: "
            + ", ".join(sorted(query_figures - candidate_figures))
            + " vs "
            + (", ".join(sorted(candidate_figures - query_figures)) or "none")
        )
    if negated(query) != negated(candidate):
        reasons.append("one denies what the other states")
    return tuple(reasons)
