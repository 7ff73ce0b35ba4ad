"""Run the whole extraction: normalize, segment, split, score."""

from __future__ import annotations

from dataclasses import dataclass

from . import features
from .model import ARTIFACT_PATH, CheckworthinessModel, load_model
from .normalize import ExtractionError, Link, normalize
from .segment import segment
from .split import split_sentence

# The artifact's bias is fitted so that this is the F1-maximizing cut on the training set.
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
    assertions = []
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
        for start, end in spans:
            piece = text[start:end]
            score, reasons = score_with(model, piece)
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
                    split=len(spans) > 1,
                    attributed_uncited=not cited and features.is_attributed(piece),
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
    return score_with(_model(), text)


def score_with(model: CheckworthinessModel, text: str) -> tuple[float, list[str]]:
    """Score text with the given model: the combination documented in features."""
    probability = model.probability(text)
    found = features.signals(text)
    score = round(features.combine(probability, found, model.bias), 4)
    return score, [signal.reason for signal in found] + [features.model_reason(probability)]


def _model() -> CheckworthinessModel:
    try:
        return load_model(ARTIFACT_PATH)
    except FileNotFoundError:
        raise ExtractionError(
            f"check-worthiness model missing at {ARTIFACT_PATH}; "
            "run `python manage.py train_checkworthiness`"
        ) from None
