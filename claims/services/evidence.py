"""Rank a snapshot's passages for the claims citing it, and pin passages as evidence."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.errors import ClaimsError
from claims.models import Claim, Evidence, Passage, Snapshot
from claims.ranking import rank_passages

__all__ = ["evidence_pin", "evidence_unpin", "passages_rank"]


def passages_rank(*, snapshot: Snapshot, claims: Iterable[Claim]) -> list[Passage]:
    """Store the snapshot's best passages for each claim not ranked against it yet."""
    already = set(
        Passage.objects.filter(snapshot=snapshot).values_list("claim_id", flat=True).distinct()
    )
    top_k = settings.FETCH_PASSAGES_PER_CLAIM
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
        for claim in claims
        if claim.pk not in already
        for rank, ranked in enumerate(rank_passages(snapshot.text, claim.text, top_k=top_k))
    ]
    # A concurrent ranking of the same pair wrote the same rows; keep theirs.
    return Passage.objects.bulk_create(rows, ignore_conflicts=True)


def evidence_pin(*, claim: Claim, passage: Passage, stance: str, by, note: str = "") -> Evidence:
    """Pin ``passage`` to ``claim`` as evidence with ``stance``; pinning again updates it."""
    if not by.has_perm("claims.add_evidence"):
        raise ClaimsError("You cannot pin evidence: ask an editor for the fact-checker role.")
    if passage.claim_id != claim.pk:
        raise ClaimsError(
            f"Passage #{passage.pk} was ranked for claim #{passage.claim_id}, not #{claim.pk}; "
            "pin it from that claim's page."
        )
    if stance not in Evidence.Stance.values:
        choices = ", ".join(Evidence.Stance.values)
        raise ClaimsError(f"{stance!r} is not a stance; choose one of {choices}.")
    snapshot = passage.snapshot
    with transaction.atomic():
        evidence, _ = Evidence.objects.update_or_create(
            claim=claim,
            passage=passage,
            defaults={
                "source_id": snapshot.source_id,
                "snapshot": snapshot,
                "quote": passage.text,
                "stance": stance,
                "note": note,
                "pinned_by": by,
                "pinned_at": timezone.now(),
            },
        )
    return evidence


def evidence_unpin(*, evidence: Evidence, by) -> None:
    """Remove a pinned passage from its claim's evidence."""
    if not by.has_perm("claims.delete_evidence"):
        raise ClaimsError("You cannot unpin evidence: ask an editor for the fact-checker role.")
    evidence.delete()
