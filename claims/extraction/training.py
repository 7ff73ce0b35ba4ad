"""Train the check-worthiness model on the CheckThat! data and write it as deterministic JSON.

Everything is chosen by 5-fold cross-validation on the training file alone: whether the
sentence encoder's vectors join the TF-IDF features and with what weight, the regularization,
whether the interpretable signals move the score and by how much, and the decision threshold.
The dev file is scored once, at the end, and chooses nothing.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .attribution import statement_of
from .features import signals
from .model import (
    ANALYZERS,
    ARTIFACT_FORMAT,
    ARTIFACT_PATH,
    CheckworthinessModel,
    load_model,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_PATH = DATA_DIR / "CT24_checkworthy_english_train.tsv"
DEV_PATH = DATA_DIR / "CT24_checkworthy_english_dev.tsv"
# Encoder vectors of the training sentences are kept here between runs (not committed).
CACHE_DIR = Path(__file__).resolve().parents[2] / "var" / "cache" / "checkworthiness"

RANDOM_STATE = 0
FOLDS = 5
DECIMALS = 6
VECTORIZERS = {
    "words": {"min_df": 3, "max_features": 8000},
    "chars": {"min_df": 5, "max_features": 12000},
}
# The sentence encoder whose vectors may join the TF-IDF features (claims.encoding name).
ENCODER = "minilm-int8"
# Cross-validated grids: the encoder block's scale (0 = TF-IDF alone), then C at the best scale.
SCALES = (0.0, 1.0, 2.0, 4.0)
REGULARIZATIONS = (0.5, 1.0, 2.0)
FIRST_REGULARIZATION = 1.0
# The encoder multiplies extraction time by about ten (BENCHMARKS.md), so its vectors join only
# when they beat TF-IDF alone by more than the noise of a cross-validated F1 (fixed before the
# first full run, not tuned).
ENCODER_MIN_GAIN = 0.01
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
class Candidate:
    """One configuration tried by cross-validation, and its out-of-fold F1 on train."""

    name: str
    f1: float


@dataclass(frozen=True)
class TrainingReport:
    """What training produced: where the artifact went, what CV chose, and how well it does."""

    output: Path
    train_rows: int
    candidates: tuple[Candidate, ...]
    chosen: str
    cross_validated: Scores
    dev: Scores | None


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
    *,
    train_path: Path = TRAIN_PATH,
    dev_path: Path | None = DEV_PATH,
    output: Path = ARTIFACT_PATH,
    encoder: str | None = ENCODER,
    cache_dir: Path | None = CACHE_DIR,
    progress=None,
) -> TrainingReport:
    """Choose the model by cross-validation on train_path, fit it, write the JSON artifact."""
    say = progress or (lambda message: None)
    texts, labels = load_tsv(train_path)
    # The model learns from, and scores, the statement a sentence carries (attribution.py).
    statements = [statement_of(text) for text in texts]
    signal_sums = np.array([sum(s.weight for s in signals(text)) for text in statements])
    y = np.array(labels)
    vectors = None
    if encoder is not None:
        say(f"encoding {len(statements):,} sentences with {encoder} ...")
        vectors, model_id = _encode(encoder, statements, cache_dir)
    folds = _folds(statements, labels)
    say("fitting TF-IDF per fold ...")
    fold_matrices = [_fold_matrices(statements, fit, held) for fit, held in folds]

    candidates: list[Candidate] = []
    logits_by_config: dict[tuple[float, float], np.ndarray] = {}

    def evaluate(scale: float, regularization: float) -> float:
        oof = _out_of_fold_logits(folds, fold_matrices, y, vectors, scale, regularization)
        logits_by_config[(scale, regularization)] = oof
        f1 = _best_f1(oof, y)
        name = f"TF-IDF{f' + encoder x{scale:g}' if scale else ''}, C={regularization:g}"
        candidates.append(Candidate(name, round(f1, 4)))
        say(f"  {name}: out-of-fold F1 {f1:.4f}")
        return f1

    scales = SCALES if vectors is not None else (0.0,)
    say("cross-validating ...")
    best_scale = max(scales, key=lambda scale: (evaluate(scale, FIRST_REGULARIZATION), -scale))
    tfidf_alone = _best_f1(logits_by_config[(0.0, FIRST_REGULARIZATION)], y)
    if best_scale and (
        _best_f1(logits_by_config[(best_scale, FIRST_REGULARIZATION)], y) - tfidf_alone
        <= ENCODER_MIN_GAIN
    ):
        say(f"  the encoder gains no more than {ENCODER_MIN_GAIN}: TF-IDF alone")
        best_scale = 0.0
    best_c = max(
        REGULARIZATIONS,
        key=lambda c: (
            _best_f1(logits_by_config[(best_scale, c)], y)
            if (best_scale, c) in logits_by_config
            else evaluate(best_scale, c),
            -abs(math.log(c)),
        ),
    )
    oof = logits_by_config[(best_scale, best_c)]

    # Do the signals earn a say in the score? Compare, by cross-validation over the
    # out-of-fold logits, the model alone against the model and the signals' sum.
    alone = _stacked_f1(np.column_stack([oof]), y, folds)
    with_signals = _stacked_f1(np.column_stack([oof, signal_sums]), y, folds)
    candidates.append(Candidate("final score: model logit alone", round(alone, 4)))
    candidates.append(Candidate("final score: model logit + signals", round(with_signals, 4)))
    use_signals = with_signals > alone
    features = np.column_stack([oof, signal_sums]) if use_signals else np.column_stack([oof])
    weights = _stacker().fit(features, y).coef_[0]
    model_weight = round(float(weights[0]), DECIMALS)
    signal_weight = round(float(weights[1]), DECIMALS) if use_signals else 0.0
    combined = model_weight * oof + signal_weight * signal_sums
    threshold = _best_threshold(combined, y)

    say("fitting the final model on all training sentences ...")
    artifact = _fit(statements, labels, vectors, best_scale, best_c)
    if best_scale and vectors is not None:
        artifact["encoder"]["name"] = encoder
        artifact["encoder"]["model_id"] = model_id
    else:
        artifact["encoder"] = None
    artifact["combination"] = {
        "model_weight": model_weight,
        "signal_weight": signal_weight,
        "bias": round(-threshold, DECIMALS),
    }
    artifact["training"] = {
        "file": train_path.name,
        "rows": len(texts),
        "positives": int(sum(labels)),
        "folds": FOLDS,
        "random_state": RANDOM_STATE,
        "cross_validation": [{"config": c.name, "f1": c.f1} for c in candidates],
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(artifact, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    # A process that already scored with the old artifact must not keep using it.
    load_model.cache_clear()
    cross_validated = _scores(
        [
            1 / (1 + math.exp(-min(max(z + artifact["combination"]["bias"], -500), 500)))
            for z in combined
        ],
        labels,
    )
    dev = None
    if dev_path is not None:
        from .pipeline import score_with

        dev_texts, dev_labels = load_tsv(dev_path)
        model = CheckworthinessModel.from_dict(artifact)
        dev = precision_recall_f1([score for score, _ in score_with(model, dev_texts)], dev_labels)
    moved = f"move the score (weight {signal_weight:.3f})" if use_signals else "explain only"
    chosen = (
        f"TF-IDF{f' + {encoder} x{best_scale:g}' if best_scale else ''}, C={best_c:g}, "
        f"signals {moved}"
    )
    return TrainingReport(
        output=output,
        train_rows=len(texts),
        candidates=tuple(candidates),
        chosen=chosen,
        cross_validated=cross_validated,
        dev=dev,
    )


def _encode(name: str, texts: Sequence[str], cache_dir: Path | None) -> tuple[np.ndarray, str]:
    """Return the named encoder's vectors of texts, from the cache when they are there."""
    from claims.encoding import get_encoder

    encoder = get_encoder(name)
    key = hashlib.sha256("\n".join([encoder.model_id, *texts]).encode("utf-8")).hexdigest()
    cached = cache_dir / f"{key[:24]}.npy" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        return np.load(cached, allow_pickle=False), encoder.model_id
    vectors = encoder.encode(list(texts), batch_size=64)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        np.save(cached, vectors, allow_pickle=False)
    return vectors, encoder.model_id


def _folds(texts: Sequence[str], labels: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=RANDOM_STATE)
    return list(splitter.split(texts, labels))


def _fold_matrices(texts: Sequence[str], fit_rows: np.ndarray, held_rows: np.ndarray):
    vectorizers, fit_matrix = _vectorize([texts[i] for i in fit_rows])
    _, held_matrix = _vectorize([texts[i] for i in held_rows], vectorizers)
    return fit_matrix, held_matrix


def _with_vectors(matrix, vectors: np.ndarray | None, scale: float):
    from scipy.sparse import csr_matrix, hstack

    if not scale or vectors is None:
        return matrix
    return hstack([matrix, csr_matrix(vectors.astype(np.float64) * scale)]).tocsr()


def _out_of_fold_logits(folds, fold_matrices, y, vectors, scale, regularization) -> np.ndarray:
    """Return each training sentence's logit from a model that never saw it."""
    logits = np.zeros(len(y))
    for (fit_rows, held_rows), (fit_matrix, held_matrix) in zip(folds, fold_matrices, strict=True):
        fit_vectors = vectors[fit_rows] if vectors is not None else None
        held_vectors = vectors[held_rows] if vectors is not None else None
        classifier = _classifier(regularization).fit(
            _with_vectors(fit_matrix, fit_vectors, scale), y[fit_rows]
        )
        logits[held_rows] = classifier.decision_function(
            _with_vectors(held_matrix, held_vectors, scale)
        )
    return logits


def _stacked_f1(features: np.ndarray, y: np.ndarray, folds) -> float:
    """Return the out-of-fold F1 of a logistic combination of the given columns."""
    combined = np.zeros(len(y))
    for fit_rows, held_rows in folds:
        stacker = _stacker().fit(features[fit_rows], y[fit_rows])
        combined[held_rows] = features[held_rows] @ stacker.coef_[0]
    return _best_f1(combined, y)


def _stacker():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)


def _fit(texts, labels, vectors, scale: float, regularization: float) -> dict:
    """Fit vectorizers and logistic regression; return them as a JSON-ready dict."""
    vectorizers, matrix = _vectorize(texts)
    classifier = _classifier(regularization).fit(
        _with_vectors(matrix, vectors, scale), np.array(labels)
    )
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
    encoder = None
    if scale and vectors is not None:
        encoder = {
            "scale": scale,
            "coefficients": [round(float(c), DECIMALS) for c in coefficients[offset:]],
        }
    return {
        "format": ARTIFACT_FORMAT,
        "intercept": round(float(classifier.intercept_[0]), DECIMALS),
        "vocabulary": vocabulary,
        "encoder": encoder,
        "config": {
            "vectorizers": VECTORIZERS,
            "C": regularization,
            "class_weight": "balanced",
            "sublinear_tf": True,
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


def _classifier(regularization: float = FIRST_REGULARIZATION):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=regularization, class_weight="balanced", max_iter=5000, random_state=RANDOM_STATE
    )


def _best_f1(values: np.ndarray, labels: np.ndarray) -> float:
    threshold = _best_threshold(values, labels)
    predicted = values >= threshold
    true_positives = int((predicted & (labels == 1)).sum())
    return 2 * true_positives / max(int(predicted.sum()) + int(labels.sum()), 1)


def _best_threshold(values, labels) -> float:
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
        return float(ranked[-1][0]) - 1.0
    return float(ranked[best_at - 1][0] + ranked[best_at][0]) / 2


def _scores(scores: list[float], labels: list[int]) -> Scores:
    return precision_recall_f1(scores, labels)


def precision_recall_f1(scores: list[float], labels: list[int]) -> Scores:
    """Return precision, recall and F1 of scores at CHECKWORTHY_THRESHOLD against 0/1 labels."""
    from .pipeline import CHECKWORTHY_THRESHOLD

    predicted = [score >= CHECKWORTHY_THRESHOLD for score in scores]
    true_positives = sum(p and y for p, y in zip(predicted, labels, strict=True))
    precision = true_positives / max(sum(predicted), 1)
    recall = true_positives / max(sum(labels), 1)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(round(precision, 4), round(recall, 4), round(f1, 4), len(labels))


# --- Fine-tuned network (manage.py train_checkworthiness --fine-tune) -------------------------

NETWORK_FILE = "checkworthiness-minilm-int8.onnx"
# How the held-out part compares ways of making the final score: 5-fold cross-validation of the
# logistic combination (and its threshold) within the held-out sentences.
HELD_OUT_FOLDS = 5
# A combination with more inputs is kept only when it beats the one without the extra input by
# more than this out-of-fold F1 on the held-out part (fixed before the first run).
COMBINATION_MIN_GAIN = 0.005
# TF-IDF's regularization for the stacked model: C=1, the first value of the grid above, fixed.
NETWORK_TFIDF_C = FIRST_REGULARIZATION


@dataclass(frozen=True)
class FineTuneReport:
    """What `train_checkworthiness --fine-tune` produced and how it was chosen."""

    output: Path
    network: Path
    network_sha256: str
    network_bytes: int
    fit_rows: int
    held_rows: int
    candidates: tuple[Candidate, ...]
    chosen: str
    held_out: Scores
    held_out_float32_f1: float | None
    dev: Scores | None


def train_fine_tuned(
    *,
    train_path: Path = TRAIN_PATH,
    dev_path: Path | None = DEV_PATH,
    output: Path = ARTIFACT_PATH,
    cache_dir: Path | None = CACHE_DIR,
    progress=None,
) -> FineTuneReport:
    """Fine-tune MiniLM on 85 % of train_path, choose its combination on the other 15 %.

    Writes the int8 ONNX network beside the JSON artifact (which records its sha256), then
    scores the dev file once. Needs requirements-train.txt (torch), imported only here.
    """
    import tempfile

    from . import finetune
    from .network import CheckworthinessNetwork

    say = progress or (lambda message: None)
    hp = finetune.HYPER_PARAMETERS
    texts, labels = load_tsv(train_path)
    statements = [statement_of(text) for text in texts]
    signal_sums = np.array([sum(s.weight for s in signals(text)) for text in statements])
    y = np.array(labels)
    fit_rows, held_rows = finetune.split(labels)
    say(
        f"fine-tuning on {len(fit_rows):,} sentences, holding out {len(held_rows):,} "
        f"({finetune.HOLD_OUT:.0%}, stratified, seed {hp.seed}) ..."
    )
    network = finetune.fine_tuned_network(
        [statements[i] for i in fit_rows],
        [labels[i] for i in fit_rows],
        hp,
        cache_dir=cache_dir,
        progress=say,
    )
    network_path = output.parent / NETWORK_FILE
    say(f"exporting to {network_path} (ONNX, int8 weights) ...")
    with tempfile.TemporaryDirectory() as folder:
        finetune.export_onnx(network, Path(folder) / "float32.onnx", network_path)
    network_sha256 = finetune._sha256(network_path)
    held_statements = [statements[i] for i in held_rows]
    held_y = y[held_rows]
    shipped = CheckworthinessNetwork.load(network_path, network_sha256, hp.max_tokens)
    network_logits = shipped.logits(held_statements)
    float32_f1 = None
    try:
        float32_logits = finetune.predict_logits(network, held_statements, hp.max_tokens)
        float32_f1 = round(_best_f1(float32_logits, held_y), 4)
    except finetune.TrainingUnavailable:
        pass

    say("fitting TF-IDF on the same sentences the network was tuned on ...")
    tfidf = _fit(
        [statements[i] for i in fit_rows], [labels[i] for i in fit_rows], None, 0.0, NETWORK_TFIDF_C
    )
    tfidf["encoder"] = None
    tfidf_model = CheckworthinessModel.from_dict(
        {**tfidf, "combination": {"model_weight": 1.0, "signal_weight": 0.0, "bias": 0.0}}
    )
    tfidf_logits = np.array(tfidf_model.logits(held_statements))
    held_signals = signal_sums[held_rows]

    columns = {"network": network_logits, "tfidf": tfidf_logits, "signals": held_signals}
    options = [
        ("network",),
        ("network", "tfidf"),
        ("network", "signals"),
        ("network", "tfidf", "signals"),
    ]
    held_folds = _held_out_folds(held_y)
    candidates: list[Candidate] = []
    results: dict[tuple[str, ...], float] = {}
    for option in options:
        f1 = _stacked_f1(np.column_stack([columns[c] for c in option]), held_y, held_folds)
        results[option] = f1
        name = "final score: " + " + ".join(option)
        candidates.append(Candidate(name, round(f1, 4)))
        say(f"  {name}: held-out, {HELD_OUT_FOLDS}-fold F1 {f1:.4f}")
    candidates.append(
        Candidate(
            "network alone, int8 as shipped, F1-best threshold on all held-out",
            round(_best_f1(network_logits, held_y), 4),
        )
    )
    if float32_f1 is not None:
        candidates.append(
            Candidate("network alone, float32 before export, F1-best threshold", float32_f1)
        )
    chosen = ("network",)
    for option in options[1:]:
        # Each extra input must earn its place against the option without it.
        base = tuple(c for c in option if c != option[-1])
        if results[option] - max(results[base], results[chosen]) > COMBINATION_MIN_GAIN:
            chosen = option
    features = np.column_stack([columns[c] for c in chosen])
    stacker = _stacker().fit(features, held_y)
    weights = dict(zip(chosen, (float(w) for w in stacker.coef_[0]), strict=True))
    combined = features @ stacker.coef_[0]
    threshold = _best_threshold(combined, held_y)
    combination = {
        "model_weight": round(weights.get("tfidf", 0.0), DECIMALS),
        "network_weight": round(weights["network"], DECIMALS),
        "signal_weight": round(weights.get("signals", 0.0), DECIMALS),
        "bias": round(-threshold, DECIMALS),
    }
    artifact = {
        **tfidf,
        "combination": combination,
        "network": {
            "file": NETWORK_FILE,
            "sha256": network_sha256,
            "max_tokens": hp.max_tokens,
            "base": (
                f"all-MiniLM-L6-v2, upstream weights from {finetune.UPSTREAM_PACKAGE}=="
                f"{finetune.UPSTREAM_VERSION} (model.safetensors sha256 "
                f"{finetune.UPSTREAM_SHA256})"
            ),
            "hyper_parameters": finetune.hyper_parameters_dict(hp),
            "quantization": (
                "onnxruntime quantize_dynamic, int8 weights per channel (MatMul, Gather); "
                "the products' weights stored as uint8 with zero point 128 (exact U8U8 "
                "kernels on every x86 CPU)"
            ),
        },
        "training": {
            "file": train_path.name,
            "rows": len(texts),
            "positives": int(sum(labels)),
            "fine_tuned_rows": len(fit_rows),
            "held_out_rows": len(held_rows),
            "held_out_fraction": finetune.HOLD_OUT,
            "random_state": hp.seed,
            "held_out_folds": HELD_OUT_FOLDS,
            "selection": [{"config": c.name, "f1": c.f1} for c in candidates],
        },
    }
    artifact["config"] = {**artifact["config"], "C": NETWORK_TFIDF_C}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(
        json.dumps(artifact, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n",
        encoding="utf-8",
    )
    load_model.cache_clear()
    model = CheckworthinessModel.from_dict(artifact, output.parent)
    held_scores = [
        1 / (1 + math.exp(-min(max(z - threshold, -500), 500))) for z in combined.tolist()
    ]
    held_out = precision_recall_f1(held_scores, held_y.tolist())
    dev = None
    if dev_path is not None:
        from .pipeline import score_with

        dev_texts, dev_labels = load_tsv(dev_path)
        dev = precision_recall_f1([score for score, _ in score_with(model, dev_texts)], dev_labels)
    return FineTuneReport(
        output=output,
        network=network_path,
        network_sha256=network_sha256,
        network_bytes=network_path.stat().st_size,
        fit_rows=len(fit_rows),
        held_rows=len(held_rows),
        candidates=tuple(candidates),
        chosen=" + ".join(chosen),
        held_out=held_out,
        held_out_float32_f1=float32_f1,
        dev=dev,
    )


def _held_out_folds(labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=HELD_OUT_FOLDS, shuffle=True, random_state=RANDOM_STATE)
    return list(splitter.split(np.zeros(len(labels)), labels))
