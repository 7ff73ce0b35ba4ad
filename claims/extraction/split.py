"""Split compound sentences into assertions that each stand alone, keeping exact offsets."""

from __future__ import annotations

import re

from .normalize import lexicon

# Each half must still say something once the conjunction is gone.
MIN_WORDS = 3

_CANDIDATE = re.compile(r"\s*;\s+|,\s+(?:and|but|yet|so)\s+|\s+(?:and|but)\s+")
_WORD = re.compile(r"[\w’'‑-]+")
_TRAILING = " \t\n,;:—–"

AUXILIARIES = lexicon(
    "am is are was were be been being has have had do does did will would shall should can "
    "could may might must isn’t isn't wasn’t wasn't doesn’t doesn't didn’t didn't won’t won't "
    "can’t can't couldn’t couldn't hasn’t hasn't haven’t haven't"
)
IRREGULAR_PAST = lexicon(
    "began bought brought built came caught chose cut drew drove fell felt fought found fled "
    "forgot gave got grew held hid hit hung kept knew laid led left lent lost made meant met "
    "paid put quit ran rang rose said sat saw sent set shook shot shut sold sought spent spoke "
    "spun stole stood struck swore swept swung taught thought threw told took tore understood "
    "went withdrew won wore wrote"
)
# Present-tense verbs common enough in news prose to trust after a capitalized subject, where
# a bare "-s" word is more often a plural noun ("OpenAI models").
PRESENT_VERBS = lexicon(
    "says wants needs plans claims argues insists denies thinks believes knows seems appears "
    "remains holds owns controls runs makes takes gets has does is reports expects intends "
    "warns admits accepts refuses agrees"
)
_NOT_PAST = lexicon("hundred indeed naked wicked sacred kindred hatred rugged ragged")
SUBJECT_PRONOUNS = lexicon("i he she it we they you there this these those")
DETERMINERS = lexicon(
    "the a an its their his her our my your this that these those some many most all both each "
    "every no another"
)
# A noun phrase followed by one of these is a relative clause or a prepositional tail, not a
# new subject: "and the models that followed".
_PHRASE_STOPS = lexicon(
    "that which who whom whose where when of in on at for with to by from as about into than "
    "like and or but"
)
# Words that open a clause by pointing back at the other half: "it is no longer its anchor",
# "the cycle began again". Such a clause needs the sentence around it, so it is not split off.
BACK_REFERENCES = lexicon(
    "it they he she this these those that its their his her the such them him one"
)
ADVERBS = lexicon(
    "then also still now later soon never just even again instead only already not meanwhile"
)


def split_sentence(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the spans of the stand-alone clauses of text[start:end], or the sentence itself."""
    sentence = text[start:end]
    spans = []
    piece_start = 0
    for match in _CANDIDATE.finditer(sentence):
        if match.start() < piece_start or _inside_quotes(sentence, match.start()):
            continue
        left = sentence[piece_start : match.start()].rstrip(_TRAILING)
        left_words = _words(left)
        right_words = _words(sentence[match.end() :])
        if len(left_words) < MIN_WORDS or len(right_words) < MIN_WORDS:
            continue
        if not has_verb(left_words) or not starts_clause(right_words):
            continue
        if not names_own_subject(right_words):
            # Split off, it would lose its subject: keep the sentence whole here instead.
            continue
        spans.append((start + piece_start, start + piece_start + len(left)))
        piece_start = match.end()
    spans.append((start + piece_start, end))
    return spans


def has_verb(words: list[str]) -> bool:
    """Tell whether the words contain something that looks like a finite verb."""
    lowered = [word.lower() for word in words]
    for index, word in enumerate(lowered):
        if _is_finite(word) or word in PRESENT_VERBS:
            return True
        if index and lowered[index - 1] in SUBJECT_PRONOUNS and word.endswith("s"):
            return True
    return False


def starts_clause(words: list[str]) -> bool:
    """Tell whether words open a clause: a verb phrase, or a subject followed by a verb."""
    lowered = [word.lower() for word in words[:8]]
    index = _skip_adverbs(lowered, 0)
    if index >= len(lowered):
        return False
    first = lowered[index]
    if _is_finite(first):
        return True
    if first in SUBJECT_PRONOUNS:
        verb_at = _skip_adverbs(lowered, index + 1)
        return verb_at < len(lowered) and (
            _is_finite(lowered[verb_at]) or lowered[verb_at].endswith("s")
        )
    if index + 1 < len(lowered) and lowered[index + 1] in AUXILIARIES:
        # "but regulators are watching": a bare noun subject followed by an auxiliary.
        return True
    proper = words[index][:1].isupper()
    if first not in DETERMINERS and not proper:
        return False
    # Walk the noun phrase; the verb must come before any relative pronoun or preposition.
    for position in range(index + 1, min(index + 5, len(lowered))):
        word = lowered[position]
        if word in _PHRASE_STOPS:
            return False
        if _is_finite(word) or word in PRESENT_VERBS:
            return True
        if not proper and position > index + 1 and word.endswith("s") and word not in ADVERBS:
            return True
    return False


def names_own_subject(words: list[str]) -> bool:
    """Tell whether a clause names its own subject, so that it reads on its own.

    "Regulators are watching" and "Amazon denies it" do; a bare verb phrase ("built its
    strategy around the company's models") or a subject pointing back at the other half ("it
    is no longer its anchor", "the cycle began again") does not.
    """
    lowered = [word.lower() for word in words[:8]]
    index = _skip_adverbs(lowered, 0)
    if index >= len(lowered):
        return False
    first = lowered[index]
    return not _is_finite(first) and first not in BACK_REFERENCES


def _is_finite(word: str) -> bool:
    """Tell whether a lower-cased word is an auxiliary or a past-tense verb."""
    if word in AUXILIARIES or word in IRREGULAR_PAST:
        return True
    return (
        len(word) > 4
        and word.endswith("ed")
        and not word.endswith("eed")
        and (word not in _NOT_PAST)
    )


def _skip_adverbs(lowered: list[str], index: int) -> int:
    """Return the index of the first word at or after index that is not an adverb."""
    for _ in range(2):
        if index < len(lowered) and (lowered[index] in ADVERBS or lowered[index].endswith("ly")):
            index += 1
    return index


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _inside_quotes(sentence: str, position: int) -> bool:
    """Tell whether position falls inside a quotation, which must never be cut."""
    before = sentence[:position]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1
