"""Tests for turning text, Markdown and HTML into plain text with paragraphs and links."""

import pytest

from claims.extraction import ExtractionError, extract
from claims.extraction.normalize import normalize, sniff_format


def paragraphs(document) -> list[str]:
    return [document.plain_text[start:end] for start, end in document.paragraphs]


def test_plain_text_is_kept_exactly_as_given():
    body = "  First line of a piece.\r\nSecond line, with “curly” quotes.  \n"
    assert normalize(body, fmt="text").plain_text == body


def test_plain_text_with_one_line_per_paragraph_makes_every_line_a_paragraph():
    body = (
        "A first paragraph written on one long line, as web editors export it. " * 3
        + "\n"
        + "A second paragraph, also on a line of its own, with no blank line before it. " * 3
    )
    assert len(normalize(body, fmt="text").paragraphs) == 2


def test_hard_wrapped_plain_text_joins_lines_until_a_blank_line():
    body = (
        "This paragraph was wrapped at a fixed width by an old\n"
        "mail client, so each of its lines is short and the\n"
        "sentence runs on.\n"
        "\n"
        "A second paragraph follows the blank line.\n"
    )
    assert paragraphs(normalize(body, fmt="text")) == [
        "This paragraph was wrapped at a fixed width by an old\n"
        "mail client, so each of its lines is short and the\n"
        "sentence runs on.",
        "A second paragraph follows the blank line.",
    ]


def test_short_lines_such_as_headlines_stay_paragraphs_of_their_own():
    body = (
        "Council approves budget\nThe council approved the budget on Monday after a long debate.\n"
    )
    assert paragraphs(normalize(body, fmt="text")) == [
        "Council approves budget",
        "The council approved the budget on Monday after a long debate.",
    ]


def test_html_drops_scripts_styles_iframes_and_comments():
    body = (
        "<html><head><title>Tab title</title><style>p { color: red }</style></head><body>"
        "<script>var secret = 'script text';</script><p>Visible words.<!-- a comment --></p>"
        "<iframe src='x'>iframe text</iframe><noscript>noscript text</noscript>"
        "<template><p>template text</p></template></body></html>"
    )
    assert normalize(body, fmt="html").plain_text == "Visible words."


def test_html_block_elements_become_paragraphs_separated_by_a_blank_line():
    body = "<h1>Headline</h1><div>First <b>bold</b> block.</div><ul><li>One item</li></ul>"
    document = normalize(body, fmt="html")
    assert document.plain_text == "Headline\n\nFirst bold block.\n\nOne item"
    assert paragraphs(document) == ["Headline", "First bold block.", "One item"]


def test_html_entities_are_decoded_and_whitespace_collapsed():
    body = "<p>Profits &amp; losses\n   rose &#8220;sharply&#8221;&nbsp;today.</p>"
    assert normalize(body, fmt="html").plain_text == "Profits & losses rose “sharply”\xa0today."


def test_html_links_span_their_anchor_text():
    body = '<p>The <a href="https://example.org/report">annual report</a> says so.</p>'
    document = normalize(body, fmt="html")
    (link,) = document.links
    assert link.href == "https://example.org/report"
    assert document.plain_text[link.start : link.end] == "annual report"


def test_javascript_links_are_not_links():
    document = normalize('<p>Click <a href="javascript:go()">here</a> now.</p>', fmt="html")
    assert document.links == ()


def test_markdown_loses_its_markup_but_keeps_words_and_links():
    body = (
        "# The headline\n\nSome *emphasis*, **strong** words and [a source](https://example.org).\n"
    )
    document = normalize(body, fmt="markdown")
    assert paragraphs(document) == [
        "The headline",
        "Some emphasis, strong words and a source.",
    ]
    (link,) = document.links
    assert (link.href, document.plain_text[link.start : link.end]) == (
        "https://example.org",
        "a source",
    )


def test_bare_urls_in_plain_text_are_links_spanning_the_url_without_trailing_punctuation():
    body = "The filing is at https://example.org/filings/123.\nSee also http://example.com."
    document = normalize(body, fmt="text")
    assert [(link.href, body[link.start : link.end]) for link in document.links] == [
        ("https://example.org/filings/123", "https://example.org/filings/123"),
        ("http://example.com", "http://example.com"),
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<!DOCTYPE html><html><body><p>Hi</p></body></html>", "html"),
        ("<p>A fragment of markup.</p>", "html"),
        ("# Title\n\nA paragraph.", "markdown"),
        ("See [the report](https://example.org) for details.", "markdown"),
        ("Plain prose. Nothing else, not even a < b or a > c comparison.", "text"),
    ],
)
def test_auto_format_sniffs_html_markdown_and_plain_text(body, expected):
    assert sniff_format(body) == expected
    assert extract(body).format == expected


def test_smart_quotes_hyphens_emoji_and_right_to_left_text_survive_unchanged():
    words = "“Long‑simmering” tension 🎉 أعلنت الشركة ‏שלום"
    for fmt, body in (("text", words), ("html", f"<p>{words}</p>"), ("markdown", words)):
        assert normalize(body, fmt=fmt).plain_text == words


def test_an_unknown_format_is_refused_with_the_accepted_ones_named():
    with pytest.raises(ExtractionError, match="use one of auto, text, markdown, html"):
        normalize("Some text.", fmt="pdf")


@pytest.mark.parametrize(
    ("body", "fmt"),
    [
        (
            "# The port's record year\n\nThe port moved 9.1 million containers in 2023.\n\n"
            "## What comes next\n\nThe council approved 40 million dollars in March 2024.",
            "markdown",
        ),
        (
            "<h1>The port's record year</h1><p>The port moved 9.1 million containers in 2023.</p>"
            "<h2>What comes <em>next</em></h2>"
            "<p>The council approved 40 million dollars in March 2024.</p>",
            "html",
        ),
    ],
)
def test_headings_stay_in_the_text_as_context_but_never_become_claims(body, fmt):
    from claims.extraction import extract

    document = normalize(body, fmt=fmt)
    headings = [document.plain_text[slice(*document.paragraphs[i])] for i in document.headings]
    assert headings == ["The port's record year", "What comes next"]
    result = extract(body, fmt=fmt)
    assert "The port's record year" in result.plain_text
    assert [a.text for a in result.assertions] == [
        "The port moved 9.1 million containers in 2023.",
        "The council approved 40 million dollars in March 2024.",
    ]
    # Claims keep their paragraph numbers in the whole text, headings counted.
    assert [a.paragraph for a in result.assertions] == [1, 3]


def headings_of(body: str) -> list[str]:
    document = normalize(body, fmt="text")
    return [document.plain_text[slice(*document.paragraphs[i])] for i in sorted(document.headings)]


@pytest.mark.parametrize(
    "body",
    [
        "A bridge too costly\nThe council spent 4 million dollars on the bridge in 2023.",
        "A bridge too costly\n\nThe council spent 4 million dollars on the bridge in 2023.",
        "  A bridge too costly  \n\n\nThe council spent 4 million dollars on the bridge.",
    ],
)
def test_a_short_first_line_of_plain_text_without_a_period_is_a_title(body):
    assert headings_of(body) == ["A bridge too costly"]


def test_a_short_line_standing_alone_between_blank_lines_is_a_heading():
    body = (
        "A bridge too costly\n\nThe council spent 4 million dollars on the bridge in 2023.\n\n"
        "What comes next\n\nThe council approved 40 million dollars in March 2024.\n"
        "Only two lines\nThe mayor said the work ends in May."
    )
    assert headings_of(body) == ["A bridge too costly", "What comes next"]


@pytest.mark.parametrize(
    "body",
    [
        "The port moved 9 million containers.\n\nIt was a record.",  # a sentence: a period
        "Unemployment fell to 3 percent",  # the whole piece: nothing to head
        "Unemployment fell to 3 percent\nin the year to March, the office said.",  # broken line
        "- 40 percent of the budget\n- 20 percent more than in 2022",  # a list
        "1. 40 percent of the budget\n\n2. 20 percent more than in 2022",
        "Did the bridge cost 4 million?\n\nThe council says so.",
        "The council spent 4 million dollars on the bridge in 2023 and 9 million dollars on the"
        " road that leads to it\n\nThat is a lot.",  # too long for a heading
        "2023\n\nThe port moved 9 million containers.",  # no words
    ],
)
def test_plain_text_lines_that_are_not_headings(body):
    assert headings_of(body) == []


def test_a_plain_text_title_is_kept_as_context_and_never_becomes_a_claim():
    from claims.extraction import extract

    body = (
        "A bridge too costly\n\nThe council spent 4.2 million dollars on the bridge in 2023.\n\n"
        "What comes next\n\nThe council approved 40 million dollars in March 2024."
    )
    result = extract(body, fmt="text")
    assert result.plain_text.startswith("A bridge too costly")
    assert [a.text for a in result.assertions] == [
        "The council spent 4.2 million dollars on the bridge in 2023.",
        "The council approved 40 million dollars in March 2024.",
    ]
    assert [a.paragraph for a in result.assertions] == [1, 3]
