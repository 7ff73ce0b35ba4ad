"""A claim attributed to someone in the piece is that speaker's, not the columnist's."""

import pytest

from claims.extraction.claimant import speaker
from claims.services import article_ingest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("OpenAI complained that Microsoft was slow to ship the models.", "OpenAI"),
        ("Satya Nadella said the deal was fair.", "Satya Nadella"),
        ("In March, Sam Altman told reporters that revenue doubled.", "Sam Altman"),
        ("According to Reuters, the talks collapsed in May.", "Reuters"),
        ("Ursula von der Leyen said the rules would apply.", "Ursula von der Leyen"),
        ("The memo says profits fell by a third.", ""),
        ("Critics argued that the plan failed.", ""),
        ("He said it was fine.", ""),
        ("Microsoft poured more than thirteen billion dollars into OpenAI.", ""),
    ],
)
def test_the_speaker_is_the_named_person_or_body_before_a_verb_of_saying(text, expected):
    assert speaker(text) == expected


@pytest.mark.django_db
def test_ingestion_records_the_speaker_else_the_author_as_claimant():
    article = article_ingest(
        body=(
            "OpenAI complained that Microsoft was slow to ship the models in 2024. "
            "Microsoft poured thirteen billion dollars into the company."
        ),
        title="Two claims",
        author="Jane Columnist",
    ).article
    claimants = dict(article.claims.values_list("text", "claimant"))
    assert claimants == {
        "OpenAI complained that Microsoft was slow to ship the models in 2024.": "OpenAI",
        "Microsoft poured thirteen billion dollars into the company.": "Jane Columnist",
    }
