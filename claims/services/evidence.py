"""Rank a snapshot's passages for the claims citing it (reviews pins them as evidence)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import QuerySet

from claims.models import Claim, Passage, Snapshot
from claims.ranking import rank_passages_many

__all__ = ["passages_rank", "passages_rank_each"]


def passages_rank(
    *, snapshot: Snapshot, claims: Iterable[Claim], new_snapshot: bool = False
) -> list[Passage]:
    """Store the snapshot's best passages for each claim not ranked against it yet.

    Given a queryset, the claims already ranked are left out in the same query (a
    ``new_snapshot``, just inserted, has none); every claim's ranking shares one pass over the
    snapshot's passages, and all rows go in one insert.
    """
    if isinstance(claims, QuerySet):
        if not new_snapshot:
            claims = claims.exclude(passages__snapshot=snapshot)
        claims = list(claims.only("pk", "text"))
        return _store({snapshot: claims})
    return passages_rank_each(pairs=[(snapshot, list(claims))])


def passages_rank_each(*, pairs: Sequence[tuple[Snapshot, Sequence[Claim]]]) -> list[Passage]:
    """Rank each snapshot's passages for its claims, skipping pairs already ranked.

    Two queries however many snapshots: which pairs are ranked already, and one insert.
    """
    snapshot_ids = {snapshot.pk for snapshot, _ in pairs}
    claim_ids = {claim.pk for _, claims in pairs for claim in claims}
    if not snapshot_ids or not claim_ids:
        return []
    already = set(
        Passage.objects.filter(snapshot_id__in=snapshot_ids, claim_id__in=claim_ids)
        .values_list("snapshot_id", "claim_id")
        .distinct()
    )
    todo: dict[Snapshot, list[Claim]] = {}
    for snapshot, claims in pairs:
        todo.setdefault(snapshot, []).extend(
            claim for claim in claims if (snapshot.pk, claim.pk) not in already
        )
    return _store(todo)


def _store(todo: dict[Snapshot, list[Claim]]) -> list[Passage]:
    top_k = settings.FETCH_PASSAGES_PER_CLAIM
    rows = []
    for snapshot, claims in todo.items():
        if not claims:
            continue
        rankings = rank_passages_many(snapshot.text, [claim.text for claim in claims], top_k=top_k)
        rows.extend(
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
        )
    # A concurrent ranking of the same pair wrote the same rows; keep theirs.
    return Passage.objects.bulk_create(rows, ignore_conflicts=True) if rows else []
