"""Build verdicts in every stage for the API tests, with evidence and archived snapshots."""

import itertools
from datetime import timedelta

from django.utils import timezone

from claims.models import Evidence, Snapshot, Source
from reviews.models import RevisionEvidence, Verdict
from reviews.workflow import Stage
from tests.reviews.factories import ticket_in

# Words that appear only in drafts: no API response may ever contain them.
DRAFT_MARK = "UNPUBLISHED-DRAFT-WORDING"
_numbers = itertools.count(1)

# Stages whose verdict, if any, the public must never see.
HIDDEN_STAGES = [
    Stage.NEW,
    Stage.QUEUED,
    Stage.DISMISSED,
    Stage.RESEARCHING,
    Stage.IN_REVIEW,
    Stage.CHANGES_REQUESTED,
    Stage.APPROVED,
    Stage.SCHEDULED,
]


def with_evidence(verdict: Verdict, *, stance: str = "contradicts") -> Evidence:
    """Pin an archived passage to the verdict's claim and make its published revision rely on it."""
    n = next(_numbers)
    source = Source.objects.create(
        url=f"https://ledger.example/audit/{n}",
        normalized_url=f"https://ledger.example/audit/{n}",
        state=Source.State.FETCHED,
    )
    snapshot = Snapshot.objects.create(
        source=source,
        final_url=f"https://ledger.example/audit/{n}",
        status=200,
        content_type="text/html",
        sha256=f"{n:064x}",
        size=1200,
        body=f"snapshots/{n}.gz",
        text="The bridge cost 2.1 million dollars in 2023.",
        title="City accounts 2023",
        site_name="Ledger",
    )
    source.last_snapshot = snapshot
    source.save(update_fields=["last_snapshot"])
    evidence = Evidence.objects.create(
        claim=verdict.ticket.claim,
        source=source,
        snapshot=snapshot,
        quote="The bridge cost 2.1 million dollars in 2023.",
        stance=stance,
    )
    RevisionEvidence.objects.create(
        revision=verdict.published_revision,
        position=verdict.published_revision.evidence.count(),
        pinned=evidence,
        source=source,
        snapshot=snapshot,
        quote=evidence.quote,
        start=0,
        end=len(evidence.quote),
        stance=stance,
    )
    return evidence


def published_verdict(*, stage: Stage = Stage.PUBLISHED, evidence: bool = True, **claim_kwargs):
    """Return a verdict the public sees (published, correcting or retracted)."""
    ticket = ticket_in(stage, **claim_kwargs)
    verdict = Verdict.objects.get(ticket=ticket)
    if evidence:
        with_evidence(verdict)
    return verdict


def hidden_ticket(stage: Stage):
    """Return a ticket in a non-public stage whose draft (if any) carries DRAFT_MARK."""
    embargo = timezone.now() + timedelta(days=3) if stage == Stage.SCHEDULED else None
    ticket = ticket_in(stage, embargo_until=embargo)
    verdict = Verdict.objects.filter(ticket=ticket).first()
    if verdict is not None and verdict.current_revision is not None:
        revision = verdict.current_revision
        revision.summary = f"{DRAFT_MARK} summary"
        revision.explanation = f"{DRAFT_MARK} explanation"
        revision.save(update_fields=["summary", "explanation"])
    return ticket


def embargoed_published_verdict():
    """Return a published verdict whose article was put back under embargo afterwards."""
    verdict = published_verdict()
    article = verdict.ticket.claim.article
    article.embargo_until = timezone.now() + timedelta(days=2)
    article.save(update_fields=["embargo_until"])
    revision = verdict.published_revision
    revision.summary = f"{DRAFT_MARK} embargoed"
    revision.save(update_fields=["summary"])
    return verdict
