"""Tests for sentence segmentation: abbreviations, quotes, decimals and runaway sentences."""

from claims.extraction.segment import MAX_SENTENCE_CHARS, segment


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in segment(text, [(0, len(text))])]


def test_abbreviations_do_not_end_sentences():
    text = "Mr. Smith met Dr. Jones in the U.S. capital on Tuesday. They talked for an hour."
    assert sentences(text) == [
        "Mr. Smith met Dr. Jones in the U.S. capital on Tuesday.",
        "They talked for an hour.",
    ]


def test_decimal_figures_do_not_end_sentences():
    text = "Revenue reached 3.5 billion dollars. Costs fell 2.75 percent."
    assert sentences(text) == ["Revenue reached 3.5 billion dollars.", "Costs fell 2.75 percent."]


def test_initials_do_not_end_sentences():
    text = "J. R. R. Tolkien taught at Oxford. He wrote in the evenings."
    assert sentences(text) == ["J. R. R. Tolkien taught at Oxford.", "He wrote in the evenings."]


def test_a_closing_quote_stays_with_its_sentence():
    text = "She said “the deal is done.” Then she left the room!"
    assert sentences(text) == ["She said “the deal is done.”", "Then she left the room!"]


def test_text_without_terminators_still_gives_one_sentence_per_paragraph():
    text = "no full stop anywhere in this line\nnor in this one"
    spans = segment(text, [(0, 34), (35, len(text))])
    assert [(text[s.start : s.end], s.paragraph) for s in spans] == [
        ("no full stop anywhere in this line", 0),
        ("nor in this one", 1),
    ]


def test_a_five_thousand_character_sentence_is_cut_at_commas_into_bounded_pieces():
    text = ", ".join(f"clause number {n} of a very long list" for n in range(200)) + "."
    assert len(text) > 5_000
    pieces = sentences(text)
    assert len(pieces) > 1
    assert all(len(piece) <= MAX_SENTENCE_CHARS for piece in pieces)
    assert " ".join(pieces).split() == text.split()
    assert all(piece.endswith(",") for piece in pieces[:-1])


def test_an_unbroken_run_without_spaces_is_cut_into_bounded_pieces():
    text = "x" * 5_000
    pieces = sentences(text)
    assert "".join(pieces) == text
    assert all(len(piece) <= MAX_SENTENCE_CHARS for piece in pieces)


def test_sentence_spans_are_exact_slices_with_offsets_past_the_first_paragraph():
    text = "Intro line.\n\nThe second paragraph starts here. It has two sentences."
    spans = segment(text, [(0, 11), (13, len(text))])
    assert [(text[s.start : s.end], s.paragraph) for s in spans] == [
        ("Intro line.", 0),
        ("The second paragraph starts here.", 1),
        ("It has two sentences.", 1),
    ]
