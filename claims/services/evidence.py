"""Rank a snapshot's passages for the claims citing it (reviews pins them as evidence)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet

from claims.models import Claim, Passage, Snapshot
from claims.ranking import rank_passages_many

__all__ = ["passages_rank"]


def passages_rank(*, snapshot: Snapshot, claims: Iterable[Claim]) -> list[Passage]:
    """Store the snapshot's best passages for each claim not ranked against it yet.

    Given a queryset, the claims already ranked are left out in the same query; every claim's
    ranking shares one pass over the snapshot's passages, and all rows go in one insert.
    """
    if isinstance(claims, QuerySet):
        claims = list(claims.exclude(passages__snapshot=snapshot).only("pk", "text"))
    else:
        already = set(
            Passage.objects.filter(snapshot=snapshot).values_list("claim_id", flat=True).distinct()
        )
        claims = [claim for claim in claims if claim.pk not in already]
    if not claims:
        return []
    rankings = rank_passages_many(
        snapshot.text,
        [claim.text for claim in claims],
        top_k=settings.FETCH_PASSAGES_PER_CLAIM,
    )
    rows = [
        Passage(
            snapshot=snapshot,
            claim=claim,
            rank=rank,
            score=ranked.score,
            start=ranked.start,
            end=ranked.end,
            text=ranked.text,
        )
        for claim, ranking in zip(claims, rankings, strict=True)
        for rank, ranked in enumerate(ranking)
    ]
    # A concurrent ranking of the same pair wrote the same rows; keep theirs.
    return Passage.objects.bulk_create(rows, ignore_conflicts=True)
