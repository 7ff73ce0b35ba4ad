"""Train the check-worthiness model on the CheckThat! data and write it as deterministic JSON."""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .features import MODEL_WEIGHT, combined_logit, signals
from .model import ANALYZERS, ARTIFACT_FORMAT, ARTIFACT_PATH, CheckworthinessModel, load_model
from .pipeline import CHECKWORTHY_THRESHOLD, score_with

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_PATH = DATA_DIR / "CT24_checkworthy_english_train.tsv"
DEV_PATH = DATA_DIR / "CT24_checkworthy_english_dev.tsv"

RANDOM_STATE = 0
FOLDS = 5
DECIMALS = 6
# Chosen on the training set by cross-validation; larger vocabularies gained nothing.
VECTORIZERS = {
    "words": {"min_df": 3, "max_features": 8000},
    "chars": {"min_df": 5, "max_features": 12000},
}
REGULARIZATION = 1.0
# One training row lost its line break upstream: "No29286" is a label followed by the next id.
_GLUED_LABEL = re.compile(r"^(Yes|No)(\d+)$")


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1 of the check-worthy label on one labelled set."""

    precision: float
    recall: float
    f1: float
    support: int

    def __str__(self) -> str:
        return f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f} (n={self.support})"


@dataclass(frozen=True)
class TrainingReport:
    """What training produced: where the artifact went and how well it does."""

    output: Path
    train_rows: int
    bias: float
    cross_validated: Scores
    dev_combined: Scores | None
    dev_model_only: Scores | None


def load_tsv(path: Path) -> tuple[list[str], list[int]]:
    """Return the sentences and 0/1 labels of a CheckThat! TSV file."""
    texts: list[str] = []
    labels: list[int] = []
    with open(path, encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        header = next(rows, None)
        if header is None or header[1:3] != ["Text", "class_label"]:
            raise ValueError(f"{path}: expected columns Sentence_id, Text, class_label")
        for row in rows:
            if len(row) == 5 and (glued := _GLUED_LABEL.match(row[2])):
                pairs = [(row[1], glued.group(1)), (row[3], row[4])]
            else:
                pairs = [(row[1], row[2])]
            for text, label in pairs:
                if label not in ("Yes", "No"):
                    raise ValueError(f"{path}, line {rows.line_num}: label {label!r} is not Yes/No")
                texts.append(text)
                labels.append(int(label == "Yes"))
    return texts, labels


def train(
    *, train_path: Path = TRAIN_PATH, dev_path: Path | None = DEV_PATH, output: Path = ARTIFACT_PATH
) -> TrainingReport:
    """Fit the model on train_path, write the JSON artifact to output and score it on dev."""
    texts, labels = load_tsv(train_path)
    found = [sum(signal.weight for signal in signals(text)) for text in texts]
    oof = _out_of_fold_probabilities(texts, labels)
    combined = [combined_logit(p, weight) for p, weight in zip(oof, found, strict=True)]
    threshold = _best_threshold(combined, labels)
    artifact = _fit(texts, labels)
    artifact["bias"] = round(-threshold, DECIMALS)
    artifact["training"] = {
        "file": train_path.name,
        "rows": len(texts),
        "positives": sum(labels),
        "folds": FOLDS,
        "random_state": RANDOM_STATE,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(artifact, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    # A process that already scored with the old artifact must not keep using it.
    load_model.cache_clear()
    model = CheckworthinessModel.from_dict(artifact)
    cross_validated = precision_recall_f1(
        [1 / (1 + math.exp(threshold - z)) for z in combined], labels
    )
    dev_combined = dev_model_only = None
    if dev_path is not None:
        dev_texts, dev_labels = load_tsv(dev_path)
        dev_combined = precision_recall_f1([score_with(model, t)[0] for t in dev_texts], dev_labels)
        dev_model_only = precision_recall_f1([model.probability(t) for t in dev_texts], dev_labels)
    return TrainingReport(
        output=output,
        train_rows=len(texts),
        bias=artifact["bias"],
        cross_validated=cross_validated,
        dev_combined=dev_combined,
        dev_model_only=dev_model_only,
    )


def _fit(texts: list[str], labels: list[int]) -> dict:
    """Fit vectorizers and logistic regression; return them as a JSON-ready dict."""
    vectorizers, matrix = _vectorize(texts)
    classifier = _classifier().fit(matrix, labels)
    coefficients = classifier.coef_[0]
    vocabulary: dict[str, dict[str, list[float]]] = {}
    offset = 0
    for name, vectorizer in vectorizers.items():
        block = {}
        for term, column in vectorizer.vocabulary_.items():
            block[term] = [
                round(float(vectorizer.idf_[column]), DECIMALS),
                round(float(coefficients[offset + column]), DECIMALS),
            ]
        vocabulary[name] = block
        offset += len(vectorizer.vocabulary_)
    return {
        "format": ARTIFACT_FORMAT,
        "intercept": round(float(classifier.intercept_[0]), DECIMALS),
        "vocabulary": vocabulary,
        "config": {
            "vectorizers": VECTORIZERS,
            "C": REGULARIZATION,
            "class_weight": "balanced",
            "sublinear_tf": True,
            "model_weight": MODEL_WEIGHT,
        },
        "attribution": (
            "Trained on the CLEF 2024 CheckThat! Lab Task 1 English training set, sentences "
            "from the ClaimBuster dataset (Arslan, Hassan, Li, Tremayne, ICWSM 2020), CC BY 4.0."
        ),
    }


def _vectorize(texts: list[str], vectorizers: dict | None = None):
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    if vectorizers is None:
        vectorizers = {
            name: TfidfVectorizer(analyzer=ANALYZERS[name], sublinear_tf=True, **options)
            for name, options in VECTORIZERS.items()
        }
        blocks = [vectorizers[name].fit_transform(texts) for name in VECTORIZERS]
    else:
        blocks = [vectorizers[name].transform(texts) for name in VECTORIZERS]
    return vectorizers, hstack(blocks).tocsr()


def _classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=REGULARIZATION, class_weight="balanced", max_iter=5000, random_state=RANDOM_STATE
    )


def _out_of_fold_probabilities(texts: list[str], labels: list[int]) -> list[float]:
    """Return each training sentence's probability from a model that never saw it."""
    from sklearn.model_selection import StratifiedKFold

    probabilities = [0.0] * len(texts)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    for fit_rows, held_rows in folds.split(texts, labels):
        vectorizers, matrix = _vectorize([texts[i] for i in fit_rows])
        classifier = _classifier().fit(matrix, [labels[i] for i in fit_rows])
        _, held = _vectorize([texts[i] for i in held_rows], vectorizers)
        for row, probability in zip(held_rows, classifier.predict_proba(held)[:, 1], strict=True):
            probabilities[row] = float(probability)
    return probabilities


def _best_threshold(values: list[float], labels: list[int]) -> float:
    """Return the cut on values that maximizes F1, as a midpoint between neighbours."""
    ranked = sorted(zip(values, labels, strict=True), key=lambda pair: -pair[0])
    positives = sum(labels)
    best_f1, best_at, true_positives = -1.0, 0, 0
    for at, (_, label) in enumerate(ranked, start=1):
        true_positives += label
        f1 = 2 * true_positives / (at + positives)
        if f1 > best_f1:
            best_f1, best_at = f1, at
    if best_at >= len(ranked):
        return ranked[-1][0] - 1.0
    return (ranked[best_at - 1][0] + ranked[best_at][0]) / 2


def precision_recall_f1(scores: list[float], labels: list[int]) -> Scores:
    """Return precision, recall and F1 of scores at CHECKWORTHY_THRESHOLD against 0/1 labels."""
    predicted = [score >= CHECKWORTHY_THRESHOLD for score in scores]
    true_positives = sum(p and y for p, y in zip(predicted, labels, strict=True))
    precision = true_positives / max(sum(predicted), 1)
    recall = true_positives / max(sum(labels), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 4), round(recall, 4), round(f1, 4), len(labels))
