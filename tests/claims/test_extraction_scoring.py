"""Tests for check-worthiness scores, their reasons, and the model artifact behind them."""

import csv
import json
from pathlib import Path

import pytest

from claims.extraction import CHECKWORTHY_THRESHOLD, score_sentence, training
from claims.extraction.model import ARTIFACT_PATH, CheckworthinessModel

DATA = Path(__file__).parent / "data"


def test_scores_are_probabilities_and_always_carry_the_model_reason():
    score, reasons = score_sentence("The council met on Tuesday.")
    assert 0.0 <= score <= 1.0
    assert reasons[-1].startswith("model: ")
    assert reasons[-1].endswith("similar to check-worthy debate claims")


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        (
            "Microsoft poured more than thirteen billion dollars into OpenAI.",
            "contains a figure: thirteen billion dollars",
        ),
        (
            "It was a five-hundred-billion-dollar project.",
            "contains a figure: five-hundred-billion-dollar",
        ),
        ("Inflation reached 9.1 percent that summer.", "contains a figure: 9.1 percent"),
        ("According to reporting, the firm is weighing a sale.", "attributed to reporting"),
        (
            "OpenAI complained that Microsoft could not keep up.",
            "attributes the claim: 'complained that'",
        ),
        (
            "The memo said it “limited our ability to meet enterprises where they are.”",
            "quotes someone: “limited our ability to …”",
        ),
        ("OpenAI walked away from the talks.", "reports an event: 'walked away'"),
        ("The memo’s tone is strikingly blunt.", "evaluative language: 'strikingly blunt'"),
        ("If you have followed this, it is no surprise.", "hypothetical: 'If you have'"),
        ("The vote took place in March 2019.", "gives a date: in March 2019"),
    ],
)
def test_each_signal_is_reported_in_words_a_person_can_check(sentence, reason):
    assert reason in score_sentence(sentence)[1]


def test_numbers_hidden_inside_words_are_not_figures():
    _, reasons = score_sentence("Yet even in the early days, the tension was often visible.")
    assert not any(reason.startswith("contains a figure") for reason in reasons)


def test_a_product_name_with_a_number_is_not_a_figure():
    _, reasons = score_sentence("OpenAI trained GPT‑3 and GPT‑4 on that hardware.")
    assert not any(reason.startswith("contains a figure") for reason in reasons)


def test_a_question_scores_lower_than_the_same_words_stated():
    statement, _ = score_sentence("The project went over budget by two million dollars.")
    question, reasons = score_sentence("Did the project go over budget by two million dollars?")
    assert question < statement
    assert "asks a question rather than stating something" in reasons


def test_first_person_opinion_scores_lower_than_the_bare_claim():
    bare, _ = score_sentence("The governor cut the school budget in 2021.")
    opinion, _ = score_sentence("I think the governor cut the school budget in 2021.")
    assert opinion < bare


def test_quoted_words_are_the_source_speaking_not_the_writer():
    _, reasons = score_sentence("The chief executive wrote that “we should have moved faster.”")
    assert not any(reason.startswith("evaluative language") for reason in reasons)
    assert not any(reason.startswith("speaks as") for reason in reasons)


def test_the_labelled_opinion_prose_sample_is_mostly_labelled_right():
    with open(DATA / "opinion_prose.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    predicted = [score_sentence(row["text"])[0] >= CHECKWORTHY_THRESHOLD for row in rows]
    actual = [row["checkworthy"] == "Yes" for row in rows]
    true_positives = sum(p and a for p, a in zip(predicted, actual, strict=True))
    assert true_positives / sum(predicted) >= 0.85
    assert true_positives / sum(actual) >= 0.85


def test_the_shipped_artifact_is_plain_json_with_its_attribution():
    data = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    assert data["format"] == 1
    assert "ClaimBuster" in data["attribution"]
    assert "CC BY 4.0" in data["attribution"]
    assert set(data["vocabulary"]) == {"words", "chars"}


@pytest.fixture
def small_training_set(tmp_path: Path) -> tuple[Path, Path]:
    """Write a few hundred training rows and a hundred dev rows, enough for five folds."""
    with open(training.TRAIN_PATH, encoding="utf-8") as handle:
        lines = handle.readlines()
    train, dev = tmp_path / "train.tsv", tmp_path / "dev.tsv"
    train.write_text("".join(lines[:500]), encoding="utf-8")
    dev.write_text(lines[0] + "".join(lines[500:600]), encoding="utf-8")
    return train, dev


def test_training_twice_writes_byte_identical_json(small_training_set, tmp_path):
    train, dev = small_training_set
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    training.train(train_path=train, dev_path=dev, output=first)
    training.train(train_path=train, dev_path=dev, output=second)
    assert first.read_bytes() == second.read_bytes()


def test_runtime_scoring_from_json_matches_sklearn(small_training_set):
    train, _ = small_training_set
    texts, labels = training.load_tsv(train)
    _, matrix = training._vectorize(texts)
    expected = training._classifier().fit(matrix, labels).predict_proba(matrix)[:, 1]
    model = CheckworthinessModel.from_dict({**training._fit(texts, labels), "bias": 0.0})
    for text, probability in zip(texts[:50], expected[:50], strict=True):
        assert model.probability(text) == pytest.approx(probability, abs=1e-4)


def test_a_row_whose_line_break_was_lost_upstream_is_read_as_two_sentences(tmp_path):
    path = tmp_path / "glued.tsv"
    path.write_text(
        "Sentence_id\tText\tclass_label\n1\tWe cut taxes.\tNo2\tTaxes rose.\tYes\n",
        encoding="utf-8",
    )
    assert training.load_tsv(path) == (["We cut taxes.", "Taxes rose."], [0, 1])
