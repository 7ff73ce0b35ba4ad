"""Separate a statement from the frame that quotes or attributes it, so both score the same.

"She said: “Rents rose 11 percent.”", "“Rents rose 11 percent,” she said." and "According to the
council, rents rose 11 percent." all carry the statement "Rents rose 11 percent." A quote is
check-worthy when what is quoted is a checkable statement, not because it is quoted: the model
scores the statement, and the frame becomes a reason (and feeds the attributed-but-uncited flag).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_OPEN = "\"“‘'"
_CLOSE = "\"”’'"
# Verbs that introduce someone else's words. "put it" covers "as the memo put it: …".
_VERB = (
    r"(?:said|says|say|told\s+(?:\w+\s+){0,3}?\w+|tells\s+(?:\w+\s+){0,3}?\w+|wrote|writes|"
    r"argued|argues|claimed|insisted|insists|added|adds|noted|warned|warns|"
    r"stated|declared|declares|explained|explains|announced|announces|"
    r"reported|maintained|maintains|tweeted|posted|asserted|asserts|conceded|concedes|"
    r"admitted|admits|acknowledged|acknowledges|observed|remarked|"
    r"complained|complains|predicted|predicts|promised|replied|replies|"
    r"confirmed|confirms|disclosed|discloses|revealed|alleged|alleges|testified|"
    r"(?:put|puts)\s+it|(?:has|have|had)\s+(?:said|argued|claimed|noted|written|warned))"
)
# Who speaks: one to six words (checked further by _NOT_A_SPEAKER).
_SPEAKER = r"(?P<speaker>[^\s\"“”‘:;,?!]+(?:\s+[^\s\"“”‘:;,?!]+){0,5}?)"
# A speaker is a name or a noun phrase ("the housing minister", "Court filings", "she"): words
# that make it a clause of the writer's own ("what he says", "fair to say", "I say", "nobody
# said") mean there is no attribution to take off.
_NOT_A_SPEAKER = re.compile(
    r"\b(?:not|never|n't|nobody|no one|none|neither|nor|i|i've|i'm|i’ve|i’m|me|my|we|we've|"
    r"we’ve|us|our|you|you've|you’ve|your|let|let's|let’s|what|who|whoever|whom|which|why|how|"
    r"when|where|if|anybody|anyone|everybody|everyone|to|is|are|was|were|be|been|can|could|"
    r"would|will|should|must|may|might|do|does|did|that|and|but|or|so|it's|it’s|that's|"
    r"that’s|there|here)\b",
    re.IGNORECASE,
)

_ACCORDING_BEFORE = re.compile(
    r"^\s*(?P<frame>[Aa]ccording\s+to\s+[^,:]{1,80}?)\s*[,:]\s*(?P<core>.+)$"
)
_ACCORDING_AFTER = re.compile(
    r"^(?P<core>.+?)\s*,\s*(?P<frame>according\s+to\s+[^,:]{1,80}?)\s*(?P<end>[.!?]?)\s*$"
)
# Verbs that can take the reported statement without "that": "The firm said profits rose."
_BARE_VERB = (
    r"(?:said|says|say|claimed|argued|argues|insisted|insists|wrote|writes|noted|added|adds|"
    r"reported|stated|maintained|maintains|estimated)"
)
# "As the memo put it: …", "She said: …", "The minister told reporters that …".
_SAID_BEFORE = re.compile(
    rf"^\s*(?:[Aa]s\s+)?{_SPEAKER}\s+(?:also\s+|later\s+|once\s+)?"
    rf"(?:(?P<verb>{_VERB})(?:\s*[:,]\s*|\s+that\s+|\s+(?=[\"“‘]))"
    rf"|(?P<bare>{_BARE_VERB})\s+)(?P<core>.+)$"
)
# "“…,” she said." / "“…,” said the minister." / "…, the report says."
_SAID_AFTER = re.compile(
    rf"^(?P<core>.+?)\s*,?\s*(?P<close>[{_CLOSE}]?)\s*,?\s*"
    rf"(?P<frame>(?:{_SPEAKER}\s+(?:also\s+)?{_VERB}|"
    rf"(?:said|says|wrote|writes|added|adds)\s+[^,.!?\"“”]{{1,60}}?))\s*(?P<end>[.!?]?)\s*$"
)
# "“The plant,” she said, “will close in March.”"
_SAID_INSIDE = re.compile(
    rf"^\s*[{_OPEN}](?P<first>[^{_CLOSE}]+?),?[{_CLOSE}]\s*,?\s*(?P<frame>{_SPEAKER}\s+{_VERB}|"
    rf"(?:said|says|wrote|added)\s+[^,]{{1,60}}?)\s*,\s*[{_OPEN}](?P<second>.+?)[{_CLOSE}]\s*$"
)


@dataclass(frozen=True)
class Framed:
    """A sentence split into the statement it carries and the frame around it (if any)."""

    statement: str
    frame: str | None
    quoted: bool

    @property
    def reason(self) -> str | None:
        """Return the reason string describing the frame, or None for a plain statement."""
        if self.frame:
            return f"attributed: scored without '{self.frame}'"
        if self.quoted:
            return "quoted: scored without the quotation marks"
        return None


# Frames are looked for in sentences up to this long (the segmenter caps sentences at 600
# characters); longer lines are scored as they are, which keeps the matching linear.
MAX_FRAMED_CHARS = 1_000


@functools.lru_cache(maxsize=4_096)
def frame_of(text: str) -> Framed:
    """Return the statement text carries once quotation and attribution frames are removed.

    Cached: the pipeline asks for a sentence's frame when scoring it and again when flagging
    attribution, and the matching is the costliest step after the encoder.
    """
    if len(text) > MAX_FRAMED_CHARS:
        return Framed(text.strip(), None, False)
    # Runs of spaces would make the optional-space groups below backtrack; one space is enough.
    original = " ".join(text.split())
    if match := _SAID_INSIDE.match(original):
        statement = f"{match['first'].strip()} {match['second'].strip()}"
        return Framed(_tidy(statement), _frame_text(match["frame"]), True)
    for pattern in (_ACCORDING_BEFORE, _ACCORDING_AFTER):
        if match := pattern.match(original):
            core = match["core"] + (match.groupdict().get("end") or "")
            return Framed(_tidy(core), match["frame"].strip(), _is_wrapped(core.strip()))
    if (match := _SAID_BEFORE.match(original)) and _plausible(match["speaker"], match["core"]):
        frame = f"{match['speaker']} {match['verb'] or match['bare']}".strip()
        if match["bare"] and len(match["core"].split()) < 4:
            return Framed(original, None, False)
        core = match["core"]
        return Framed(_tidy(core), _frame_text(frame), _is_wrapped(core.strip()))
    if (match := _SAID_AFTER.match(original)) and _quoted_or_clause(match["core"], match["close"]):
        speaker = match["speaker"] or ""
        # The inverted form ("…,” said the minister) only ever follows a quotation.
        if (speaker or match["close"]) and _plausible(speaker, match["core"]):
            core = match["core"] + (match["close"] or "")
            return Framed(_tidy(core), _frame_text(match["frame"]), bool(match["close"]))
    if _is_wrapped(original):
        return Framed(_tidy(original), None, True)
    return Framed(text.strip(), None, False)


def statement_of(text: str) -> str:
    """Return only the statement that text carries (see frame_of)."""
    return frame_of(text).statement


def _plausible(speaker: str, core: str) -> bool:
    # A negated speaker clause ("He never said …") is the writer's own statement; and a
    # frame must leave a statement of a few words behind.
    return not _NOT_A_SPEAKER.search(speaker or "") and len(core.split()) >= 3


def _quoted_or_clause(core: str, close: str) -> bool:
    # "…, she said." after a clause of its own: the core must be a statement, not a fragment
    # like "the money" in "Asked about the money, she said nothing."
    return bool(close) or core.strip()[:1] in _OPEN or len(core.split()) >= 4


def _is_wrapped(text: str) -> bool:
    """Tell whether the whole text sits inside one pair of quotation marks."""
    text = text.rstrip(" .,;:")
    if len(text) < 3 or text[0] not in _OPEN:
        return False
    body = text[1:].rstrip(".,;:!? ")
    if not body or body[-1] not in _CLOSE:
        return False
    inner = body[:-1]
    return not any(mark in inner for mark in '"“”')


def _tidy(statement: str) -> str:
    """Strip the quotation marks around the statement and give it a capital and a full stop."""
    text = statement.strip()
    for _ in range(2):
        text = text.strip()
        if text[:1] in _OPEN:
            text = text[1:]
        stripped = text.rstrip()
        if stripped[-1:] in _CLOSE:
            text = stripped[:-1]
        elif stripped[-2:-1] in _CLOSE and stripped[-1:] in ".!?,":
            text = stripped[:-2] + stripped[-1]
    text = text.strip().rstrip(",;: ")
    if text and text[-1] not in ".!?":
        text += "."
    return text[:1].upper() + text[1:]


def _frame_text(frame: str) -> str:
    return " ".join(frame.split())
