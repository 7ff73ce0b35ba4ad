"""What every sentence encoder offers, and the error a missing or altered model raises."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


class EncoderUnavailable(RuntimeError):
    """The encoder cannot be loaded: its package is missing or its files are not the pinned ones."""


@runtime_checkable
class Encoder(Protocol):
    """Turn sentences into unit-length float32 vectors."""

    #: Names the model and its weights, e.g. "all-MiniLM-L6-v2-int8@8199be6f699a"; stored
    #: beside every vector so that vectors from different models are never compared.
    model_id: str
    dim: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Return a float32 array of shape (len(texts), dim) whose rows have L2 norm 1."""
        ...


# (path, device, inode, size, mtime, ctime) -> sha256: a file is hashed once per process. Any
# write to the file changes its mtime and ctime (ctime cannot be set back by the writer), so
# an altered file is hashed again and refused.
_DIGESTS: dict[tuple, str] = {}


def sha256_of(path: Path) -> str:
    """Return the hex sha256 of the file at path, computed once per process per file version."""
    stat = os.stat(path)
    key = (
        str(Path(path).resolve()),
        stat.st_dev,
        stat.st_ino,
        stat.st_size,
        stat.st_mtime_ns,
        stat.st_ctime_ns,
    )
    if (known := _DIGESTS.get(key)) is None:
        known = _DIGESTS[key] = _hash_file(path)
    return known


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_file(path: Path, expected_sha256: str, *, package: str) -> None:
    """Raise EncoderUnavailable unless the file at path exists and has the expected sha256."""
    if not path.is_file():
        raise EncoderUnavailable(f"{path} is missing; reinstall the package {package!r}")
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise EncoderUnavailable(
            f"{path} has sha256 {actual}, expected {expected_sha256}: the file was altered or "
            f"a different release of {package!r} is installed; install the pinned version "
            "from requirements.txt"
        )


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Return matrix as float32 with every row scaled to unit L2 norm (zero rows stay zero)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, np.float32(1e-12))
