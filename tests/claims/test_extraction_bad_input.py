"""Tests that bad input gives correct assertions or one clear line saying what is wrong."""

import pytest

from claims.extraction import (
    MAX_INPUT_BYTES,
    MAX_INPUT_CHARS,
    ExtractionError,
    decode_input,
    extract,
    score_sentence,
)
from claims.extraction.segment import MAX_SENTENCE_CHARS


def assert_one_line(error: pytest.ExceptionInfo) -> None:
    message = str(error.value)
    assert message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "the file is empty"),
        (b" \n\t\r\n  ", "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "NUL bytes"),
        (b"caf\xe9 au lait", "byte 0xe9 at offset 3"),
    ],
)
def test_undecodable_or_empty_uploads_are_refused_naming_the_file(raw, words):
    with pytest.raises(ExtractionError, match=words) as error:
        decode_input(raw, name="piece.txt")
    assert str(error.value).startswith("piece.txt: ")
    assert_one_line(error)


def test_a_byte_order_mark_is_dropped():
    assert decode_input("\ufeffHello.".encode(), name="bom.txt") == "Hello."


def test_a_twenty_megabyte_upload_is_refused_before_decoding():
    raw = b"All work and no play. " * (20 * 1024 * 1024 // 22 + 1)
    assert len(raw) > MAX_INPUT_BYTES
    with pytest.raises(ExtractionError, match="limit") as error:
        decode_input(raw, name="huge.txt")
    assert str(error.value).startswith("huge.txt: ")
    assert_one_line(error)


def test_a_body_beyond_the_character_limit_is_refused():
    with pytest.raises(ExtractionError, match="split it into smaller documents") as error:
        extract("word " * (MAX_INPUT_CHARS // 5 + 1))
    assert_one_line(error)


def test_a_string_with_nul_characters_is_refused_as_binary():
    with pytest.raises(ExtractionError, match="binary"):
        extract("Looks like text\x00but is not.")


def test_html_full_of_scripts_styles_and_iframes_gives_only_the_visible_claim():
    noise = "<script>var x = 'The company earned 9 billion dollars.';</script>" * 50
    html = (
        f"<html><head><style>body {{}}</style>{noise}</head><body>{noise}"
        "<iframe>Hidden frame text.</iframe><p>The mayor signed the budget in 2021.</p>"
        f"<noscript>Enable JavaScript.</noscript>{noise}</body></html>"
    )
    extraction = extract(html)
    assert extraction.plain_text == "The mayor signed the budget in 2021."
    assert [a.text for a in extraction.assertions] == ["The mayor signed the budget in 2021."]


def test_html_with_nothing_but_scripts_says_there_is_no_readable_text():
    with pytest.raises(ExtractionError, match="no readable text in the html input") as error:
        extract("<html><script>alert(1)</script><style>p {}</style></html>")
    assert_one_line(error)


def test_text_without_sentence_terminators_still_gives_assertions():
    body = "the council approved the budget\nthe mayor signed it the next day"
    extraction = extract(body)
    assert [a.text for a in extraction.assertions] == [
        "the council approved the budget",
        "the mayor signed it the next day",
    ]


def test_a_five_thousand_character_sentence_gives_bounded_exact_assertions():
    body = ", ".join(f"item {n} cost {n} dollars" for n in range(300)) + "."
    assert len(body) > 5_000
    extraction = extract(body)
    assert len(extraction.assertions) > 1
    for assertion in extraction.assertions:
        assert len(assertion.text) <= MAX_SENTENCE_CHARS
        assert body[assertion.start : assertion.end] == assertion.text


def test_right_to_left_text_and_emoji_keep_exact_offsets():
    body = (
        "أعلنت الشركة عن أرباح قياسية. 🚀 The launch slipped to 2025 👨‍👩‍👧 after tests.\n"
        "החברה דיווחה על הפסד. Profits fell 12% 📉 last year."
    )
    extraction = extract(body)
    assert extraction.plain_text == body
    texts = [a.text for a in extraction.assertions]
    assert "أعلنت الشركة عن أرباح قياسية." in texts
    assert "Profits fell 12% 📉 last year." in texts
    assert any("👨‍👩‍👧" in text for text in texts)
    for assertion in extraction.assertions:
        assert body[assertion.start : assertion.end] == assertion.text


def test_whitespace_given_straight_to_extract_says_there_is_no_text():
    with pytest.raises(ExtractionError, match="no text to extract") as error:
        extract(" \n\t \n")
    assert_one_line(error)


def test_a_long_line_of_unbalanced_quotation_marks_is_scored_without_a_quote():
    score, reasons = score_sentence("“an opening mark never closed " * 5_000)
    assert 0.0 <= score <= 1.0
    assert not any(reason.startswith("quotes someone") for reason in reasons)
