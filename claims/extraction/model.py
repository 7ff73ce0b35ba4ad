"""Load the shipped check-worthiness model (JSON) and score sentences with it, without sklearn.

The artifact may name a fine-tuned network (network.py: all-MiniLM-L6-v2 with a logit head,
int8 ONNX, its sha256 pinned in the JSON), whose logit is combined with a logistic regression
over word and character TF-IDF (and, in older artifacts, the shared sentence encoder's vector)
and with the interpretable signals, by weights fitted on training sentences the parts never
saw (Combination): signals move the score only as far as they earned, and always explain it.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ARTIFACT_PATH = Path(__file__).resolve().parent / "model" / "checkworthiness.json"
ARTIFACT_FORMAT = 3
# Format 2 had no network; it reads as format 3 without one.
READABLE_FORMATS = (2, 3)

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


class ModelError(RuntimeError):
    """The artifact cannot be used: wrong format, or trained with a different encoder."""


@dataclass(frozen=True)
class Combination:
    """How the final score is made, in logit units, fitted on training data the parts never saw:

    score = sigmoid(model_weight * model_logit + network_weight * network_logit
                    + signal_weight * sum(signal weights) + bias)
    """

    model_weight: float
    signal_weight: float
    bias: float
    network_weight: float = 0.0

    def logit(self, model_logit: float, signal_sum: float, network_logit: float = 0.0) -> float:
        """Return the final score in logit units."""
        return (
            self.model_weight * model_logit
            + self.network_weight * network_logit
            + self.signal_weight * signal_sum
            + self.bias
        )

    def score(self, model_logit: float, signal_sum: float, network_logit: float = 0.0) -> float:
        """Return the final score in [0, 1]."""
        return _sigmoid(self.logit(model_logit, signal_sum, network_logit))


@dataclass(frozen=True)
class EncoderBlock:
    """The sentence-encoder part of the model: which encoder, and its coefficients."""

    name: str
    model_id: str
    scale: float
    coefficients: np.ndarray


@dataclass(frozen=True)
class NetworkBlock:
    """The fine-tuned network the artifact was trained with: its file, sha256 and truncation."""

    file: str
    sha256: str
    max_tokens: int
    # The folder of the JSON artifact, where the network file lives beside it.
    folder: Path = ARTIFACT_PATH.parent

    @property
    def path(self) -> Path:
        return self.folder / self.file


@dataclass(frozen=True)
class CheckworthinessModel:
    """TF-IDF blocks (sublinear tf, l2-normalized per block) and optionally encoder vectors."""

    # block -> term -> (idf * coef, idf ** 2): what the dot product and the l2 norm need.
    blocks: Mapping[str, Mapping[str, tuple[float, float]]]
    intercept: float
    combination: Combination
    encoder: EncoderBlock | None = None
    network: NetworkBlock | None = None

    def logits(self, texts: Sequence[str]) -> list[float]:
        """Return the model's logit for each text (a statement, frames already removed)."""
        logits = []
        for text in texts:
            logit = self.intercept
            for name, vocabulary in self.blocks.items():
                logit += _block_logit(Counter(ANALYZERS[name](text)), vocabulary)
            logits.append(logit)
        if self.encoder is not None and texts:
            vectors = _encoder_for(self.encoder).encode(list(texts))
            extra = self.encoder.scale * (vectors @ self.encoder.coefficients)
            logits = [logit + float(value) for logit, value in zip(logits, extra, strict=True)]
        return logits

    def network_logits(self, texts: Sequence[str]) -> list[float]:
        """Return the fine-tuned network's logit for each text (0.0 each when there is none)."""
        if self.network is None or not texts:
            return [0.0] * len(texts)
        return [float(value) for value in _network_for(self.network).logits(list(texts))]

    def check_network(self) -> None:
        """Load the network now (once per process); raise ModelError if its file is refused."""
        if self.network is not None:
            _network_for(self.network)

    def probability(self, text: str) -> float:
        """Return the model's probability that text is a check-worthy claim (no signals).

        With a fine-tuned network, this is the combination of the network and TF-IDF without
        the signals' part.
        """
        if self.network is None:
            return _sigmoid(self.logits([text])[0])
        return self.combination.score(self.logits([text])[0], 0.0, self.network_logits([text])[0])

    @classmethod
    def from_dict(cls, data: Mapping, folder: Path = ARTIFACT_PATH.parent) -> CheckworthinessModel:
        """Build the model from the artifact's JSON data; folder holds the network file."""
        if data.get("format") not in READABLE_FORMATS:
            raise ModelError(
                f"unsupported artifact format {data.get('format')!r} (expected {ARTIFACT_FORMAT}); "
                "run `python manage.py train_checkworthiness`"
            )
        blocks = {
            name: {
                term: (idf * coef, idf * idf)
                for term, (idf, coef) in data["vocabulary"][name].items()
            }
            for name in ANALYZERS
        }
        encoder = None
        if (block := data.get("encoder")) is not None:
            encoder = EncoderBlock(
                name=block["name"],
                model_id=block["model_id"],
                scale=float(block["scale"]),
                coefficients=np.asarray(block["coefficients"], dtype=np.float32),
            )
        network = None
        if (block := data.get("network")) is not None:
            network = NetworkBlock(
                file=block["file"],
                sha256=block["sha256"],
                max_tokens=int(block["max_tokens"]),
                folder=Path(folder),
            )
        combination = Combination(**data["combination"])
        return cls(
            blocks=blocks,
            intercept=data["intercept"],
            combination=combination,
            encoder=encoder,
            network=network,
        )


def _encoder_for(block: EncoderBlock):
    from claims.encoding import get_encoder

    encoder = get_encoder(block.name)
    if encoder.model_id != block.model_id:
        raise ModelError(
            f"the check-worthiness model was trained with encoder {block.model_id}, but "
            f"{block.name!r} loads {encoder.model_id}; retrain with "
            "`python manage.py train_checkworthiness`"
        )
    return encoder


def _network_for(block: NetworkBlock):
    from .network import NetworkUnavailable, load_network

    try:
        return load_network(block.path, block.sha256, block.max_tokens)
    except NetworkUnavailable as error:
        raise ModelError(str(error)) from None


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-min(max(z, -500.0), 500.0)))


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
        return CheckworthinessModel.from_dict(json.load(handle), Path(path).parent)
