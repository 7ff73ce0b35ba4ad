"""The fine-tuned check-worthiness network: the shipped file runs, and an altered one is refused."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError

from claims.extraction import model as model_module
from claims.extraction import pipeline, training
from claims.extraction.model import ARTIFACT_PATH, ModelError, load_model
from claims.extraction.normalize import ExtractionError
from claims.extraction.pipeline import CHECKWORTHY_THRESHOLD, score_sentences

SHIPPED = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
NETWORK_PATH = ARTIFACT_PATH.parent / SHIPPED["network"]["file"]


def test_the_shipped_network_is_the_file_the_artifact_pins_and_under_100_mb():
    assert SHIPPED["format"] == 3
    assert hashlib.sha256(NETWORK_PATH.read_bytes()).hexdigest() == SHIPPED["network"]["sha256"]
    assert NETWORK_PATH.stat().st_size < 100 * 1024 * 1024
    assert SHIPPED["network"]["max_tokens"] == 64
    assert SHIPPED["combination"]["network_weight"] > 0


def test_the_real_fine_tuned_network_separates_a_checkable_claim_from_an_opinion():
    model = load_model(ARTIFACT_PATH)
    claim = "Unemployment fell from 7.8 percent to 4.1 percent between 2012 and 2016."
    opinion = "I just think that this is a beautiful day for all of us."
    claim_logit, opinion_logit = model.network_logits([claim, opinion])
    assert claim_logit > 0 > opinion_logit
    (claim_score, reasons), (opinion_score, _) = score_sentences([claim, opinion])
    assert claim_score >= CHECKWORTHY_THRESHOLD > opinion_score
    assert reasons[-1].startswith("model: ")


def test_the_network_scores_a_text_the_same_alone_or_in_a_batch():
    model = load_model(ARTIFACT_PATH)
    texts = [
        "The state spent $3 billion on prisons last year.",
        "We will win.",
        "The state spent $3 billion on prisons last year.",
        "Our schools have lost 4,000 teachers since 2010, according to the union.",
    ]
    batched = model.network_logits(texts)
    alone = [model.network_logits([text])[0] for text in texts]
    assert batched == pytest.approx(alone, abs=1e-4)
    assert batched[0] == batched[2]


def _copy_artifact(tmp_path: Path) -> tuple[Path, Path]:
    artifact = tmp_path / ARTIFACT_PATH.name
    network = tmp_path / NETWORK_PATH.name
    shutil.copyfile(ARTIFACT_PATH, artifact)
    shutil.copyfile(NETWORK_PATH, network)
    return artifact, network


def test_an_altered_network_file_is_refused_naming_the_file(tmp_path):
    artifact, network = _copy_artifact(tmp_path)
    with open(network, "ab") as handle:
        handle.write(b"\0")
    model = load_model(artifact)
    named = re.escape(str(network))
    with pytest.raises(ModelError, match=rf"network {named} has sha256 .* expects"):
        model.check_network()
    with pytest.raises(ModelError, match="altered"):
        model.network_logits(["The council met on Tuesday."])


def test_a_missing_network_file_is_refused_naming_the_file(tmp_path):
    artifact, network = _copy_artifact(tmp_path)
    network.unlink()
    with pytest.raises(ModelError, match=rf"network {re.escape(str(network))} is missing"):
        load_model(artifact).check_network()


def test_extraction_with_an_altered_network_is_a_clear_error(tmp_path, monkeypatch):
    artifact, network = _copy_artifact(tmp_path)
    network.write_bytes(network.read_bytes()[:-1])
    monkeypatch.setattr(pipeline, "ARTIFACT_PATH", artifact)
    with pytest.raises(ExtractionError, match=r"check-worthiness network .* has sha256"):
        pipeline.extract("The council met on Tuesday. It spent 4 million dollars.")


@pytest.mark.django_db
def test_startup_check_refuses_an_altered_network(tmp_path, monkeypatch):
    artifact, network = _copy_artifact(tmp_path)
    with open(network, "ab") as handle:
        handle.write(b"\0")
    monkeypatch.setattr(model_module, "ARTIFACT_PATH", artifact)
    with pytest.raises(SystemCheckError, match=r"claims\.E002.*check-worthiness network"):
        call_command("check")


@pytest.mark.django_db
def test_startup_check_passes_with_the_shipped_files():
    call_command("check")


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is not None, reason="torch is installed: it would train"
)
def test_fine_tuning_without_the_training_requirements_is_a_clear_error(tmp_path):
    lines = training.TRAIN_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    train = tmp_path / "train.tsv"
    train.write_text("".join(lines[:200]), encoding="utf-8")
    with pytest.raises(CommandError, match=r"torch.*requirements-train\.txt"):
        call_command(
            "train_checkworthiness",
            "--fine-tune",
            "--train",
            str(train),
            "--output",
            str(tmp_path / "model.json"),
            "--cache-dir",
            str(tmp_path / "cache"),
        )
