"""The benchmark's ranking metrics on tiny rankings worked out by hand."""

import math

import pytest

from bench.metrics import evaluate
from bench.metrics import ndcg
from bench.metrics import rank_of
from bench.metrics import recall
from bench.metrics import reciprocal_rank


@pytest.mark.parametrize(
    "ranked, judged, k, expected",
    [
        (["a", "b", "c"], {"a": 1}, 10, 1.0),
        (["a", "b", "c"], {"c": 1}, 10, 1 / 3),
        (["a", "b", "c"], {"b": 1, "c": 1}, 10, 1 / 2),  # the first relevant counts
        (["a", "b", "c"], {"c": 1}, 2, 0.0),  # beyond the cut-off
        (["a", "b"], {"z": 1}, 10, 0.0),  # not retrieved
        (["a", "b"], {"a": 0, "b": 1}, 10, 1 / 2),  # grade 0 is not relevant
        ([], {"a": 1}, 10, 0.0),
    ],
    ids=["first", "third", "two-relevant", "cut-off", "missing", "grade-0", "empty-run"],
)
def test_reciprocal_rank(ranked, judged, k, expected):
    assert reciprocal_rank(ranked, judged, k) == pytest.approx(expected)


@pytest.mark.parametrize(
    "ranked, judged, k, expected",
    [
        (["a", "b", "c"], {"a": 1, "c": 1}, 10, 1.0),
        (["a", "b", "c"], {"a": 1, "c": 1}, 2, 0.5),
        (["a", "b", "c"], {"a": 1, "c": 1, "z": 2}, 10, 2 / 3),
        (["a", "b", "c"], {"a": 0}, 10, 0.0),  # nothing relevant to recall
    ],
    ids=["all", "cut-off", "one-missing", "none-relevant"],
)
def test_recall(ranked, judged, k, expected):
    assert recall(ranked, judged, k) == pytest.approx(expected)


def test_ndcg_binary_single_relevant_at_rank_3():
    # DCG = 1 / log2(4) = 0.5; ideal DCG = 1 / log2(2) = 1.
    assert ndcg(["a", "b", "c"], {"c": 1}) == pytest.approx(0.5)


def test_ndcg_graded():
    # Ranked grades 1, 0, 2: DCG = 1/1 + 0 + 2/log2(4) = 2.
    # Ideal order 2, 1:     IDCG = 2/1 + 1/log2(3).
    expected = 2 / (2 + 1 / math.log2(3))
    assert ndcg(["x", "y", "z"], {"x": 1, "z": 2}) == pytest.approx(expected)


def test_ndcg_ideal_is_one_and_cut_off_applies():
    assert ndcg(["z", "x"], {"x": 1, "z": 2}) == pytest.approx(1.0)
    assert ndcg(["a", "b", "c"], {"c": 1}, k=2) == 0.0


def test_ndcg_ideal_counts_only_the_top_k_grades():
    # Three relevant docs, k = 2: the ideal ranking holds just two of them.
    assert ndcg(["a", "b", "c"], {"a": 1, "b": 1, "c": 1}, k=2) == pytest.approx(1.0)


def test_rank_of():
    assert rank_of(["a", "b", "c"], {"c": 1}) == 3
    assert rank_of(["a", "b"], {"z": 1}) is None


def test_evaluate_means_over_judged_queries_only():
    runs = {"q1": ["a", "b"], "q2": ["c", "d"], "q3": ["e"]}
    qrels = {
        "q1": {"b": 1},  # rank 2: RR 0.5, nDCG 1/log2(3)
        "q2": {"c": 1},  # rank 1: RR 1, nDCG 1
        "q3": {"e": 0},  # no relevant document: left out
        "q4": {"f": 1},  # no run: scores 0
    }
    result = evaluate(runs, qrels)
    assert result["queries"] == 3
    assert result["mrr@10"] == pytest.approx((0.5 + 1 + 0) / 3)
    assert result["recall@10"] == pytest.approx(2 / 3)
    assert result["recall@100"] == pytest.approx(2 / 3)
    assert result["ndcg@10"] == pytest.approx((1 / math.log2(3) + 1) / 3)


def test_evaluate_without_relevant_documents_is_an_error():
    with pytest.raises(ValueError):
        evaluate({"q": ["a"]}, {"q": {"a": 0}})
