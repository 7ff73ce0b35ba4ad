"""Embed texts with the shared encoder and keep their vectors beside the model's id."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.db import transaction

from claims.matching import clean
from claims.models import Embedding

Subject = Embedding.Subject


def current_encoder():
    """Return the process's shared encoder (CLAIMS_ENCODER), loaded once."""
    from claims.encoding import get_encoder

    return get_encoder(settings.CLAIMS_ENCODER or None)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes | memoryview, dim: int) -> np.ndarray:
    vector = np.frombuffer(bytes(data), dtype="<f4")
    if vector.shape[0] != dim:
        raise ValueError(f"stored vector has {vector.shape[0]} floats, expected {dim}")
    return vector


@dataclass(frozen=True)
class StoredVectors:
    """The vectors of one subject kind under one model, as rows of a matrix."""

    ids: list[int]
    vectors: np.ndarray


def embeddings_store(
    *, subject: str, items: Sequence[tuple[int, str]], encoder, batch_size: int = 64
) -> int:
    """Embed the (id, text) items whose vector under ``encoder`` is missing or out of date.

    Return how many were embedded. Idempotent: an item whose text is unchanged since it was
    embedded with this model is skipped. The encoder runs outside any transaction; the rows are
    written in one.
    """
    items = list(dict(items).items())
    if not items:
        return 0
    hashes = {pk: text_sha256(text) for pk, text in items}
    current = dict(
        Embedding.objects.filter(
            subject=subject, model_id=encoder.model_id, subject_id__in=list(hashes)
        ).values_list("subject_id", "text_sha256")
    )
    due = [(pk, text) for pk, text in items if current.get(pk) != hashes[pk]]
    if not due:
        return 0
    vectors = encoder.encode([clean(text) for _, text in due], batch_size=batch_size)
    # A re-embedded item gets a new row (a higher id), so a reader that remembers the highest id
    # it has read (the matcher cache) sees new and changed vectors with one indexed query.
    with transaction.atomic():
        Embedding.objects.filter(
            subject=subject, model_id=encoder.model_id, subject_id__in=[pk for pk, _ in due]
        ).delete()
        Embedding.objects.bulk_create(
            [
                Embedding(
                    subject=subject,
                    subject_id=pk,
                    model_id=encoder.model_id,
                    text_sha256=hashes[pk],
                    dim=int(vector.shape[0]),
                    vector=to_bytes(vector),
                )
                for (pk, _text), vector in zip(due, vectors, strict=True)
            ],
            # A concurrent job embedding the same text won; its row is as good.
            ignore_conflicts=True,
        )
    return len(due)


def embeddings_load(*, subject: str, model_id: str, ids: Sequence[int] | None = None):
    """Return the stored vectors of ``subject`` under ``model_id`` (only ``ids`` if given)."""
    rows = Embedding.objects.filter(subject=subject, model_id=model_id)
    if ids is not None:
        rows = rows.filter(subject_id__in=list(ids))
    found = list(rows.order_by("subject_id").values_list("subject_id", "dim", "vector"))
    if not found:
        return StoredVectors(ids=[], vectors=np.zeros((0, 1), dtype=np.float32))
    return StoredVectors(
        ids=[pk for pk, _, _ in found],
        vectors=np.vstack([from_bytes(vector, dim) for _, dim, vector in found]),
    )


def embeddings_prune(*, model_id: str) -> int:
    """Delete the vectors of every model but ``model_id``; return how many.

    Run only once every subject has a vector under ``model_id``, so matching never loses its
    corpus while a new model is being filled in.
    """
    deleted, _ = Embedding.objects.exclude(model_id=model_id).delete()
    return deleted
