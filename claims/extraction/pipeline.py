"""Run the whole extraction: normalize, segment, split, score."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import features
from .attribution import frame_of
from .model import ARTIFACT_PATH, CheckworthinessModel, ModelError, load_model
from .normalize import ExtractionError, Link, normalize
from .segment import segment
from .split import split_sentence

# The artifact's bias is fitted so that this is the F1-maximizing cut on the training set's
# out-of-fold scores.
CHECKWORTHY_THRESHOLD = 0.5


@dataclass(frozen=True)
class Assertion:
    """One stand-alone statement: plain_text[start:end] == text."""

    text: str
    start: int
    end: int
    paragraph: int
    sentence: int
    score: float
    checkworthy: bool
    reasons: tuple[str, ...]
    split: bool
    attributed_uncited: bool


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document."""

    plain_text: str
    format: str
    paragraphs: int
    sentences: int
    assertions: tuple[Assertion, ...]
    links: tuple[Link, ...]


def extract(body: str, *, fmt: str = "auto") -> Extraction:
    """Return the scored assertions of an article given as text, Markdown or HTML.

    Raise ExtractionError when the body is too large, binary or has no readable text.
    """
    document = normalize(body, fmt=fmt)
    text = document.plain_text
    model = _model()
    pieces = []
    sentences = segment(text, document.paragraphs)
    for index, sentence in enumerate(sentences):
        if sentence.paragraph in document.headings:
            # A heading stays in the text as the context of what follows; it is never a claim.
            continue
        spans = split_sentence(text, sentence.start, sentence.end)
        # A sentence that carries a link cites its source, even when the claim is attributed.
        cited = any(
            link.start < sentence.end and sentence.start < link.end for link in document.links
        )
        pieces.extend((index, sentence, start, end, len(spans) > 1, cited) for start, end in spans)
    # One batch for the whole piece: the encoder is much faster on many sentences at once.
    scored = score_with(model, [text[start:end] for _, _, start, end, _, _ in pieces])
    assertions = []
    for (index, sentence, start, end, split, cited), (score, reasons) in zip(
        pieces, scored, strict=True
    ):
        piece = text[start:end]
        attributed = features.is_attributed(piece) or frame_of(piece).frame is not None
        assertions.append(
            Assertion(
                text=piece,
                start=start,
                end=end,
                paragraph=sentence.paragraph,
                sentence=index,
                score=score,
                checkworthy=score >= CHECKWORTHY_THRESHOLD,
                reasons=tuple(reasons),
                split=split,
                attributed_uncited=not cited and attributed,
            )
        )
    return Extraction(
        plain_text=text,
        format=document.format,
        paragraphs=len(document.paragraphs),
        sentences=len(sentences),
        assertions=tuple(assertions),
        links=document.links,
    )


def score_sentence(text: str) -> tuple[float, list[str]]:
    """Return how check-worthy one sentence is, in [0, 1], with the reasons why."""
    return score_with(_model(), [text])[0]


def score_sentences(texts: Sequence[str]) -> list[tuple[float, list[str]]]:
    """Return score_sentence() of every text, computed in one batch."""
    return score_with(_model(), texts)


def score_with(model: CheckworthinessModel, texts: Sequence[str]) -> list[tuple[float, list[str]]]:
    """Score texts with the given model.

    Each text is scored on the statement it carries, so quotation marks and attribution
    ("X said", "according to X") neither raise nor lower a score; the frame is a reason.
    The model's logit and the signals combine as model.combination says (see model.py).
    """
    framed = [frame_of(text) for text in texts]
    statements = [frame.statement for frame in framed]
    combination = model.combination
    if model.network is not None and combination.model_weight == 0:
        # The held-out data gave TF-IDF no weight next to the network: skip computing it.
        logits = [0.0] * len(statements)
    else:
        logits = model.logits(statements)
    network_logits = model.network_logits(statements)
    results = []
    for frame, logit, network_logit in zip(framed, logits, network_logits, strict=True):
        found = features.signals(frame.statement)
        signal_sum = sum(signal.weight for signal in found)
        score = round(combination.score(logit, signal_sum, network_logit), 4)
        reasons = [frame.reason] if frame.reason else []
        reasons += [signal.reason for signal in found]
        if model.network is None:
            model_probability = _sigmoid(logit)
        else:
            # The models' own say, without the signals: what the score would be on its own.
            model_probability = combination.score(logit, 0.0, network_logit)
        reasons.append(features.model_reason(model_probability))
        results.append((score, reasons))
    return results


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-min(max(z, -500), 500)))


def _model() -> CheckworthinessModel:
    try:
        model = load_model(ARTIFACT_PATH)
        # A missing or altered network file is refused here, before anything is scored.
        model.check_network()
        return model
    except FileNotFoundError:
        raise ExtractionError(
            f"check-worthiness model missing at {ARTIFACT_PATH}; "
            "run `python manage.py train_checkworthiness`"
        ) from None
    except ModelError as error:
        raise ExtractionError(str(error)) from None
