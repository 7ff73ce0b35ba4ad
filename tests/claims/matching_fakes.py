"""A tiny deterministic encoder for matching tests: hashed bags of words with a few synonyms.

It stands in for a sentence encoder where a test needs paraphrases to score above unrelated
texts; it knows only the synonyms listed here.
"""

import hashlib
import re

import numpy as np

SYNONYMS = {
    "jobs": "employment",
    "work": "employment",
    "employed": "employment",
    "unemployment": "employment",
    "joblessness": "employment",
    "climbed": "rose",
    "increased": "rose",
    "grew": "rose",
    "doubled": "rose",
    "fell": "dropped",
    "declined": "dropped",
    "vaccine": "vaccination",
    "vaccines": "vaccination",
    "jab": "vaccination",
    "shots": "vaccination",
    "causes": "cause",
    "caused": "cause",
    "leads": "cause",
}
STOP = {"the", "a", "an", "of", "to", "in", "that", "is", "was", "by", "and", "last", "this"}


class WordHashEncoder:
    model_id = "test-wordhash-1"
    dim = 64

    def __init__(self, model_id: str = "test-wordhash-1"):
        self.model_id = model_id
        self.calls = 0

    def encode(self, texts, *, batch_size=64):
        self.calls += 1
        vectors = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"[a-z]+", text.lower()):
                if word in STOP:
                    continue
                word = SYNONYMS.get(word, word)
                bucket = int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim
                vectors[row, bucket] += 1.0
            norm = np.linalg.norm(vectors[row])
            vectors[row] = vectors[row] / norm if norm else vectors[row]
        return vectors
