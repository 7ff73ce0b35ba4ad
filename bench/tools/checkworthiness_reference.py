"""The earlier check-worthiness recipes on the fine-tuned network's held-out split (evidence only).

Run from the repository root: .venv/bin/python bench/tools/checkworthiness_reference.py
Fits TF-IDF alone, and TF-IDF + frozen MiniLM vectors (the model shipped before the fine-tuned
network), on the 85 % of the training file the network was tuned on, and prints each one's F1
on the other 15 % at its F1-best threshold: the rule that gives the network's own figure.
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


def main() -> None:
    texts, labels = training.load_tsv(training.TRAIN_PATH)
    statements = [statement_of(text) for text in texts]
    y = np.array(labels)
    fit, held = split(labels)
    vectors = get_encoder("minilm-int8").encode(statements, batch_size=64)
    fit_matrix, held_matrix = training._fold_matrices(statements, fit, held)
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
        print(f"{name}: held-out F1 {training._best_f1(logits, y[held]):.4f}", flush=True)


if __name__ == "__main__":
    main()
