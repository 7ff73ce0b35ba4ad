"""Ranking metrics of the CheckThat! claim-retrieval task: MAP@k, P@1, R@k, MRR."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def evaluate(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]], *, k: int = 5
) -> dict[str, float]:
    """Return MAP@k, P@1, R@k and MRR of ranked ids per query against the relevant ids.

    Queries without a ranking count as zero; MRR looks at the whole ranking given.
    """
    totals = {f"MAP@{k}": 0.0, "P@1": 0.0, f"R@{k}": 0.0, "MRR": 0.0}
    for query, relevant in qrels.items():
        ranking = list(rankings.get(query, ()))
        hits, precision_sum, reciprocal = 0, 0.0, 0.0
        for rank, key in enumerate(ranking, start=1):
            if key in relevant:
                if not reciprocal:
                    reciprocal = 1 / rank
                if rank <= k:
                    hits += 1
                    precision_sum += hits / rank
        totals[f"MAP@{k}"] += precision_sum / min(len(relevant), k)
        totals["P@1"] += 1.0 if ranking and ranking[0] in relevant else 0.0
        totals[f"R@{k}"] += hits / len(relevant)
        totals["MRR"] += reciprocal
    count = max(len(qrels), 1)
    return {name: round(total / count, 4) for name, total in totals.items()}
