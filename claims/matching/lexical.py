"""An in-process lexical index: TF-IDF cosine over words, for near-verbatim repeats."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from .text import clean

# Numbers keep their decimal point or thousands separator: "3.5" and "1,200" are one token.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


def tokenize(text: str) -> list[str]:
    """Return the lower-cased words and numbers of ``text``, without English stopwords."""
    return [
        token
        for token in _TOKEN.findall(clean(text).lower())
        if token not in ENGLISH_STOP_WORDS and (len(token) > 1 or token.isdigit())
    ]


class LexicalIndex:
    """Score texts against stored documents by TF-IDF cosine (words, sublinear tf).

    The vocabulary and IDF come from the stored documents; rebuild the index when they change
    (it takes about a second per 10,000 claims). ``add`` appends documents weighted with the
    vocabulary and IDF of the build: a word that no stored document had is not counted until
    the next rebuild, so a long-lived index should be rebuilt from time to time.
    """

    def __init__(self, documents: Sequence[str]):
        self.size = len(documents)
        self._vectorizer = TfidfVectorizer(
            tokenizer=tokenize,
            lowercase=False,
            token_pattern=None,
            sublinear_tf=True,
            ngram_range=(1, 1),
            min_df=1,
        )
        if self.size and any(tokenize(document) for document in documents):
            # Stored transposed (terms x documents) so one query is a sparse row times CSC.
            self._matrix = self._vectorizer.fit_transform(documents).T.tocsr()
        else:
            self._matrix = None

    def add(self, documents: Sequence[str]) -> None:
        """Append documents, weighted with the build's vocabulary and IDF."""
        documents = list(documents)
        if not documents:
            return
        if self._matrix is None:
            self.size += len(documents)
            return
        added = self._vectorizer.transform(documents).T.tocsr()
        self._matrix = sparse.hstack([self._matrix, added], format="csr")
        self.size += len(documents)

    def scores(self, queries: Sequence[str]) -> np.ndarray:
        """Return the cosine of each query against every document, shape (queries, documents)."""
        if self._matrix is None:
            return np.zeros((len(queries), self.size), dtype=np.float32)
        query_matrix = self._vectorizer.transform(queries)
        return np.asarray((query_matrix @ self._matrix).toarray(), dtype=np.float32)
