"""Passages keep exact offsets, and the passage about the claim ranks first."""

from __future__ import annotations

import itertools
import re

import pytest

from claims.ranking import (
    Passage,
    rank_passages,
    rank_passages_many,
    split_passages,
    tokenize,
)

# Written for these tests: a made-up council report, not a published article.
REPORT = (
    "Harbour council budget, spring session\n"
    "\n"
    "The council opened its spring session with a minute of silence for the former harbour"
    " master.\n"
    "Members then approved the minutes of the previous meeting without amendment.\n"
    "\n"
    "On transport, the council voted to raise the harbour bridge toll from 2 dollars to"
    " 3 dollars for cars from June. The treasurer said the toll had not changed since 2011.\n"
    "Cyclists will keep crossing the bridge for free.\n"
    "\n"
    "On housing, the council approved 140 new social flats on the old rail yard. Building is"
    " due to start next year.\n"
    "\n"
    "The session closed with questions from residents about bin collection in the north ward.\n"
)


def test_passages_keep_exact_offsets():
    passages = split_passages(REPORT)

    assert passages
    for passage in passages:
        assert REPORT[passage.start : passage.end] == passage.text
        assert passage.text == passage.text.strip()
        assert passage.score == 0
    assert [p.index for p in passages] == list(range(len(passages)))
    assert all(a.end <= b.start for a, b in itertools.pairwise(passages))


def test_blank_lines_separate_passages():
    texts = [p.text for p in split_passages(REPORT)]

    assert texts[0] == "Harbour council budget, spring session"
    assert any(t.startswith("On transport") and t.endswith("for free.") for t in texts)


@pytest.mark.parametrize("max_chars", [40, 80, 200, 600])
def test_passages_respect_max_chars(max_chars):
    passages = split_passages(REPORT, max_chars=max_chars)

    assert all(len(p.text) <= max_chars for p in passages)
    assert all(REPORT[p.start : p.end] == p.text for p in passages)


def test_long_line_is_cut_at_sentence_ends():
    text = "First sentence is here. Second sentence follows it. Third one ends the line."

    passages = split_passages(text, max_chars=30)

    assert [p.text for p in passages] == [
        "First sentence is here.",
        "Second sentence follows it.",
        "Third one ends the line.",
    ]


def test_word_longer_than_max_chars_is_hard_cut():
    text = "x" * 25

    passages = split_passages(text, max_chars=10)

    assert [p.text for p in passages] == ["x" * 10, "x" * 10, "x" * 5]


def test_empty_and_blank_texts_have_no_passages():
    assert split_passages("") == []
    assert split_passages(" \n\n \t\n") == []


def test_passage_about_the_claim_ranks_first():
    claim = "The council raised the bridge toll to 3 dollars"

    ranked = rank_passages(REPORT, claim)

    assert ranked[0].text.startswith("On transport, the council voted to raise the harbour bridge")
    assert REPORT[ranked[0].start : ranked[0].end] == ranked[0].text
    assert ranked[0].score > ranked[1].score > 0


def test_housing_claim_finds_the_housing_passage():
    ranked = rank_passages(REPORT, "How many social flats will be built on the rail yard?")

    assert ranked[0].text.startswith("On housing")


def test_passages_sharing_no_word_with_the_query_are_dropped():
    ranked = rank_passages(REPORT, "bridge")

    assert ranked
    assert all("bridge" in p.text.lower() for p in ranked)


def test_stopword_only_or_unrelated_query_finds_nothing():
    assert rank_passages(REPORT, "the of and it was") == []
    assert rank_passages(REPORT, "volcano eruption") == []
    assert rank_passages("", "bridge toll") == []


def test_top_k_limits_the_results():
    assert len(rank_passages(REPORT, "council", top_k=2)) == 2
    assert rank_passages(REPORT, "council", top_k=0) == []


def test_ties_keep_document_order_and_ranking_is_deterministic():
    text = "Toll news here.\n\nOther words.\n\nToll news here."

    ranked = rank_passages(text, "toll")

    assert [p.index for p in ranked] == [0, 2]
    assert ranked[0].score == ranked[1].score
    assert rank_passages(REPORT, "bridge toll dollars") == rank_passages(
        REPORT, "bridge toll dollars"
    )


def test_tokenize_lowercases_drops_stopwords_and_keeps_numbers():
    assert tokenize("The Toll rose to 3.5 dollars, from 1,200 in 2011!") == [
        "toll",
        "rose",
        "3.5",
        "dollars",
        "1,200",
        "2011",
    ]


def test_passage_is_frozen():
    passage = Passage(index=0, start=0, end=1, text="x", score=0.0)

    with pytest.raises(AttributeError):
        passage.score = 1.0  # type: ignore[misc]


def _sklearn_ranking(text: str, query: str, top_k: int = 5) -> list[Passage]:
    """Rank as the module did before it weighted words itself: scikit-learn's TfidfVectorizer."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    passages = split_passages(text)
    if not passages or not tokenize(query) or top_k < 1:
        return []
    vectorizer = TfidfVectorizer(
        tokenizer=tokenize, lowercase=False, token_pattern=None, sublinear_tf=True
    )
    try:
        matrix = vectorizer.fit_transform([passage.text for passage in passages])
    except ValueError:
        return []
    scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
    scored = [
        Passage(p.index, p.start, p.end, p.text, round(float(score), 9))
        for p, score in zip(passages, scores, strict=True)
        if score > 0
    ]
    scored.sort(key=lambda passage: (-passage.score, passage.index))
    return scored[:top_k]


def _seed_texts() -> list[str]:
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[2] / "seeds"
    return [REPORT] + [
        path.read_text(encoding="utf-8")
        for path in sorted(seeds.iterdir())
        if path.suffix in {".md", ".txt"} and path.name != "README.md"
    ]


@pytest.mark.parametrize("text", _seed_texts(), ids=lambda text: text[:20])
def test_ranking_chooses_the_same_passages_and_scores_as_scikit_learn(text):
    # Every sentence of the text as a query, plus a few that share little or nothing with it.
    queries = [s.group().strip() for s in re.finditer(r"[^.!?\n]+[.!?]", text)][:80]
    queries += ["bridge toll", "volcano eruption", "the of and", "council 2011 3 dollars"]
    assert len(queries) > 10

    many = rank_passages_many(text, queries, top_k=5)

    assert len(many) == len(queries)
    chosen = 0
    for query, ranked in zip(queries, many, strict=True):
        expected = _sklearn_ranking(text, query, top_k=5)
        assert ranked == expected, query
        assert rank_passages(text, query, top_k=5) == expected
        chosen += len(ranked)
    assert chosen > len(queries)


def test_ranking_many_queries_of_an_empty_text_finds_nothing():
    assert rank_passages_many("", ["bridge", "toll"]) == [[], []]
    assert rank_passages_many(REPORT, ["bridge"], top_k=0) == [[]]
    assert rank_passages_many(REPORT, []) == []
