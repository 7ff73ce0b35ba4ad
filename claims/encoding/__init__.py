"""One sentence encoder for the whole service, loaded once per process, without Django.

    from claims.encoding import get_encoder
    encoder = get_encoder()              # CLAIMS_ENCODER from the environment, else the default
    vectors = encoder.encode(["A sentence.", "Another one."])   # float32 (2, dim), unit rows
    encoder.model_id                     # store it beside every vector

Encoders are chosen by name (see ENCODERS): "minilm-int8" is the production model,
"hashing" a tiny deterministic stand-in for unit tests. A missing or altered model raises
EncoderUnavailable when it is loaded; nothing ever falls back to another model or a download.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

from .base import Encoder, EncoderUnavailable
from .hashing import HashingEncoder
from .minilm import MiniLMInt8Encoder

ENV_VARIABLE = "CLAIMS_ENCODER"
DEFAULT_ENCODER = "minilm-int8"


@dataclass(frozen=True)
class EncoderSpec:
    """How to load an encoder, and how to check its files without loading it."""

    load: Callable[[], Encoder]
    verify: Callable[[], None]


def _nothing_to_verify() -> None:
    return None


# name -> spec; the one place an encoder is declared.
ENCODERS: dict[str, EncoderSpec] = {
    "minilm-int8": EncoderSpec(load=MiniLMInt8Encoder.load, verify=MiniLMInt8Encoder.verify),
    "hashing": EncoderSpec(load=HashingEncoder, verify=_nothing_to_verify),
}


def default_encoder_name() -> str:
    """Return the encoder name the environment asks for, or the built-in default."""
    return os.environ.get(ENV_VARIABLE, "").strip() or DEFAULT_ENCODER


def get_encoder(name: str | None = None) -> Encoder:
    """Return the named encoder (None: CLAIMS_ENCODER or the default), loaded once per process.

    Raise EncoderUnavailable when the name is unknown, or when the model's package is missing
    or its files do not match the pinned sha256.
    """
    return _load(name or default_encoder_name())


def verify_encoder(name: str | None = None) -> None:
    """Check the named encoder's files against their pins without loading the model.

    Raise EncoderUnavailable as get_encoder() would; the startup system check calls this.
    """
    _spec(name or default_encoder_name()).verify()


@functools.cache
def _load(name: str) -> Encoder:
    return _spec(name).load()


def _spec(name: str) -> EncoderSpec:
    spec = ENCODERS.get(name)
    if spec is None:
        raise EncoderUnavailable(
            f"unknown sentence encoder {name!r} (set {ENV_VARIABLE} to one of: "
            f"{', '.join(sorted(ENCODERS))})"
        )
    return spec


def clear_cache() -> None:
    """Forget loaded encoders, so the next get_encoder() loads again (tests use this)."""
    _load.cache_clear()


__all__ = [
    "DEFAULT_ENCODER",
    "ENCODERS",
    "ENV_VARIABLE",
    "Encoder",
    "EncoderSpec",
    "EncoderUnavailable",
    "HashingEncoder",
    "MiniLMInt8Encoder",
    "clear_cache",
    "default_encoder_name",
    "get_encoder",
    "verify_encoder",
]
