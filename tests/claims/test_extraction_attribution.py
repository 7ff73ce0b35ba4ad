"""Separating a statement from the quotation or attribution frame around it."""

import pytest

from claims.extraction.attribution import frame_of

STATEMENT = "Rents rose 11 percent in 2023."


@pytest.mark.parametrize(
    ("text", "frame", "quoted"),
    [
        ("“Rents rose 11 percent in 2023.”", None, True),
        ('"Rents rose 11 percent in 2023."', None, True),
        ("She said: “Rents rose 11 percent in 2023.”", "She said", True),
        ("“Rents rose 11 percent in 2023,” she said.", "she said", True),
        (
            "“Rents rose 11 percent in 2023,” said the housing minister.",
            "said the housing minister",
            True,
        ),
        (
            "According to the council, rents rose 11 percent in 2023.",
            "According to the council",
            False,
        ),
        (
            "Rents rose 11 percent in 2023, according to the council.",
            "according to the council",
            False,
        ),
        ("As the memo put it: ‘Rents rose 11 percent in 2023.’", "the memo put it", True),
        (
            "The minister told reporters that rents rose 11 percent in 2023.",
            "The minister told reporters",
            False,
        ),
        (
            "The tenants’ union says rents rose 11 percent in 2023.",
            "The tenants’ union says",
            False,
        ),
        ("Rents rose 11 percent in 2023, the report says.", "the report says", False),
    ],
)
def test_the_statement_is_the_same_whatever_the_frame(text, frame, quoted):
    framed = frame_of(text)
    assert framed.statement == STATEMENT
    assert framed.frame == frame
    assert framed.quoted is quoted


def test_a_quotation_interrupted_by_its_speaker_is_joined_back():
    framed = frame_of("“The plant,” she said, “will close in March.”")
    assert framed.statement == "The plant will close in March."
    assert framed.frame == "she said"


@pytest.mark.parametrize(
    "text",
    [
        STATEMENT,
        "Nobody said the reform would be easy.",
        "He never said the plant would close.",
        "Asked about the money, she said nothing.",
        "I say that the budget is a fantasy.",
        "What he says in the future depends on the polls.",
        "Some of the states that have the toughest laws have the highest crime.",
        "General Ridgway has said the same thing.",
        "Critics on the council called the timetable “wildly optimistic.”",
    ],
)
def test_the_writers_own_statements_are_left_whole(text):
    framed = frame_of(text)
    assert framed.statement == text
    assert framed.frame is None
    assert framed.reason is None


def test_the_frame_is_a_reason():
    assert (
        frame_of("She said: “Rents rose by a third.” ").reason
        == "attributed: scored without 'She said'"
    )
    assert (
        frame_of("“Rents rose by a third.”").reason == "quoted: scored without the quotation marks"
    )
