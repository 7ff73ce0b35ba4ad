"""Tests for splitting compound sentences into stand-alone assertions."""

import pytest

from claims.extraction.split import split_sentence


def halves(sentence: str) -> list[str]:
    return [sentence[start:end] for start, end in split_sentence(sentence, 0, len(sentence))]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Microsoft may still be its largest partner, but Amazon is now its anchor.",
            ["Microsoft may still be its largest partner", "Amazon is now its anchor."],
        ),
        (
            "The deal was signed on Friday; Contoso shares jumped ten percent.",
            ["The deal was signed on Friday", "Contoso shares jumped ten percent."],
        ),
        (
            "The board met on Monday, and Ann Lee resigned the next day.",
            ["The board met on Monday", "Ann Lee resigned the next day."],
        ),
        (
            "The port cut its fees in May, but regulators are still investigating the deal.",
            ["The port cut its fees in May", "regulators are still investigating the deal."],
        ),
    ],
)
def test_clauses_that_name_their_own_subject_are_split(sentence, expected):
    assert halves(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        # Issue 15's fragments: split off, they would read "it is no longer its anchor." and
        # "the cycle began again." with nothing to say what "it" or "the cycle" is.
        "Microsoft may still be its largest partner, but it is no longer its anchor.",
        "Instead, OpenAI walked away after failing to agree on terms with Oracle, and the cycle "
        "began again.",
        # A verb phrase's subject is in the other half.
        "Microsoft poured more than thirteen billion dollars into OpenAI and built its entire "
        "AI strategy around the company’s models.",
        "The deal was signed on Friday; the shares jumped ten percent.",
        "The company raised prices in May, and they lost customers by June.",
    ],
)
def test_a_fragment_that_would_lose_its_subject_is_not_split_off(sentence):
    assert halves(sentence) == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "OpenAI, in return, got the compute it needed to train GPT‑3, GPT‑4, and the models "
        "that followed.",
        "If you have followed the Microsoft and OpenAI relationship over the years, none of this "
        "should be a surprise.",
        "OpenAI wants to be cloud agnostic, investor agnostic, and accountability agnostic.",
        "Their partnership has always been a mix of ambition and friction.",
        "The shop sold apples, pears, and oranges at the weekend market.",
    ],
)
def test_lists_of_nouns_and_noun_phrases_are_not_split(sentence):
    assert halves(sentence) == [sentence]


def test_a_conjunction_inside_a_quotation_is_never_a_split_point():
    sentence = "The memo said “we built the product and we sold it ourselves” in plain words."
    assert halves(sentence) == [sentence]


def test_split_offsets_point_into_the_whole_document():
    text = "Intro. The company raised prices in May, and Contoso lost customers by June."
    start = text.index("The company")
    spans = split_sentence(text, start, len(text))
    assert [text[a:b] for a, b in spans] == [
        "The company raised prices in May",
        "Contoso lost customers by June.",
    ]
