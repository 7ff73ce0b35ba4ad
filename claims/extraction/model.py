"""Load the shipped check-worthiness model (JSON) and score sentences with it, without sklearn."""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ARTIFACT_PATH = Path(__file__).resolve().parent / "model" / "checkworthiness.json"
ARTIFACT_FORMAT = 1

_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"\w+(?:['’]\w+)?")


def word_terms(text: str) -> list[str]:
    """Return the word unigrams and bigrams of text; digits collapse to 0 so figures generalize."""
    tokens = _TOKEN.findall(_DIGIT.sub("0", text.lower()))
    return tokens + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def char_terms(text: str) -> list[str]:
    """Return the character 3- to 5-grams of each word, padded with spaces at word edges."""
    terms: list[str] = []
    for token in _TOKEN.findall(_DIGIT.sub("0", text.lower())):
        terms.extend(_token_char_terms(token))
    return terms


@functools.lru_cache(maxsize=65_536)
def _token_char_terms(token: str) -> tuple[str, ...]:
    # Words repeat a lot within and across documents; building their n-grams once is the
    # single biggest saving in scoring.
    padded = f" {token} "
    return tuple(padded[i : i + size] for size in (3, 4, 5) for i in range(len(padded) - size + 1))


ANALYZERS = {"words": word_terms, "chars": char_terms}


@dataclass(frozen=True)
class CheckworthinessModel:
    """TF-IDF blocks (sublinear tf, l2-normalized per block) feeding a logistic regression."""

    # block -> term -> (idf * coef, idf ** 2): what the dot product and the l2 norm need.
    blocks: Mapping[str, Mapping[str, tuple[float, float]]]
    intercept: float
    bias: float

    def probability(self, text: str) -> float:
        """Return the model's probability that text is a check-worthy claim."""
        logit = self.intercept
        for name, vocabulary in self.blocks.items():
            logit += _block_logit(Counter(ANALYZERS[name](text)), vocabulary)
        return 1 / (1 + math.exp(-logit))

    @classmethod
    def from_dict(cls, data: Mapping) -> CheckworthinessModel:
        """Build the model from the artifact's JSON data."""
        if data.get("format") != ARTIFACT_FORMAT:
            raise ValueError(f"unsupported artifact format {data.get('format')!r}")
        blocks = {
            name: {
                term: (idf * coef, idf * idf)
                for term, (idf, coef) in data["vocabulary"][name].items()
            }
            for name in ANALYZERS
        }
        return cls(blocks=blocks, intercept=data["intercept"], bias=data["bias"])


def _block_logit(counts: Mapping[str, int], vocabulary: Mapping[str, tuple[float, float]]) -> float:
    """Return one block's contribution: coef . (tf-idf / ||tf-idf||) as sklearn computes it."""
    dot = 0.0
    norm = 0.0
    for term, count in counts.items():
        entry = vocabulary.get(term)
        if entry is None:
            continue
        weighted_coef, idf_squared = entry
        tf = 1.0 if count == 1 else 1 + math.log(count)  # sklearn's sublinear tf
        dot += tf * weighted_coef
        norm += tf * tf * idf_squared
    return dot / math.sqrt(norm) if norm else 0.0


@functools.cache
def load_model(path: Path = ARTIFACT_PATH) -> CheckworthinessModel:
    """Return the model stored at path, read once per process."""
    with open(path, encoding="utf-8") as handle:
        return CheckworthinessModel.from_dict(json.load(handle))
