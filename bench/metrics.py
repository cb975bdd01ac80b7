"""Ranking metrics: pure functions over ranked ids and judged ids.

``ranked`` is a list of document ids, best first; ``judged`` maps a document
id to its relevance grade (qrels); a grade of 0 or less is not relevant.
Gains are the grades themselves (linear, as trec_eval's ndcg), so binary
qrels give binary gains.  A query without a relevant document is left out of
the means (trec_eval's convention); a query with no run scores 0.
"""

import math


def _relevant(judged: dict[str, int]) -> set[str]:
    return {doc for doc, grade in judged.items() if grade > 0}


def reciprocal_rank(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """1 / rank of the first relevant document in the top ``k``; 0 if none."""
    relevant = _relevant(judged)
    for rank, doc in enumerate(ranked[:k], 1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def recall(ranked: list[str], judged: dict[str, int], k: int) -> float:
    """Share of the relevant documents found in the top ``k``."""
    relevant = _relevant(judged)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def ndcg(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain at ``k`` (gain = grade, discount log2(rank + 1))."""
    dcg = sum(
        max(judged.get(doc, 0), 0) / math.log2(rank + 1) for rank, doc in enumerate(ranked[:k], 1)
    )
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 1) for rank, grade in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def rank_of(ranked: list[str], judged: dict[str, int]) -> int | None:
    """Rank (from 1) of the first relevant document, or None if it was not retrieved."""
    relevant = _relevant(judged)
    return next((rank for rank, doc in enumerate(ranked, 1) if doc in relevant), None)


METRICS = {
    "mrr@10": lambda r, j: reciprocal_rank(r, j, 10),
    "recall@10": lambda r, j: recall(r, j, 10),
    "ndcg@10": lambda r, j: ndcg(r, j, 10),
    "recall@100": lambda r, j: recall(r, j, 100),
}


def evaluate(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean of every metric in METRICS over the judged queries, plus their count.

    >>> evaluate({"q1": ["a", "b"], "q2": ["c"]}, {"q1": {"b": 1}, "q2": {"x": 1}})["mrr@10"]
    0.25
    """
    judged = {q: j for q, j in qrels.items() if _relevant(j)}
    if not judged:
        raise ValueError("no query has a relevant document")
    means = {
        name: sum(metric(runs.get(q, []), j) for q, j in judged.items()) / len(judged)
        for name, metric in METRICS.items()
    }
    return means | {"queries": len(judged)}
