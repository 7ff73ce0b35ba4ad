"""Claims are marked at their exact offsets, escaped, whatever the text around them holds."""

from reviews.highlight import Mark, highlight, highlight_paragraphs, paragraph_bounds, place


def mark_of(text: str, snippet: str, **kwargs) -> Mark:
    start = text.index(snippet)
    return Mark(start, start + len(snippet), **kwargs)


def test_a_mark_wraps_exactly_the_claims_characters():
    text = "Before. The bridge cost 4 million dollars. After."
    html = highlight(text, [mark_of(text, "The bridge cost 4 million dollars.", tone="false")])
    assert html == (
        'Before. <mark class="claim-mark rating-false">The bridge cost 4 million dollars.</mark>'
        " After."
    )


def test_entities_and_curly_quotes_do_not_shift_the_mark():
    text = "AT&T said “profits rose 5% <fast>” & ‘more’. Then the claim: R&D cost €4 ‘bn’."
    claim = "R&D cost €4 ‘bn’."
    html = str(highlight(text, [mark_of(text, claim, tone="true")]))
    assert '<mark class="claim-mark rating-true">R&amp;D cost €4 ‘bn’.</mark>' in html
    assert html.startswith("AT&amp;T said “profits rose 5% &lt;fast&gt;” &amp; ‘more’.")
    assert html.endswith("</mark>")


def test_text_that_already_holds_an_entity_is_shown_as_written():
    text = "The memo says &amp; means and. Profits fell &lt;5%&gt; in 2023."
    html = str(highlight(text, [mark_of(text, "Profits fell &lt;5%&gt; in 2023.")]))
    assert "Profits fell &amp;lt;5%&amp;gt; in 2023.</mark>" in html


def test_a_claim_holding_a_script_tag_stays_text():
    text = 'He wrote <script>alert("x")</script> in the memo. It cost 5 dollars.'
    html = str(
        highlight(
            text,
            [mark_of(text, 'He wrote <script>alert("x")</script> in the memo.', tone="false")],
        )
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_linked_mark_names_its_rating_in_words_and_carries_the_anchor():
    text = "One. Two is the claim. Three."
    html = str(
        highlight(
            text,
            [
                mark_of(
                    text,
                    "Two is the claim.",
                    tone="mostly-true",
                    label="Mostly true",
                    href="/verdicts/7/",
                    anchor="claim-3",
                )
            ],
        )
    )
    assert '<a class="claim-link" href="/verdicts/7/" id="claim-3">' in html
    assert '<span class="visually-hidden">, rated</span> Mostly true</span></a>' in html


def test_label_text_is_escaped_too():
    text = "A claim."
    html = str(highlight(text, [Mark(0, 8, tone="x", label="<b>Bold</b>", href="/v/?a=1&b=2")]))
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    assert 'href="/v/?a=1&amp;b=2"' in html


def test_overlapping_marks_are_clipped_and_a_contained_one_dropped():
    placed = place([Mark(0, 10, anchor="a"), Mark(5, 15, anchor="b"), Mark(2, 4, anchor="c")], 20)
    assert [(m.start, m.end, m.anchor) for m in placed] == [(0, 10, "a"), (10, 15, "b")]


def test_marks_outside_the_text_are_clipped_to_it():
    assert [(m.start, m.end) for m in place([Mark(5, 99)], 10)] == [(5, 10)]
    assert place([Mark(12, 15)], 10) == []


def test_paragraphs_are_the_non_blank_lines():
    text = "First line.\n\nSecond line.\n  \nThird."
    assert [text[s:e] for s, e in paragraph_bounds(text)] == [
        "First line.",
        "Second line.",
        "Third.",
    ]


def test_a_mark_across_a_paragraph_break_is_marked_in_both_and_labelled_once():
    text = "Para one ends here.\nPara two starts here."
    mark = Mark(9, 28, tone="false", label="False", href="/verdicts/1/", anchor="claim-1")
    first, second = (str(p) for p in highlight_paragraphs(text, [mark]))
    assert 'id="claim-1"' in first and 'id="claim-1"' not in second
    assert "False" not in first and "False</span></a>" in second
    assert first.startswith("Para one ") and ">ends here.</mark>" in first
    assert ">Para two</mark>" in second


def test_text_without_marks_is_only_escaped():
    assert str(highlight("a < b & c", [])) == "a &lt; b &amp; c"
