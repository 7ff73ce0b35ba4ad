"""Interpretable signals that tell checkable fact from opinion prose.

Each signal has a hand-set weight that says which way it points and how strongly; how much the
signals together move the score is fitted by cross-validation at training time (model.py,
Combination). Quotation and attribution are reasons only, with no weight: a quote is
check-worthy when what is quoted is a checkable statement, not because it is quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import lexicon

_H = "[-‑–]"  # hyphens, including the non-breaking one (U+2011) typeset prose uses
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundreds?|thousands?|millions?|billions?|trillions?|dozens?)"
)
_UNIT = (
    r"(?:dollars?|euros?|pounds|yen|percent|per\s+cent|points?|people|jobs|workers|users|"
    r"customers|employees|years|months|weeks|days|hours|times|tons|miles|votes|seats|"
    r"barrels|acres|homes|students|troops|deaths|cases|companies|countries|states)"
)
_FIGURE = re.compile(
    rf"(?<![\w‑-])(?:[$€£]\s?)?\d(?:[\d,.]*\d)?(?:\s*%|(?:\s|{_H})*(?:million|billion|trillion|"
    rf"thousand|bn)\b)?(?:(?:\s|{_H})+{_UNIT}\b)?"
    rf"|\b{_NUMBER_WORD}(?:(?:\s|{_H})+(?:and\s+)?{_NUMBER_WORD})*\b(?:(?:\s|{_H})+{_UNIT}\b)?",
)
_SMALL_NUMBER = re.compile(r"^(?:one|two)$")
_MONEY = re.compile(r"[$€£]|\b(?:dollars?|euros?|pounds|yen)\b")
_PERCENT = re.compile(r"%|\bper\s?cent\b")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_YEAR = r"(?:1[6-9]|20)\d\d"
_DATE_PREPOSITION = r"(?:in|on|since|by|until|last|next|this)"
# Longest forms first: at one position the first alternative that matches wins.
_DATE = re.compile(
    rf"\b(?:{_DATE_PREPOSITION}\s+)?(?:{_MONTHS})\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,\s+{_YEAR})?\b"
    rf"|\b(?:{_DATE_PREPOSITION}\s+)?(?:{_MONTHS})\s+{_YEAR}\b"
    rf"|\b{_YEAR}s?\b"
    rf"|\b{_DATE_PREPOSITION}\s+(?:{_MONTHS})\b"
    r"|\bon\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)
# "This week" dates the writing more than the claim, so it counts for less.
_RELATIVE_DATE = re.compile(
    r"\b(?:last|this|next)\s+(?:week|month|year|quarter|spring|summer|autumn|fall|winter)\b",
)
_CAPITALIZED = re.compile(r"\b[A-Z][\w‑-]*(?:[ ](?:[A-Z][\w‑-]*|of|de|von|van))*\b(?<![ ]of)")
_NOT_ENTITIES = lexicon(
    f"I {_MONTHS.replace('|', ' ')} Monday Tuesday Wednesday Thursday Friday Saturday "
    "Sunday Mr Mrs Ms Dr"
)
_LEADING_ARTICLE = re.compile(r"^(?:The|A|An|This|That|These|Those) ")
# The body excludes the opening mark too, so unbalanced quotes cannot make matching quadratic.
_QUOTE = re.compile(r"“([^“”]{3,}?)”|\"([^\"\n]{3,}?)\"")
_ATTRIBUTION = re.compile(
    r"\baccording to\b|\breportedly\b|\b(?:reported|reports|reporting) (?:that|by)\b"
    r"|\b(?:(?:sources|officials) |people familiar with (?:\w+ ){1,4}?)(?:say|said|told)\b"
    r"|\b(?:memo|report|filing|statement|letter|email|document)s? (?:says|said|states|shows|"
    r"showed|reveals|revealed)\b"
    r"|\b(?:complained|claimed|argued|insisted|warned|admitted|acknowledged|confirmed|announced|"
    r"testified|alleged|disclosed|denied|stated|wrote|told \w+) that\b"
    r"|\b(?:said|says|told|claims|claimed)\b",
)
_REPORTING = re.compile(r"\breport(?:ed|edly|ing|s)?\b|\bsources\b")
_EVENT = re.compile(
    r"\b(?:poured|invested|walked (?:away|out)|pulled out|backed out|signed|acquired|bought|"
    r"sold|raised|sued|filed|launched|fired|hired|paid|spent|agreed|failed to agree|"
    r"reversed|laid off|resigned|merged|released|banned|approved|rejected|voted|passed|built|"
    r"shut down|withdrew|declined|reached|struck a deal|arrested|charged|convicted|ruled|"
    r"fined|settled|tripled|doubled|halved|announced|awarded|cancell?ed|closed|cut \w+ jobs)\b",
)
_LEGAL = re.compile(
    r"\b(?:legal action|lawsuits?|sued|suing|courts?|judges?|antitrust|regulators?|"
    r"violat(?:es|ed|ing|ion)|breach(?:es|ed)?|exclusivity|agreements?|contracts?|deals?|"
    r"terms|settlements?|investigations?|probes?|injunctions?|subpoena|merger|acquisition|"
    r"stakes?|licen[cs]e|patents?)\b",
)
_DELIBERATION = re.compile(
    r"\b(?:is|are|was|were) (?:\w+ )?(?:exploring|weighing|considering|preparing|negotiating|"
    r"investigating|planning|seeking)\b|\b(?:plans|planned|intends|threatened) to\b|\bin talks\b",
)
_EVALUATIVE = re.compile(
    r"\b(?:(?:feels?|reads?|looks?|sounds?) (?:\w+ )?like|seems?|seemed|appears to|"
    r"arguably|perhaps|maybe|probably|surely|clearly|obviously|of course|frankly|strikingly|"
    r"remarkably|surprisingly|ironically|blunt|uncomfortable|awkward|predictable|uneasy|absurd|ridiculous|"
    r"shameful|brilliant|disastrous|stunning|troubling|worrying|alarming|embarrassing|reckless|"
    r"cynical|naive|hypocritical|desperate|bizarre|baffling|unacceptable|should|ought to|"
    r"must|deserves?|a surprise)\b",
)
# Searched only in the few characters before an evaluative word, hence the anchor at the end.
_INTENSIFIER = re.compile(r"\b\w+ly $")
_FIGURATIVE = re.compile(
    r"\b(?:like an?|as if|as though|the kind of|a kind of|sort of|so to speak|in a sense|"
    r"resembled? an?|monument to|out loud)\b",
)
# Case-sensitive so that "US" the country is not "us" the writer.
_PERSONAL = re.compile(
    r"\b(?:I|I’m|I'm|I’ve|I've|[Ww]e|us|[Oo]ur|[Yy]ou|[Yy]our|[Ll]et’s|[Ll]et's)\b(?: \w+){0,2}"
)
_MOTIVE = re.compile(
    r"\b(?:wants?|hopes?|wishes|dreams? of|pretends?|pretend|fears?|craves?|longs? for|"
    r"understood|realized|imagined|knows|knew)\b(?![‑-])(?: to(?: \w+)?)?",
)
# Verbs of interpretation: the writer's reading of a move, not the move itself.
_FRAMING = re.compile(
    r"\b(?:positioning|framing|casting|painting|portraying|undermining|betraying|posturing)\b",
)
_HYPOTHETICAL = re.compile(r"^\W*(?:If|Imagine|Suppose|Had)\b(?: \w+){0,2}")
_SWEEPING = re.compile(
    r"\b(?:always|never|nothing|none of|everyone|everything|nobody|whoever|whatever|no matter)\b",
)
_WORD = re.compile(r"[\w’'‑-]+")
_STOPWORDS = lexicon(
    "the and that this with from have has for are was were its their they them than then "
    "what when which while will would could should been into about more most other some such "
    "only also just"
)


@dataclass(frozen=True)
class Signal:
    """One reason behind a score: its weight in logit units and a sentence a person can read."""

    weight: float
    reason: str


def unquoted(text: str) -> str:
    """Return text with quoted passages blanked, so a source's words are not the writer's."""
    return _QUOTE.sub(lambda match: " " * len(match.group(0)), text)


def is_attributed(text: str) -> bool:
    """Tell whether text attributes its claim to someone or to reporting."""
    return _ATTRIBUTION.search(_lower(unquoted(text))) is not None


def signals(text: str) -> list[Signal]:
    """Return the interpretable signals found in one sentence, strongest first."""
    view = _View.of(text)
    facts = _fact_signals(view)
    # Being quoted or attributed is not a fact to check (those reasons weigh nothing).
    if not any(signal.weight for signal in facts):
        facts = [*facts, Signal(-0.6, "no figure, date, name or event to check")]
    found = facts + _opinion_signals(view)
    return sorted(found, key=lambda signal: -abs(signal.weight))


@dataclass(frozen=True)
class _View:
    """One sentence as written, with quotations blanked, and both lower-cased.

    The word lists are matched case-sensitively against the lower-cased copies (three times
    faster than re.IGNORECASE), and reasons quote the same span of the original.
    """

    text: str
    own: str
    lower_text: str
    lower_own: str

    @classmethod
    def of(cls, text: str) -> _View:
        own = unquoted(text)
        return cls(text, own, _lower(text), _lower(own))

    def own_phrase(self, pattern: re.Pattern) -> str | None:
        """Return the writer's own words matching pattern, as written."""
        match = pattern.search(self.lower_own)
        return self.own[match.start() : match.end()] if match else None


def _lower(text: str) -> str:
    """Lower-case text without changing its length, so offsets still point at the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def model_reason(probability: float) -> str:
    """Return the reason string describing the model's own probability."""
    return f"model: {probability:.2f} similar to check-worthy debate claims"


def _fact_signals(view: _View) -> list[Signal]:
    text = view.text
    found = []
    dates = [match.span() for match in _DATE.finditer(text)]
    # The day in "March 5" and a bare year are dates, not figures.
    figures = [
        text[match.start() : match.end()].strip()
        for match in _FIGURE.finditer(view.lower_text)
        if not _SMALL_NUMBER.match(match.group(0).strip())
        and not any(start <= match.start() < end for start, end in dates)
    ]
    if figures:
        found.append(Signal(1.2, f"contains a figure: {max(figures, key=len)}"))
        together = _lower(" ".join(figures))
        if _MONEY.search(together):
            found.append(Signal(0.5, "involves money"))
        if _PERCENT.search(together):
            found.append(Signal(0.5, "gives a percentage"))
    if dates:
        start, end = max(dates, key=lambda span: span[1] - span[0])
        found.append(Signal(0.7, f"gives a date: {text[start:end]}"))
    elif date := _RELATIVE_DATE.search(view.lower_text):
        found.append(Signal(0.3, f"gives a relative date: {text[date.start() : date.end()]}"))
    if quote := _QUOTE.search(text):
        words = (quote.group(1) or quote.group(2)).split()
        if len(words) >= 2:
            opening, closing = ("“", "”") if quote.group(1) else ('"', '"')
            shown = " ".join(words[:4]) + (" …" if len(words) > 4 else "")
            found.append(Signal(0.0, f"quotes someone: {opening}{shown}{closing}"))
    if attribution := view.own_phrase(_ATTRIBUTION):
        if _REPORTING.search(view.lower_own):
            found.append(Signal(0.0, "attributed to reporting"))
        else:
            found.append(Signal(0.0, f"attributes the claim: '{attribution}'"))
    if event := view.own_phrase(_EVENT):
        found.append(Signal(0.8, f"reports an event: '{event}'"))
    if legal := view.own_phrase(_LEGAL):
        found.append(Signal(0.6, f"concerns a legal or contractual matter: '{legal}'"))
    if deliberation := view.own_phrase(_DELIBERATION):
        found.append(Signal(0.5, f"reports a plan or deliberation: '{deliberation}'"))
    if entities := _entities(view.own):
        weight = 0.6 if len(entities) > 1 or " " in entities[0] else 0.3
        found.append(Signal(weight, f"names {', '.join(entities[:3])}"))
    return found


def _opinion_signals(view: _View) -> list[Signal]:
    found = []
    if evaluative := _evaluative_phrases(view):
        weight = -1.0 if len(evaluative) == 1 else -1.5
        shown = ", ".join(f"'{phrase}'" for phrase in evaluative[:3])
        found.append(Signal(weight, f"evaluative language: {shown}"))
    if figurative := view.own_phrase(_FIGURATIVE):
        found.append(Signal(-0.8, f"figurative language: '{figurative}'"))
    if view.text.rstrip(" ”’\"')").endswith("?"):
        found.append(Signal(-2.0, "asks a question rather than stating something"))
    if personal := _PERSONAL.search(view.own):
        found.append(Signal(-1.0, f"speaks as 'I', 'we' or 'you': '{personal.group(0)}'"))
    if motive := view.own_phrase(_MOTIVE):
        found.append(Signal(-0.6, f"ascribes a motive: '{motive}'"))
    if framing := view.own_phrase(_FRAMING):
        found.append(Signal(-0.6, f"interprets rather than reports: '{framing}'"))
    if hypothetical := _HYPOTHETICAL.search(view.own):
        found.append(Signal(-0.5, f"hypothetical: '{hypothetical.group(0)}'"))
    if repeated := _repetition(view.lower_own):
        found.append(Signal(-0.8, f"rhetorical repetition: '{repeated[0]}' ×{repeated[1]}"))
    if sweeping := view.own_phrase(_SWEEPING):
        found.append(Signal(-0.4, f"sweeping generalization: '{sweeping}'"))
    if len(_WORD.findall(view.text)) < 5:
        found.append(Signal(-0.6, "too short to carry a checkable fact"))
    return found


def _evaluative_phrases(view: _View) -> list[str]:
    """Return evaluative phrases with the -ly adverb before them: 'strikingly blunt'."""
    lower = view.lower_own
    spans: list[list[int]] = []
    for match in _EVALUATIVE.finditer(lower):
        start = match.start()
        if before := _INTENSIFIER.search(lower, max(0, start - 30), start):
            start = before.start()
        if spans and start <= spans[-1][1] + 1:
            spans[-1][1] = match.end()
        else:
            spans.append([start, match.end()])
    return list(dict.fromkeys(view.own[start:end] for start, end in spans))


def _entities(text: str) -> list[str]:
    """Return capitalized names in text, skipping an ordinary sentence-initial word."""
    names = []
    for match in _CAPITALIZED.finditer(text):
        name = match.group(0)
        at_start = not text[: match.start()].strip(" \t\n\"“‘'([")
        if at_start and " " not in name and not any(c.isupper() for c in name[1:]):
            continue
        name = _LEADING_ARTICLE.sub("", name)
        if name in _NOT_ENTITIES or len(name) == 1:
            continue
        if name not in names:
            names.append(name)
    return names


def _repetition(lower: str) -> tuple[str, int] | None:
    """Return a content word used three or more times, the mark of parallel rhetoric."""
    counts: dict[str, int] = {}
    for word in _WORD.findall(lower):
        if len(word) > 3 and word not in _STOPWORDS:
            counts[word] = counts.get(word, 0) + 1
    best = max(counts.items(), key=lambda item: item[1], default=None)
    return best if best and best[1] >= 3 else None
