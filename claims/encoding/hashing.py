"""A tiny deterministic encoder for unit tests: hashed word and word-pair features, no model."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Sequence

import numpy as np

from .base import normalize_rows

_TOKEN = re.compile(r"\w+")


class HashingEncoder:
    """Sentences sharing words get similar vectors; the same text always gets the same vector.

    Not a semantic model: it exists so that code using the encoder can be tested fast and
    without the production model's package.
    """

    model_id = "hashing-v1"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Return unit float32 rows built from signed hashes of lower-cased words and pairs."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _TOKEN.findall(text.lower())
            for feature in words + [f"{a} {b}" for a, b in itertools.pairwise(words)]:
                digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                matrix[row, value % self.dim] += 1.0 if value >> 63 else -1.0
        return normalize_rows(matrix)
