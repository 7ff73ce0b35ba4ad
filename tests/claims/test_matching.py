"""Tests for the claim matcher: ranking, fusion, levels and the consistency check."""

import numpy as np
import pytest
from hypothesis import given, seed, settings
from hypothesis import strategies as st

from claims.matching import (
    DenseIndex,
    Level,
    Matcher,
    MatchingError,
    Thresholds,
    clean,
    conflicts,
    evaluate,
    top_k,
)
from tests.claims.matching_fakes import WordHashEncoder

STORED = {
    "v1": "Unemployment rose to 9 percent in Ohio last year.",
    "v2": "The COVID-19 vaccine causes infertility in women.",
    "v3": "The mayor sold the city harbour to a private company.",
    "v4": "Drinking hot water cures the flu.",
}


def matcher(**kwargs):
    kwargs.setdefault("encoder", WordHashEncoder())
    return Matcher(keys=list(STORED), texts=list(STORED.values()), **kwargs)


@pytest.mark.parametrize("mode", ["lexical", "dense", "fused"])
def test_a_near_verbatim_repeat_ranks_its_original_first_in_every_mode(mode):
    matches = matcher(mode=mode).match("Unemployment rose to 9 percent in Ohio, last year!")
    assert matches[0].key == "v1"
    assert [m.rank for m in matches] == [1, 2, 3, 4]
    assert matches[0].score > matches[1].score


def test_a_paraphrase_with_no_shared_words_is_found_by_the_dense_side_only():
    query = "The jab leads to infertility in women"
    lexical = matcher(mode="lexical").match(query)
    dense = matcher(mode="dense").match(query)
    assert dense[0].key == "v2"
    assert dense[0].score > 0.5
    assert lexical[0].key == "v2" or lexical[0].score < dense[0].score


def test_the_fused_score_is_the_weighted_sum_of_dense_and_lexical_cosines():
    m = matcher(mode="fused", weight=0.7)
    top = m.match("vaccine causes infertility")[0]
    assert top.score == pytest.approx(0.7 * top.dense + 0.3 * top.lexical, abs=1e-5)


def test_levels_follow_the_thresholds_and_a_changed_figure_is_never_confirmed():
    m = matcher(mode="dense", thresholds=Thresholds(suggested=0.3, confirmed=0.8))
    same = m.match("Unemployment rose to 9 percent in Ohio last year.")[0]
    assert (same.key, same.level) == ("v1", Level.CONFIRMED)
    changed = m.match("Unemployment rose to 19 percent in Ohio last year.")[0]
    assert changed.key == "v1"
    assert changed.score >= 0.8
    assert changed.level == Level.SUGGESTED
    assert changed.conflicts == ("figures differ: 19% vs 9%",)
    denied = m.match("Unemployment never rose to 9 percent in Ohio last year.")[0]
    assert denied.level == Level.SUGGESTED
    assert "one denies what the other states" in denied.conflicts


def test_min_level_keeps_only_matches_at_that_level_or_above():
    m = matcher(mode="dense", thresholds=Thresholds(suggested=0.5, confirmed=0.8))
    assert [x.key for x in m.match("hot water cures flu", min_level=Level.SUGGESTED)] == ["v4"]
    assert m.match("A text about something else entirely", min_level=Level.SUGGESTED) == []


def test_stored_vectors_are_used_as_given_and_not_re_embedded():
    encoder = WordHashEncoder()
    vectors = encoder.encode(list(STORED.values()))
    encoder.calls = 0
    m = Matcher(keys=list(STORED), texts=list(STORED.values()), encoder=encoder, vectors=vectors)
    m.match("hot water cures the flu")
    assert encoder.calls == 1  # the query only


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"mode": "dense", "encoder": None}, "needs an encoder"),
        ({"mode": "sideways"}, "mode must be one of"),
        ({"weight": 1.5}, "weight must be between 0 and 1"),
        ({"vectors": np.zeros((2, 64), dtype=np.float32)}, "2 vectors for 4 texts"),
    ],
)
def test_bad_matcher_settings_are_refused_with_a_message(kwargs, message):
    with pytest.raises(MatchingError, match=message):
        matcher(**kwargs)


def test_thresholds_must_be_ordered():
    with pytest.raises(MatchingError, match="suggested <= confirmed"):
        Thresholds(suggested=0.9, confirmed=0.5)


def test_query_vectors_of_another_model_are_refused():
    index = DenseIndex(np.eye(3, dtype=np.float32))
    with pytest.raises(ValueError, match="re-embed with the same model"):
        index.scores(np.ones((1, 4), dtype=np.float32))


def test_an_empty_store_matches_nothing():
    m = Matcher(keys=[], texts=[], encoder=WordHashEncoder())
    assert m.match("anything") == []


def test_clean_drops_links_bylines_and_hashtag_marks():
    tweet = (
        "The US drone attack on #SoleimaniStrike caught on camera.#IranUsa "
        "pic.twitter.com/TvRkHvlgby — Olaudah (@RealOlaudah) January 6, 2020"
    )
    assert clean(tweet) == "The US drone attack on Soleimani Strike caught on camera. Iran Usa"


@pytest.mark.parametrize(
    ("query", "candidate", "expected"),
    [
        ("Crime fell 12% in 2019", "Crime fell 12 percent in 2019", ()),
        ("Crime fell in 2019", "Crime fell 12% in 2019", ()),
        # A figure the check never covered: the new claim says more than what was checked.
        ("Crime fell 12% in 2019", "Crime fell in 2019", ("figures differ: 12% vs none",)),
        (
            "A subsidy of 3.2 million, and 41,200 riders",
            "There were 41,200 riders",
            ("figures differ: 3200000 vs none",),
        ),
        ("It costs 3.2 million", "It costs 3,200,000", ()),
        ("Crime fell 12% in 2019", "Crime fell 21% in 2019", ("figures differ: 12% vs 21%",)),
        ("It costs 1,200 dollars", "It costs 1200 dollars", ()),
        ("It costs three million", "It costs 3 million", ()),
        ("The law was not passed", "The law wasn't passed", ()),
        ("The law was passed", "The law wasn't passed", ("one denies what the other states",)),
    ],
)
def test_conflicts_flags_changed_or_unchecked_figures_and_polarity(query, candidate, expected):
    assert conflicts(query, candidate) == expected


@seed(14)
@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=1, max_size=60),
    st.integers(1, 70),
)
def test_top_k_returns_the_k_highest_scores_in_order(values, k):
    scores = np.array(values, dtype=np.float32)
    picked = top_k(scores, k)
    assert len(picked) == min(k, len(values))
    assert len(set(picked.tolist())) == len(picked)
    assert list(scores[picked]) == sorted(scores[picked], reverse=True)
    if len(picked) < len(values):
        assert scores[picked].min() >= np.delete(scores, picked).max()


def test_evaluate_computes_map_precision_recall_and_mrr():
    qrels = {"q1": {"a"}, "q2": {"b"}, "q3": {"c"}}
    rankings = {"q1": ["a", "x"], "q2": ["x", "y", "b"], "q3": ["x", "y", "z", "w", "v", "c"]}
    figures = evaluate(rankings, qrels, k=5)
    assert figures == {
        "MAP@5": round((1 + 1 / 3 + 0) / 3, 4),
        "P@1": round(1 / 3, 4),
        "R@5": round(2 / 3, 4),
        "MRR": round((1 + 1 / 3 + 1 / 6) / 3, 4),
    }


def clustered_vectors(n: int, dim: int = 32, seed: int = 3) -> np.ndarray:
    """Return `n` unit vectors around 40 topics, as sentence embeddings cluster."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((40, dim)).astype(np.float32)
    vectors = topics[rng.integers(0, 40, n)] + 0.4 * rng.standard_normal((n, dim))
    vectors = vectors.astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class _NoEncoder:
    model_id, dim = "fixed", 32

    def encode(self, texts, *, batch_size=64):
        raise AssertionError("the test passes query vectors")


@pytest.mark.parametrize("mode", ["dense", "fused"])
def test_above_the_exact_limit_the_approximate_index_ranks_like_exact_search(mode):
    pytest.importorskip("faiss")
    vectors = clustered_vectors(3000)
    texts = [f"claim number {i} about topic {i % 40}" for i in range(3000)]
    queries = vectors[[5, 700, 2999]] + 0.05 * np.random.default_rng(1).standard_normal((3, 32))
    queries = (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)
    texts_of_queries = ["claim number 5", "claim number 700", "claim number 2999"]
    common = dict(keys=list(range(3000)), texts=texts, encoder=_NoEncoder(), mode=mode)
    exact = Matcher(vectors=vectors, exact_limit=10**9, **common)
    approximate = Matcher(vectors=vectors, exact_limit=1000, **common)
    assert not exact.dense.approximate and approximate.dense.approximate
    want = exact.match_many(texts_of_queries, top=5, vectors=queries)
    got = approximate.match_many(texts_of_queries, top=5, vectors=queries)
    assert [[m.key for m in row] for row in got] == [[m.key for m in row] for row in want]
    assert [row[0].key for row in got] == [5, 700, 2999]
    assert got[0][0].score == want[0][0].score


def test_the_approximate_index_finds_vectors_added_after_it_was_built():
    pytest.importorskip("faiss")
    from claims.matching.dense import ApproximateIndex

    vectors = clustered_vectors(2000)
    index = ApproximateIndex(vectors[:1500])
    index.add(vectors[1500:])
    assert index.size == 2000
    assert index.candidates(vectors[1800:1801], 5)[0] == 1800


def test_added_claims_are_matched_and_a_replaced_row_is_never_returned():
    m = Matcher(
        keys=["a", "b"],
        texts=["The harbour board met on Tuesday.", "Taxes rose by 3 percent."],
        encoder=WordHashEncoder(),
        mode="fused",
        weight=0.5,
    )
    m.add(keys=["c", "a"], texts=["Unemployment rose to 9 percent in Ohio.", "Bees can fly."])
    assert m.size == 3
    found = [match.key for match in m.match("Unemployment rose to 9 percent in Ohio.", top=5)]
    assert found[0] == "c"
    assert found.count("a") == 1  # the replaced row is gone, the new one stays
    (best,) = m.match("The harbour board met on Tuesday.", top=1)
    assert best.key != "a"


def test_keep_filters_candidates_and_the_next_best_takes_their_place():
    m = Matcher(
        keys=[1, 2, 3],
        texts=[
            "Unemployment rose to 9 percent in Ohio.",
            "Unemployment rose to 9 percent in Ohio last year.",
            "The harbour board met on Tuesday.",
        ],
        encoder=WordHashEncoder(),
        mode="dense",
    )
    asked = []

    def keep(keys):
        asked.append(list(keys))
        return {key: None for key in keys if key != 1}

    found = m.match("Unemployment rose to 9 percent in Ohio.", top=1, keep=keep)
    assert [match.key for match in found] == [2]
    assert 1 in asked[0]


def test_a_dense_index_grows_without_losing_rows():
    index = DenseIndex(np.eye(3, dtype=np.float32))
    for _ in range(5):
        index.add(np.eye(3, dtype=np.float32)[:1])
    assert index.size == 8
    assert index.scores(np.eye(3, dtype=np.float32)[:1])[0].tolist() == [1, 0, 0] + [1] * 5
