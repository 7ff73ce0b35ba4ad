"""Rank a snapshot's passages for the claims citing it (reviews pins them as evidence)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db.models import QuerySet

from claims.models import Claim, Passage, Snapshot
from claims.ranking import rank_passages_many
from factcheck.compiled import Insert, run_compiled

__all__ = ["passages_rank", "passages_rank_each", "passages_store"]


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
        return _store({snapshot: [(claim.pk, claim.text) for claim in claims]})
    return passages_rank_each(pairs=[(snapshot, list(claims))])


def passages_store(*, snapshot: Snapshot, claims: Sequence[tuple[int, str]]) -> list[Passage]:
    """Store the snapshot's best passages for each (claim id, claim text) given, in one insert.

    For a caller that has just read which claims are still to rank (the fetch does, in the
    same round trip as it records the snapshot).
    """
    return _store({snapshot: list(claims)})


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
    todo: dict[Snapshot, list[tuple[int, str]]] = {}
    for snapshot, claims in pairs:
        todo.setdefault(snapshot, []).extend(
            (claim.pk, claim.text) for claim in claims if (snapshot.pk, claim.pk) not in already
        )
    return _store(todo)


def _store(todo: dict[Snapshot, list[tuple[int, str]]]) -> list[Passage]:
    top_k = settings.FETCH_PASSAGES_PER_CLAIM
    rows = []
    for snapshot, claims in todo.items():
        if not claims:
            continue
        rankings = rank_passages_many(snapshot.text, [text for _, text in claims], top_k=top_k)
        rows.extend(
            Passage(
                snapshot=snapshot,
                claim_id=claim_id,
                rank=rank,
                score=ranked.score,
                start=ranked.start,
                end=ranked.end,
                text=ranked.text,
            )
            for (claim_id, _), ranking in zip(claims, rankings, strict=True)
            for rank, ranked in enumerate(ranking)
        )
    if rows:
        # Compiled once per number of rows; a concurrent ranking of the same pair wrote the
        # same rows, and theirs are kept.
        run_compiled(
            "passages",
            _inserting,
            **{name: [getattr(row, name) for row in rows] for name in _PASSAGE_VALUES},
        )
    return rows


_PASSAGE_VALUES = ("snapshot_id", "claim_id", "rank", "score", "start", "end", "text")


def _inserting(**columns):
    count = len(columns["text"])
    return Insert(
        [Passage(**{name: values[i] for name, values in columns.items()}) for i in range(count)],
        ignore_conflicts=True,
    )
