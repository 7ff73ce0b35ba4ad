"""Score the shipped check-worthiness network on this CPU: held-out 15 % and dev (evidence only).

Run from the repository root: .venv/bin/python bench/tools/network_on_this_cpu.py [OTHER.onnx]
Prints the F1 of the network alone (the artifact's combination, threshold 0.5) on the held-out
15 % of the training file (the split the network was chosen on: a selection figure, not
evidence) and on dev, with the CPU time of the held-out pass. Given another ONNX file of the
same network (for instance the signed-int8 file before `unsigned_weights`), it scores that too
and prints how far the two files' logits are apart on this CPU. Data: ../shared/data.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))

import numpy as np

from claims.encoding.base import sha256_of
from claims.extraction import finetune, training
from claims.extraction.attribution import statement_of
from claims.extraction.model import ARTIFACT_PATH, load_model
from claims.extraction.network import CheckworthinessNetwork


def f1(predicted: np.ndarray, labels: np.ndarray) -> float:
    hits = int((predicted & labels).sum())
    return 2 * hits / max(int(predicted.sum()) + int(labels.sum()), 1)


def main() -> None:
    model = load_model(ARTIFACT_PATH)
    combination, block = model.combination, model.network
    texts, labels = training.load_tsv(training.TRAIN_PATH)
    _fit, held = finetune.split(labels)
    held_texts = [statement_of(texts[i]) for i in held]
    held_labels = np.array([labels[i] for i in held], dtype=bool)
    dev_texts, dev_labels = training.load_tsv(training.DEV_PATH)
    dev_texts = [statement_of(text) for text in dev_texts]
    dev_labels = np.array(dev_labels, dtype=bool)
    files = [block.path] + [Path(name) for name in sys.argv[1:]]
    logits = []
    for path in files:
        network = CheckworthinessNetwork.load(path, sha256_of(path), block.max_tokens)
        started = time.process_time()
        held_logits = network.logits(held_texts)
        cpu = time.process_time() - started
        dev_logits = network.logits(dev_texts)
        logits.append(held_logits)
        scores = [
            np.array([combination.score(0.0, 0.0, value) for value in values]) >= 0.5
            for values in (held_logits, dev_logits)
        ]
        print(
            f"{path.name}: held-out F1 {f1(scores[0], held_labels):.4f} "
            f"({len(held_texts):,} sentences, {cpu:.1f} s CPU), dev F1 "
            f"{f1(scores[1], dev_labels):.4f}"
        )
    for path, other in zip(files[1:], logits[1:], strict=True):
        apart = np.abs(other - logits[0])
        flips = int(((other > 0) != (logits[0] > 0)).sum())
        print(
            f"{path.name} vs shipped: logits apart max {apart.max():.3f}, mean {apart.mean():.3f}"
        )
        print(f"  sign changes: {flips}")


if __name__ == "__main__":
    main()
