"""The fine-tuned check-worthiness network: all-MiniLM-L6-v2 with a logit head, int8 ONNX.

`manage.py train_checkworthiness --fine-tune` trains it (claims/extraction/finetune.py, torch)
and writes it next to the JSON artifact, which records its file name and sha256. Here it runs
on onnxruntime alone: the file is checked against that sha256 before a session is created, and
a missing or altered file is refused with an error naming it, never replaced by anything else.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from claims.encoding.base import EncoderUnavailable, sha256_of
from claims.encoding.minilm import PAD_TOKENS, minilm_tokenizer, onnx_session, padded_batches

MODEL_DIR = Path(__file__).resolve().parent / "model"


class NetworkUnavailable(RuntimeError):
    """The fine-tuned network's file is missing, altered, or onnxruntime is not installed."""


def verify_network(path: Path, expected_sha256: str) -> None:
    """Raise NetworkUnavailable unless the file at path exists and has the expected sha256."""
    if not path.is_file():
        raise NetworkUnavailable(
            f"the check-worthiness network {path} is missing; restore it from the repository "
            "or run `python manage.py train_checkworthiness --fine-tune`"
        )
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise NetworkUnavailable(
            f"the check-worthiness network {path} has sha256 {actual}, but the model artifact "
            f"expects {expected_sha256}: the file was altered or belongs to another training "
            "run; restore both files from the repository or retrain with "
            "`python manage.py train_checkworthiness --fine-tune`"
        )


class CheckworthinessNetwork:
    """Score statements with the fine-tuned network: one logit per text."""

    def __init__(self, session, tokenizer) -> None:
        self._session = session
        self._tokenizer = tokenizer

    @classmethod
    def load(
        cls, path: Path, sha256: str, max_tokens: int, *, threads: int | None = None
    ) -> CheckworthinessNetwork:
        """Verify the file against sha256 and open it; raise NetworkUnavailable otherwise."""
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise NetworkUnavailable(
                f"the check-worthiness network needs the package {error.name!r}; "
                "pip install -r requirements.txt"
            ) from None
        verify_network(path, sha256)
        try:
            tokenizer = minilm_tokenizer(Tokenizer, max_tokens)
        except EncoderUnavailable as error:
            raise NetworkUnavailable(str(error)) from None
        session = onnx_session(onnxruntime, path, threads=threads)
        return cls(session, tokenizer)

    def logits(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Return float64 logits, in the order of texts; each distinct text runs once."""
        distinct = list(dict.fromkeys(texts))
        values = np.zeros(len(distinct), dtype=np.float64)
        if distinct:
            # Rows of similar length together (at most PAD_TOKENS of padding a row): on CPU
            # padding costs as much as real tokens.
            for rows, ids, mask in padded_batches(self._tokenizer, distinct, batch_size):
                (logit,) = self._session.run(["logit"], {"input_ids": ids, "attention_mask": mask})
                values[rows] = logit
        if len(distinct) == len(texts):
            return values
        row = {text: index for index, text in enumerate(distinct)}
        return values[[row[text] for text in texts]]


@functools.cache
def load_network(path: Path, sha256: str, max_tokens: int) -> CheckworthinessNetwork:
    """Return the network at path, verified and opened once per process."""
    return CheckworthinessNetwork.load(path, sha256, max_tokens)


__all__ = [
    "MODEL_DIR",
    "PAD_TOKENS",
    "CheckworthinessNetwork",
    "NetworkUnavailable",
    "load_network",
    "verify_network",
]
