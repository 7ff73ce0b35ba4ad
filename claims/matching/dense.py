"""Exact nearest-neighbour search over L2-normalised vectors in one float32 matrix."""

from __future__ import annotations

import numpy as np


class DenseIndex:
    """Hold stored vectors (rows, L2-normalised) and score queries by cosine (a dot product).

    Exact search is one matrix-vector product: about 20 ms for 100,000 vectors of 384 floats
    on two cores (see BENCHMARKS.md), under the matching latency target, so no approximate
    index is needed at a desk's scale.
    """

    def __init__(self, vectors: np.ndarray):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError("vectors must be a 2-D array (rows are documents)")
        self.vectors = vectors

    @property
    def size(self) -> int:
        return self.vectors.shape[0]

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Return the cosine of each query vector against every stored vector."""
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if queries.shape[1] != self.vectors.shape[1]:
            raise ValueError(
                f"query vectors have {queries.shape[1]} dimensions, stored vectors "
                f"{self.vectors.shape[1]}: re-embed with the same model"
            )
        return queries @ self.vectors.T


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Return the indices of the ``k`` highest scores of a 1-D array, highest first.

    Ties go to the lower index, so rankings are reproducible.
    """
    n = scores.shape[0]
    if k <= 0 or n == 0:
        return np.empty(0, dtype=np.int64)
    candidates = np.argpartition(-scores, k - 1)[:k] if k < n else np.arange(n)
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]
