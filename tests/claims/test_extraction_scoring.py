"""Tests for check-worthiness scores, their reasons, and the model artifact behind them."""

import csv
import json
from pathlib import Path

import pytest

from claims.encoding import get_encoder
from claims.extraction import CHECKWORTHY_THRESHOLD, score_sentence, score_sentences, training
from claims.extraction.model import ARTIFACT_PATH, CheckworthinessModel, ModelError

DATA = Path(__file__).parent / "data"
# Measured on the shipped model (BENCHMARKS.md), less a margin; a model that does worse on
# opinion prose than this is a regression.
PROSE_PRECISION_AT_LEAST = 0.80
PROSE_RECALL_AT_LEAST = 0.80


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
        (
            "According to reporting, the firm is weighing a sale.",
            "attributed: scored without 'According to reporting'",
        ),
        (
            "OpenAI complained that Microsoft could not keep up.",
            "attributed: scored without 'OpenAI complained'",
        ),
        ("Sources said the firm is weighing a sale.", "attributed: scored without 'Sources said'"),
        ("“Rents rose by a third.”", "quoted: scored without the quotation marks"),
        (
            "Critics on the council called the timetable “wildly optimistic and vague.”",
            "quotes someone: “wildly optimistic and vague.”",
        ),
        (
            "The memo said it “limited our ability to meet enterprises where they are.”",
            "attributed: scored without 'The memo said'",
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


@pytest.mark.parametrize(
    "framed",
    [
        "“The governor cut the school budget in 2021.”",
        "She said: “The governor cut the school budget in 2021.”",
        "“The governor cut the school budget in 2021,” the union said.",
        "According to the union, the governor cut the school budget in 2021.",
        "The governor cut the school budget in 2021, according to the union.",
        "As the memo put it: ‘The governor cut the school budget in 2021.’",
        "The union told reporters that the governor cut the school budget in 2021.",
    ],
)
def test_quoting_or_attributing_a_statement_leaves_its_score_alone(framed):
    plain, _ = score_sentence("The governor cut the school budget in 2021.")
    score, reasons = score_sentence(framed)
    assert score == plain
    assert reasons[0].startswith(("attributed: scored without", "quoted: scored without"))


def test_a_quoted_opinion_is_still_an_opinion():
    plain, _ = score_sentence("The new stadium is a monument to civic vanity.")
    quoted, _ = score_sentence("She said: “The new stadium is a monument to civic vanity.”")
    assert quoted == plain < CHECKWORTHY_THRESHOLD


def test_quotation_and_attribution_flip_at_most_five_percent_of_decisions():
    # 60 opinion-prose sentences written for this test, each plain, quoted and attributed.
    with open(DATA / "quote_invariance.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) >= 60
    forms = ("plain", "quoted", "attributed")
    scores = score_sentences([row[form] for row in rows for form in forms])
    decisions = [score >= CHECKWORTHY_THRESHOLD for score, _ in scores]
    flips = sum(
        decisions[i] != decisions[i + other]
        for i in range(0, len(decisions), 3)
        for other in (1, 2)
    )
    assert flips <= 0.05 * 2 * len(rows)
    # Not vacuous: the set holds both decisions.
    assert 0.25 < sum(decisions[::3]) / len(rows) < 0.75


def test_the_labelled_opinion_prose_set_is_mostly_labelled_right():
    with open(DATA / "opinion_prose.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) >= 200
    predicted = [
        score >= CHECKWORTHY_THRESHOLD
        for score, _ in score_sentences([row["text"] for row in rows])
    ]
    actual = [row["checkworthy"] == "Yes" for row in rows]
    true_positives = sum(p and a for p, a in zip(predicted, actual, strict=True))
    assert true_positives / sum(predicted) >= PROSE_PRECISION_AT_LEAST
    assert true_positives / sum(actual) >= PROSE_RECALL_AT_LEAST


def test_the_shipped_artifact_is_plain_json_with_its_attribution():
    data = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    assert data["format"] == 3
    assert "ClaimBuster" in data["attribution"]
    assert "CC BY 4.0" in data["attribution"]
    assert set(data["vocabulary"]) == {"words", "chars"}
    if data["encoder"] is not None:
        assert data["encoder"]["model_id"] == get_encoder(data["encoder"]["name"]).model_id
        assert len(data["encoder"]["coefficients"]) == get_encoder(data["encoder"]["name"]).dim


def test_an_artifact_trained_with_another_encoder_is_refused(tmp_path):
    data = json.loads(ARTIFACT_PATH.read_text(encoding="utf-8"))
    data["encoder"] = {
        "name": "hashing",
        "model_id": "some-other-model@000000000000",
        "scale": 1.0,
        "coefficients": [0.0] * 256,
    }
    model = CheckworthinessModel.from_dict(data)
    with pytest.raises(ModelError, match="trained with encoder some-other-model"):
        model.probability("The council met on Tuesday.")


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
    # The same code path as the shipped artifact, at small scale and with the test encoder.
    train, dev = small_training_set
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    report = training.train(
        train_path=train, dev_path=dev, output=first, encoder="hashing", cache_dir=None
    )
    training.train(train_path=train, dev_path=dev, output=second, encoder="hashing", cache_dir=None)
    assert first.read_bytes() == second.read_bytes()
    data = json.loads(first.read_text(encoding="utf-8"))
    tried = [row["config"] for row in data["training"]["cross_validation"]]
    assert "TF-IDF, C=1" in tried and "TF-IDF + encoder x1, C=1" in tried
    assert report.dev is not None and report.dev.support == 100
    assert report.chosen


@pytest.mark.parametrize("scale", [0.0, 2.0])
def test_runtime_scoring_from_json_matches_sklearn(small_training_set, scale):
    train, _ = small_training_set
    texts, labels = training.load_tsv(train)
    vectors = get_encoder("hashing").encode(texts)
    _, matrix = training._vectorize(texts)
    expected = (
        training._classifier()
        .fit(training._with_vectors(matrix, vectors, scale), labels)
        .decision_function(training._with_vectors(matrix, vectors, scale))
    )
    artifact = training._fit(texts, labels, vectors, scale, training.FIRST_REGULARIZATION)
    if artifact["encoder"] is not None:
        artifact["encoder"].update(name="hashing", model_id=get_encoder("hashing").model_id)
    artifact["combination"] = {"model_weight": 1.0, "signal_weight": 0.0, "bias": 0.0}
    model = CheckworthinessModel.from_dict(artifact)
    assert model.logits(texts[:50]) == pytest.approx(list(expected[:50]), abs=1e-3)


def test_a_row_whose_line_break_was_lost_upstream_is_read_as_two_sentences(tmp_path):
    path = tmp_path / "glued.tsv"
    path.write_text(
        "Sentence_id\tText\tclass_label\n1\tWe cut taxes.\tNo2\tTaxes rose.\tYes\n",
        encoding="utf-8",
    )
    assert training.load_tsv(path) == (["We cut taxes.", "Taxes rose."], [0, 1])
