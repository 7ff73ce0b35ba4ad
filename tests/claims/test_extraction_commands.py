"""Tests for the extract_claims and train_checkworthiness management commands."""

import io
import json
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.extraction import training

SAMPLE = Path(__file__).parents[2] / "seeds" / "openai-microsoft-bedrock-opinion.txt"
KEYS = ["text", "start", "end", "paragraph", "sentence", "score", "checkworthy", "reasons"]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_extract_claims_prints_one_json_object_per_assertion_in_document_order():
    records = [json.loads(line) for line in run("extract_claims", str(SAMPLE)).splitlines()]
    body = SAMPLE.read_text(encoding="utf-8")
    assert len(records) > 30
    assert all(list(record) == KEYS for record in records)
    assert [r["start"] for r in records] == sorted(r["start"] for r in records)
    assert all(body[r["start"] : r["end"]] == r["text"] for r in records)
    blunt = next(r for r in records if r["text"] == "The memo’s tone is strikingly blunt.")
    assert blunt["checkworthy"] is False


def test_extract_claims_as_text_marks_checkworthy_assertions_and_lists_reasons():
    output = run("extract_claims", str(SAMPLE), "--format", "text")
    line = next(line for line in output.splitlines() if "thirteen billion" in line)
    assert " check " in line
    assert "      - contains a figure: thirteen billion dollars" in output


def test_extract_claims_reads_standard_input(monkeypatch):
    stdin = io.TextIOWrapper(io.BytesIO(b"The council approved a budget of 4 million dollars."))
    monkeypatch.setattr(sys, "stdin", stdin)
    (record,) = [json.loads(line) for line in run("extract_claims", "-").splitlines()]
    assert record["text"] == "The council approved a budget of 4 million dollars."


def test_extract_claims_lines_scores_each_line_and_keeps_numbering_across_blank_lines(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text(
        "Microsoft invested thirteen billion dollars.\n\nThe tone is blunt. And awkward.\n",
        encoding="utf-8",
    )
    records = [
        json.loads(line) for line in run("extract_claims", str(path), "--lines").splitlines()
    ]
    assert [(r["line"], r["text"]) for r in records] == [
        (1, "Microsoft invested thirteen billion dollars."),
        (3, "The tone is blunt. And awkward."),
    ]
    assert [r["checkworthy"] for r in records] == [True, False]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "it is empty"),
        (b"\x00\x01\x02binary", "NUL bytes"),
        (b"\xff\xfe not utf-8", "not valid UTF-8"),
        (b"<script>alert(1)</script><style>p {}</style>", "no readable text"),
    ],
)
def test_extract_claims_turns_bad_input_into_one_line_naming_the_file(tmp_path, content, words):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=words) as error:
        run("extract_claims", str(path))
    assert str(error.value).startswith(f"{path}: ")
    assert "\n" not in str(error.value)


def test_extract_claims_says_when_the_file_does_not_exist(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(CommandError, match=r"missing\.txt: cannot read it"):
        run("extract_claims", str(missing))


def test_train_checkworthiness_writes_identical_json_twice_and_prints_dev_scores(tmp_path):
    with open(training.TRAIN_PATH, encoding="utf-8") as handle:
        lines = handle.readlines()
    train, dev = tmp_path / "train.tsv", tmp_path / "dev.tsv"
    train.write_text("".join(lines[:400]), encoding="utf-8")
    dev.write_text(lines[0] + "".join(lines[400:500]), encoding="utf-8")
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    # The shipped artifact's code path, at small scale, with the tiny test encoder.
    options = ["--train", str(train), "--dev", str(dev), "--encoder", "hashing"]
    options += ["--cache-dir", str(tmp_path / "cache")]
    output = run("train_checkworthiness", *options, "--output", str(first))
    run("train_checkworthiness", *options, "--output", str(second))
    assert first.read_bytes() == second.read_bytes()
    assert "chosen by 5-fold cross-validation: TF-IDF" in output
    assert "train, 5-fold cross-validated, final score >= 0.5: P=" in output
    assert "dev (reported once, chose nothing): P=" in output


def test_train_checkworthiness_names_a_missing_training_file(tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.tsv: cannot read it"):
        run(
            "train_checkworthiness",
            "--train",
            str(tmp_path / "nowhere.tsv"),
            "--output",
            str(tmp_path / "m.json"),
        )
