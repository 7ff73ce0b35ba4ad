"""The earlier check-worthiness recipes on the fine-tuned network's held-out split (evidence only).

Run from the repository root: .venv/bin/python bench/tools/checkworthiness_reference.py
Fits TF-IDF alone, and TF-IDF + frozen MiniLM vectors (the model shipped before the fine-tuned
network), on the 85 % of the training file the network was tuned on, and prints each one's F1
on the other 15 % at its F1-best threshold: the rule that gives the network's own figure; then
a paired bootstrap of the shipped network's gain over each.
Encoding the 22,501 training sentences takes several minutes of CPU.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

import numpy as np

from claims.encoding import get_encoder
from claims.extraction import training
from claims.extraction.attribution import statement_of
from claims.extraction.finetune import split
from claims.extraction.model import ARTIFACT_PATH, load_model

BOOTSTRAP = 2000


def main() -> None:
    texts, labels = training.load_tsv(training.TRAIN_PATH)
    statements = [statement_of(text) for text in texts]
    y = np.array(labels)
    fit, held = split(labels)
    vectors = get_encoder("minilm-int8").encode(statements, batch_size=64)
    fit_matrix, held_matrix = training._fold_matrices(statements, fit, held)
    held_y = y[held]
    network = np.array(load_model(ARTIFACT_PATH).network_logits([statements[i] for i in held]))
    decisions = {"fine-tuned network (shipped)": _decide(network, held_y)}
    for name, scale, regularization in (
        ("TF-IDF alone, C=1", 0.0, 1.0),
        ("TF-IDF + frozen MiniLM x1, C=0.5 (the earlier shipped recipe)", 1.0, 0.5),
    ):
        classifier = training._classifier(regularization).fit(
            training._with_vectors(fit_matrix, vectors[fit], scale), y[fit]
        )
        logits = classifier.decision_function(
            training._with_vectors(held_matrix, vectors[held], scale)
        )
        decisions[name] = _decide(logits, held_y)
    shipped = decisions["fine-tuned network (shipped)"]
    rng = np.random.default_rng(0)
    samples = [rng.integers(0, len(held_y), len(held_y)) for _ in range(BOOTSTRAP)]
    for name, predicted in decisions.items():
        line = f"{name}: held-out F1 {_f1(predicted, held_y):.4f}"
        if predicted is not shipped:
            gains = sorted(
                _f1(shipped[s], held_y[s]) - _f1(predicted[s], held_y[s]) for s in samples
            )
            low, high = gains[int(0.025 * BOOTSTRAP)], gains[int(0.975 * BOOTSTRAP) - 1]
            line += f"; the network's gain, 95 % paired bootstrap: {low:+.3f} to {high:+.3f}"
        print(line, flush=True)


def _decide(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Return the decisions at the F1-best threshold on these sentences (each model alike)."""
    return logits >= training._best_threshold(logits, labels)


def _f1(predicted: np.ndarray, labels: np.ndarray) -> float:
    true_positives = int((predicted & (labels == 1)).sum())
    return 2 * true_positives / max(int(predicted.sum()) + int(labels.sum()), 1)


if __name__ == "__main__":
    main()
