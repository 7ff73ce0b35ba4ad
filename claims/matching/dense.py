"""Nearest-neighbour search over L2-normalised vectors: exact in numpy, approximate with faiss."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

# Above this many stored vectors an approximate index is used (where faiss is installed). Exact
# search reads every vector per query (150 MB per 100,000 of 384 floats): p95 121 to 284 ms at
# 100,000 on the 2-core benchmark machine under load, against a 50 ms target (BENCHMARKS.md).
EXACT_LIMIT = 20_000
# The share of inverted lists an approximate query visits, chosen by measurement on train
# queries (recall of the exact top 5 after rescoring, BENCHMARKS.md): at 100,000 real-like
# vectors 5% kept 0.94, 10% 0.97, 20% 0.99, at 0.5 / 1.1 / 15 ms p50 under load 21.
NPROBE_SHARE = 0.1


@cache
def _faiss():
    """Return the faiss module, imported on first need (None where faiss-cpu is not installed).

    Imported lazily: it logs on import and starts OpenMP, which a process should only do when it
    searches above EXACT_LIMIT (a prefork worker's parent never does), not at every startup.
    """
    try:
        import faiss
    except ImportError:  # pragma: no cover - depends on the installation
        return None
    return faiss


class DenseIndex:
    """Hold stored vectors (rows, L2-normalised) and score queries by cosine (a dot product).

    Exact search is one matrix-vector product over every stored vector.
    """

    approximate = False

    def __init__(self, vectors: np.ndarray):
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError("vectors must be a 2-D array (rows are documents)")
        self._buffer = vectors
        self.vectors = vectors

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors (rows); they get the next row numbers.

        The rows live in a buffer that grows by half when full, so adding a few vectors to a
        large index copies nothing most of the time.
        """
        vectors = self._check(vectors) if len(vectors) else vectors
        n, extra = self.size, len(vectors)
        if not extra:
            return
        if n + extra > self._buffer.shape[0]:
            grown = np.empty((max(n + extra, n + n // 2 + 64), self.vectors.shape[1]), np.float32)
            grown[:n] = self.vectors
            self._buffer = grown
        self._buffer[n : n + extra] = vectors
        self.vectors = self._buffer[: n + extra]

    @property
    def size(self) -> int:
        return self.vectors.shape[0]

    def _check(self, queries: np.ndarray) -> np.ndarray:
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if queries.shape[1] != self.vectors.shape[1]:
            raise ValueError(
                f"query vectors have {queries.shape[1]} dimensions, stored vectors "
                f"{self.vectors.shape[1]}: re-embed with the same model"
            )
        return queries

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Return the cosine of each query vector against every stored vector."""
        return self._check(queries) @ self.vectors.T

    def scores_of(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Return the exact cosine of one query vector against the stored rows ``rows``."""
        return self.vectors[rows] @ self._check(query)[0]

    def candidates(self, query: np.ndarray, k: int) -> np.ndarray:
        """Return the rows of (about) the ``k`` nearest stored vectors to one query vector."""
        return top_k(self.scores(query)[0], k)


class ApproximateIndex(DenseIndex):
    """Find candidates with a faiss inverted-file index (8-bit codes), keep exact vectors to
    rescore them.

    The coarse quantizer is trained once on the vectors given; ``add`` appends new vectors
    without retraining, so a process keeps its index as new claims arrive.
    """

    approximate = True

    def __init__(self, vectors: np.ndarray, *, nprobe_share: float = NPROBE_SHARE, seed: int = 14):
        faiss = _faiss()
        if faiss is None:
            raise ValueError("an approximate index needs faiss-cpu (pip install faiss-cpu)")
        super().__init__(vectors)
        dim = self.vectors.shape[1]
        # About 2 sqrt(n) lists, a tenth of them visited per query; k-means on 40 vectors per
        # list, 10 rounds: a build of 28 s at 100,000 and 5 minutes at 1,000,000 under load.
        lists = max(1, min(4096, int(2 * math.sqrt(self.size))))
        quantizer = faiss.IndexFlatIP(dim)
        self.index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        sample = self.vectors
        if self.size > 40 * lists:
            rows = np.random.default_rng(seed).choice(self.size, 40 * lists, replace=False)
            sample = self.vectors[np.sort(rows)]
        self.index.cp.seed = seed
        self.index.cp.niter = 10
        self.index.train(sample)
        self.index.add(self.vectors)
        self.index.nprobe = max(1, math.ceil(nprobe_share * lists))
        self._quantizer = quantizer  # faiss keeps a pointer to it, not a reference

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors (rows) to the index, without retraining; they get the next rows."""
        if not len(vectors):
            return
        vectors = self._check(vectors)
        super().add(vectors)
        self.index.add(vectors)

    def candidates(self, query: np.ndarray, k: int) -> np.ndarray:
        _, rows = self.index.search(self._check(query)[:1], k)
        return rows[0][rows[0] >= 0]


def approximate_available() -> bool:
    """Return whether an approximate index can be built here (faiss-cpu is installed)."""
    return _faiss() is not None


def dense_index(vectors: np.ndarray, *, exact_limit: int = EXACT_LIMIT) -> DenseIndex:
    """Return an exact index up to ``exact_limit`` vectors, an approximate one above it when
    faiss is installed (else exact, slower but correct)."""
    if len(vectors) > exact_limit and _faiss() is not None:
        return ApproximateIndex(vectors)
    return DenseIndex(vectors)


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
