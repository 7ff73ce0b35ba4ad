"""Rank stored claims against a new one: dense cosine, a lexical back-stop, and their fusion."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .consistency import conflicts
from .dense import EXACT_LIMIT, DenseIndex, dense_index, top_k
from .lexical import LexicalIndex
from .text import clean


class MatchingError(ValueError):
    """Refuse a matching request, saying what to change."""


class TextEncoder(Protocol):
    """What the matcher needs from the shared encoder (claims.encoding.Encoder)."""

    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray: ...


class Level:
    """How sure a match is, as the desk shows it."""

    # Same claim: a fact-checker can reuse the verdict; figures and polarity agree.
    CONFIRMED = "confirmed"
    # Probably the same claim: shown to the fact-checker to decide.
    SUGGESTED = "suggested"
    # Below both thresholds: listed only when asked for the top matches.
    NONE = ""


@dataclass(frozen=True)
class Thresholds:
    """Scores at which a match is suggested and confirmed (per model and mode: calibrate).

    Only the best match can be confirmed, and only when it leads the runner-up by ``margin``:
    on the CheckThat! data a high score alone is not reliable (near-identical fact-checks of one
    claim score alike), a clear lead is (bench/matching.py).
    """

    suggested: float
    confirmed: float
    margin: float = 0.0

    def __post_init__(self):
        if not 0 <= self.suggested <= self.confirmed <= 1:
            raise MatchingError(
                "thresholds must satisfy 0 <= suggested <= confirmed <= 1, "
                f"got suggested={self.suggested} confirmed={self.confirmed}"
            )
        if not 0 <= self.margin <= 1:
            raise MatchingError(f"margin must be between 0 and 1, got {self.margin}")


@dataclass(frozen=True)
class Match:
    """One stored claim ranked against a query."""

    key: Hashable
    rank: int
    score: float
    dense: float | None
    lexical: float
    level: str
    conflicts: tuple[str, ...] = field(default=())


# Given candidate keys, best first, return those still matchable, each with its current check
# text (None: the stored one). Lets a caller filter against a database at query time.
Keep = Callable[[list[Hashable]], Mapping[Hashable, str | None]]

MODES = ("lexical", "dense", "fused")
# How many candidates each side (approximate dense, lexical) gives for exact rescoring.
CANDIDATES = 50


class Matcher:
    """Match texts against a fixed set of stored claims.

    ``keys`` name the stored claims (any hashable: a primary key, "verdict:12"); ``texts``
    are what is matched (a verdict's claim and summary). ``vectors`` are the stored texts'
    embeddings if already computed, else the ``encoder`` computes them. With no encoder
    only the lexical index runs. The fused score is ``weight * dense + (1 - weight) *
    lexical``; ``weight`` and the thresholds come from measurement (bench/matching.py).
    ``check_texts`` are what the figure and negation check compares with (default ``texts``):
    a verdict is matched on its claim and summary but checked against its claim alone, since a
    summary naturally denies or corrects the claim. Above ``exact_limit`` stored vectors the
    dense side searches an approximate index (claims.matching.dense) for candidates, joined
    with the lexical top candidates, and every candidate is then scored exactly.

    ``add`` appends claims (a key already stored is replaced: its old row is never returned
    again), so a process can keep one matcher and feed it what changed.
    """

    def __init__(
        self,
        *,
        keys: Sequence[Hashable],
        texts: Sequence[str],
        encoder: TextEncoder | None = None,
        vectors: np.ndarray | None = None,
        mode: str = "fused",
        weight: float = 0.8,
        thresholds: Thresholds | None = None,
        check_texts: Sequence[str] | None = None,
        exact_limit: int = EXACT_LIMIT,
    ):
        if len(keys) != len(texts):
            raise MatchingError(f"{len(keys)} keys for {len(texts)} texts")
        if mode not in MODES:
            raise MatchingError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if mode != "lexical" and encoder is None:
            raise MatchingError(f"mode {mode!r} needs an encoder")
        if not 0 <= weight <= 1:
            raise MatchingError(f"weight must be between 0 and 1, got {weight}")
        self.keys = list(keys)
        self.texts = list(texts)
        self.check_texts = self.texts if check_texts is None else list(check_texts)
        if len(self.check_texts) != len(self.texts):
            raise MatchingError(f"{len(self.check_texts)} check texts for {len(texts)} texts")
        self.encoder = encoder
        self.mode = mode
        self.weight = {"lexical": 0.0, "dense": 1.0}.get(mode, weight)
        self.thresholds = thresholds
        self.lexical = LexicalIndex(self.texts) if self.weight < 1 else None
        self.dense = None
        if self.weight > 0:
            if vectors is None:
                vectors = self._encode(self.texts)
            if len(vectors) != len(self.keys):
                raise MatchingError(f"{len(vectors)} vectors for {len(self.keys)} texts")
            self.dense: DenseIndex | None = dense_index(vectors, exact_limit=exact_limit)
        self._row_of = {key: row for row, key in enumerate(self.keys)}
        self._alive = np.ones(len(self.keys), dtype=bool)
        if len(self._row_of) != len(self.keys):
            raise MatchingError("keys must be unique")

    @property
    def size(self) -> int:
        """Return how many stored claims can be matched (replaced rows not counted)."""
        return len(self._row_of)

    def add(
        self,
        *,
        keys: Sequence[Hashable],
        texts: Sequence[str],
        vectors: np.ndarray | None = None,
        check_texts: Sequence[str] | None = None,
    ) -> None:
        """Append stored claims; a key already stored replaces its earlier row."""
        keys, texts = list(keys), list(texts)
        check_texts = texts if check_texts is None else list(check_texts)
        if not (len(keys) == len(texts) == len(check_texts)) or len(set(keys)) != len(keys):
            raise MatchingError(f"{len(keys)} unique keys for {len(texts)} texts")
        if not keys:
            return
        if self.dense is not None:
            if vectors is None:
                vectors = self._encode(texts)
            if len(vectors) != len(keys):
                raise MatchingError(f"{len(vectors)} vectors for {len(keys)} texts")
            self.dense.add(vectors)
        if self.lexical is not None:
            self.lexical.add(texts)
        replaced = [self._row_of[key] for key in keys if key in self._row_of]
        self._alive[replaced] = False
        start = len(self.keys)
        self.keys += keys
        self.texts += texts
        self.check_texts += check_texts
        self._alive = np.concatenate([self._alive, np.ones(len(keys), dtype=bool)])
        self._row_of.update({key: start + i for i, key in enumerate(keys)})

    @property
    def model_id(self) -> str | None:
        return self.encoder.model_id if self.encoder is not None and self.dense else None

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return self.encoder.encode([clean(text) for text in texts])

    def scores(self, queries: Sequence[str], vectors: np.ndarray | None = None):
        """Return (fused, dense, lexical) score matrices, shape (queries, stored claims)."""
        n = len(self.keys)
        lexical = (
            self.lexical.scores(queries)
            if self.lexical is not None
            else np.zeros((len(queries), n), dtype=np.float32)
        )
        dense = None
        if self.dense is not None:
            if vectors is None:
                vectors = self._encode(queries)
            dense = self.dense.scores(vectors)
        if dense is None:
            fused = lexical
        elif self.lexical is None:
            fused = dense
        else:
            fused = self.weight * dense + (1 - self.weight) * lexical
        return fused, dense, lexical

    def match_many(
        self,
        queries: Sequence[str],
        *,
        top: int = 5,
        vectors: np.ndarray | None = None,
        min_level: str = Level.NONE,
        keep: Keep | None = None,
    ) -> list[list[Match]]:
        """Return the ``top`` matches of each query, best first.

        With ``min_level`` only matches at that level or above are returned (needs thresholds).
        With ``keep`` only the candidates it keeps are ranked (and the runner-up that decides a
        confirmed match's lead is a kept one too).
        """
        if top < 1:
            raise MatchingError(f"top must be at least 1, got {top}")
        if min_level and self.thresholds is None:
            raise MatchingError("filtering by level needs thresholds")
        if not queries:
            return []
        results = []
        approximate = self.dense is not None and self.dense.approximate
        if approximate:
            vectors = self._encode(queries) if vectors is None else vectors
        else:
            all_fused, all_dense, all_lexical = self.scores(queries, vectors)
            columns = np.arange(len(self.keys))
        for row, query in enumerate(queries):
            matches = []
            if approximate:
                columns, fused, dense, lexical = self._candidate_scores(
                    query, vectors[row : row + 1], top if keep is None else 4 * top
                )
            else:
                fused, lexical = all_fused[row], all_lexical[row]
                dense = None if all_dense is None else all_dense[row]
            ranked, current = self._ranked(columns, fused, max(top, 2), keep)
            lead = float(fused[ranked[0]] - fused[ranked[1]]) if len(ranked) > 1 else 1.0
            for rank, at in enumerate(ranked[:top], start=1):
                column = int(columns[at])
                score = float(fused[at])
                check = current.get(self.keys[column])
                why = conflicts(query, self.check_texts[column] if check is None else check)
                level = self._level(score, why, lead if rank == 1 else None)
                if min_level == Level.CONFIRMED and level != Level.CONFIRMED:
                    continue
                if min_level == Level.SUGGESTED and level == Level.NONE:
                    continue
                matches.append(
                    Match(
                        key=self.keys[column],
                        rank=rank,
                        score=round(score, 6),
                        dense=None if dense is None else round(float(dense[at]), 6),
                        lexical=round(float(lexical[at]), 6),
                        level=level,
                        conflicts=why,
                    )
                )
            results.append(matches)
        return results

    def _ranked(self, columns, fused, want: int, keep: Keep | None):
        """Return (the best ``want`` positions in ``fused``, current check texts by key),
        skipping replaced rows and what ``keep`` drops; ask ``keep`` for more until enough."""
        alive = self._alive[columns]
        if keep is None and alive.all():
            return top_k(fused, want), {}
        scores = np.where(alive, fused, -np.inf)
        k = want if keep is None else 4 * want
        while True:
            order = top_k(scores, min(k, len(scores)))
            order = order[np.isfinite(scores[order])]
            kept = {} if keep is None else keep([self.keys[int(columns[at])] for at in order])
            chosen = [at for at in order if keep is None or self.keys[int(columns[at])] in kept]
            if len(chosen) >= want or len(order) < k:
                return np.asarray(chosen[:want], dtype=np.int64), kept
            k *= 4

    def _candidate_scores(self, query: str, query_vector: np.ndarray, top: int):
        """Return (stored columns, fused, dense, lexical) over the approximate index's dense
        candidates and the lexical top candidates, each scored exactly."""
        wanted = max(CANDIDATES, 4 * top)
        columns = self.dense.candidates(query_vector, wanted)
        lexical_row = self.lexical.scores([query])[0] if self.lexical is not None else None
        if lexical_row is not None:
            columns = np.union1d(columns, top_k(lexical_row, wanted))
        columns = np.sort(columns)
        dense = self.dense.scores_of(query_vector, columns)
        lexical = lexical_row[columns] if lexical_row is not None else np.zeros_like(dense)
        return columns, self.weight * dense + (1 - self.weight) * lexical, dense, lexical

    def match(
        self, query: str, *, top: int = 5, min_level: str = Level.NONE, keep: Keep | None = None
    ) -> list[Match]:
        """Return the ``top`` matches of one query, best first."""
        return self.match_many([query], top=top, min_level=min_level, keep=keep)[0]

    def _level(self, score: float, why: tuple[str, ...], lead: float | None) -> str:
        if self.thresholds is None:
            return Level.NONE
        t = self.thresholds
        if lead is not None and lead >= t.margin and score >= t.confirmed and not why:
            return Level.CONFIRMED
        if score >= self.thresholds.suggested:
            return Level.SUGGESTED
        return Level.NONE
