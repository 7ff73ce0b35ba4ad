"""The fine-tuned check-worthiness network: the shipped file runs, and an altered one is refused."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path

import numpy as np
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


def test_every_product_of_the_shipped_network_runs_on_exact_unsigned_kernels():
    # Signed int8 weights make onnxruntime run U8S8 kernels, which saturate on CPUs with AVX2
    # and no VNNI: the same file then decided 35 of 3,376 held-out sentences differently.
    import onnx
    from onnx import numpy_helper

    network = onnx.load(str(NETWORK_PATH))
    initializers = {item.name: item for item in network.graph.initializer}
    products = [node for node in network.graph.node if node.op_type == "MatMulInteger"]
    assert len(products) == 37  # six layers of six, and the head
    for node in products:
        weights = numpy_helper.to_array(initializers[node.input[1]])
        zero = numpy_helper.to_array(initializers[node.input[3]])
        assert weights.dtype == np.uint8 and zero.dtype == np.uint8, node.name
        assert set(np.unique(zero)) == {128}, node.name


def test_unsigned_weights_keep_every_product_exact(tmp_path):
    """The export's last step changes how the weights are stored, never a product."""
    import onnx
    import onnxruntime
    from onnx import TensorProto, helper, numpy_helper

    from claims.extraction.finetune import unsigned_weights

    generator = np.random.default_rng(7)
    # Extreme weights and inputs: where 16-bit sums of two u8 × s8 products overflow.
    weights = generator.choice(np.array([-128, -127, 127], dtype=np.int8), size=(64, 16))
    inputs = generator.choice(np.array([0.0, 1.0], dtype=np.float32), size=(8, 64))
    graph = helper.make_graph(
        [
            helper.make_node("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xz"]),
            helper.make_node("MatMulInteger", ["xq", "w", "xz", "wz"], ["y"]),
        ],
        "product",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 64])],
        [helper.make_tensor_value_info("y", TensorProto.INT32, [8, 16])],
        [
            numpy_helper.from_array(weights, "w"),
            numpy_helper.from_array(np.zeros(16, dtype=np.int8), "wz"),
        ],
    )
    path = tmp_path / "product.onnx"
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path))

    assert unsigned_weights(path) == 1
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (product,) = session.run(["y"], {"x": inputs})
    quantized = np.round(inputs * 255).astype(np.int32)  # DynamicQuantizeLinear of 0..1
    assert np.array_equal(product, quantized @ weights.astype(np.int32))
    assert unsigned_weights(path) == 0  # already unsigned: nothing to do
