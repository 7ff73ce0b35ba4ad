"""Keep the record of publication: the working evidence, and what each revision keeps of it.

A fact-checker pins passages to the claim's working evidence (claims.Evidence); saving a
revision copies what it relies on into the revision (RevisionEvidence), and approving it pins
the archived copy of each link the piece gave (RevisionLink). Readers, the API, webhooks and
ClaimReview read only those copies, so nothing done on the desk afterwards changes a verdict
the editors approved; only a correction (a new revision, published) does.
"""

from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from claims import selectors as claim_selectors
from claims.models import Citation, Evidence, Passage, Snapshot, Source
from claims.services import sources_fetch_now
from reviews import workflow
from reviews.errors import NotAllowed, ReviewError
from reviews.models import Event, RevisionEvidence, RevisionLink, Ticket, VerdictRevision
from reviews.services._steps import lock, step

NOTE_MAX = 2000
# The longest span of a snapshot's text one pin may quote: a few paragraphs, not a whole page.
SPAN_MAX = 5000


def evidence_content(items: Sequence[Evidence]) -> list[tuple]:
    """Return what a revision would keep of `items`: the part readers see, in a stable order."""
    return sorted(
        (item.source_id, item.snapshot_id, item.quote, item.stance, item.note) for item in items
    )


def revision_copy_evidence(*, revision: VerdictRevision, evidence: Sequence[Evidence]) -> None:
    """Give `revision` its own copy of `evidence`: source, snapshot, quote, offsets, stance."""
    rows = []
    for position, item in enumerate(evidence):
        passage = item.passage
        on_snapshot = passage is not None and passage.snapshot_id == item.snapshot_id
        if item.start is not None:
            start, end = item.start, item.end
        else:
            start, end = (passage.start, passage.end) if on_snapshot else (None, None)
        rows.append(
            RevisionEvidence(
                revision=revision,
                position=position,
                pinned=item,
                source_id=item.source_id,
                snapshot_id=item.snapshot_id,
                quote=item.quote,
                start=start,
                end=end,
                stance=item.stance,
                note=item.note,
            )
        )
    RevisionEvidence.objects.bulk_create(rows)


def revision_links_pin(*, revision: VerdictRevision, claim_id: int) -> None:
    """Pin the archived copy current now of each link the piece gave for the claim.

    Called when the revision is approved (and again at publication, which only fills a link
    that had no archived copy yet): a later fetch of the source never replaces what readers
    were shown.
    """
    citations = claim_selectors.citations_linked_by_piece(claim_id)
    pinned = {link.source_id: link for link in revision.links.all()}
    missing = [
        RevisionLink(
            revision=revision, source_id=c.source_id, snapshot_id=c.source.last_snapshot_id
        )
        for c in citations
        if c.source_id not in pinned
    ]
    RevisionLink.objects.bulk_create(missing)
    for citation in citations:
        link = pinned.get(citation.source_id)
        if link is not None and link.snapshot_id is None and citation.source.last_snapshot_id:
            link.snapshot_id = citation.source.last_snapshot_id
            link.save(update_fields=["snapshot"])


def evidence_pin(
    *,
    ticket: Ticket,
    passage: Passage | int,
    stance: str,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """Pin a passage ranked for the ticket's claim to its working evidence, with a public note.

    Allowed while the verdict is editable, to its assignee or an editor (as for saving a draft).
    Pinning the same passage again changes its stance and note. Only the next revision saved
    relies on it; the revisions already written keep their own copies.
    """
    note = _checked_pin(stance, note, by)
    passage_id = passage.pk if isinstance(passage, Passage) else passage
    with step(ticket, by=by, action="save_draft", expected_version=expected_version) as s:
        found = Passage.objects.select_related("snapshot").filter(pk=passage_id).first()
        if found is None:
            raise ReviewError("That passage is gone: its source was archived again. Reload.")
        if found.claim_id != s.ticket.claim_id:
            raise ReviewError(
                f"Passage #{found.pk} was ranked for claim #{found.claim_id}, not this ticket's "
                f"claim #{s.ticket.claim_id}; pin it from that claim's ticket."
            )
        return _pinned(
            s,
            where={"passage": found},
            snapshot=found.snapshot,
            quote=found.text,
            stance=stance,
            note=note,
            by=by,
            said={"passage": found.pk},
        )


def _checked_pin(stance: str, note: str, by) -> str:
    """Refuse a pin by someone who may not pin, or with an unknown stance; return the note."""
    if not by.has_perm("claims.add_evidence"):
        raise NotAllowed("You cannot pin evidence: ask an editor for the fact-checker role.")
    if stance not in Evidence.Stance.values:
        choices = ", ".join(Evidence.Stance.values)
        raise ReviewError(f"{stance!r} is not a stance; choose one of {choices}.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ReviewError(f"Keep the note to {NOTE_MAX} characters (it has {len(note)}).")
    return note


def evidence_pin_span(
    *,
    ticket: Ticket,
    snapshot: Snapshot | int,
    start: int,
    end: int,
    stance: str,
    by,
    note: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """Pin any span of an archived snapshot's text (`text[start:end]`) to the claim's evidence.

    The snapshot must be the current archived copy of a source the claim cites. The offsets
    are checked against the stored text and trimmed of surrounding whitespace; pinning the same
    span again changes its stance and note. Allowed as evidence_pin is.
    """
    note = _checked_pin(stance, note, by)
    snapshot_id = snapshot.pk if isinstance(snapshot, Snapshot) else snapshot
    with step(ticket, by=by, action="save_draft", expected_version=expected_version) as s:
        found = Snapshot.objects.select_related("source").filter(pk=snapshot_id).first()
        cited = (
            found is not None
            and Citation.objects.filter(
                claim_id=s.ticket.claim_id, source_id=found.source_id
            ).exists()
        )
        if not cited:
            raise ReviewError("That archived copy is not of a source this claim cites. Reload.")
        if found.source.last_snapshot_id != found.pk:
            raise ReviewError("The source was archived again since you opened the page. Reload.")
        text = found.text
        if not (0 <= start < end <= len(text)):
            raise ReviewError(
                f"Select text within the archived copy: characters {start}–{end} are not a "
                f"span of its {len(text)} characters."
            )
        quote = text[start:end]
        start += len(quote) - len(quote.lstrip())
        end -= len(quote) - len(quote.rstrip())
        if start >= end:
            raise ReviewError("The selection is only spaces: select the words to pin.")
        if end - start > SPAN_MAX:
            raise ReviewError(
                f"Keep a pinned span to {SPAN_MAX} characters (this one has {end - start}); "
                "pin the paragraphs that matter one by one."
            )
        return _pinned(
            s,
            where={"snapshot": found, "start": start, "end": end, "passage": None},
            snapshot=found,
            quote=text[start:end],
            stance=stance,
            note=note,
            by=by,
            said={"snapshot": found.pk, "start": start, "end": end},
        )


def _pinned(s, *, where: dict, snapshot: Snapshot, quote, stance, note, by, said) -> Evidence:
    """Pin (or re-pin) the claim's evidence found by `where`, and say so on the trail."""
    evidence, created = Evidence.objects.update_or_create(
        claim_id=s.ticket.claim_id,
        **where,
        defaults={
            "source_id": snapshot.source_id,
            "snapshot": snapshot,
            "quote": quote,
            "stance": stance,
            "note": note,
            "pinned_by": by,
            "pinned_at": timezone.now(),
        },
    )
    s.action = "pin"
    s.note = note
    s.data = {
        "evidence": evidence.pk,
        **said,
        "source": snapshot.source_id,
        "stance": stance,
        "changed": not created,
    }
    return evidence


def evidence_unpin(
    *, ticket: Ticket, evidence: Evidence | int, by, expected_version: int | None = None
) -> None:
    """Remove a pin from the claim's working evidence; revisions keep their own copies."""
    if not by.has_perm("claims.delete_evidence"):
        raise NotAllowed("You cannot unpin evidence: ask an editor for the fact-checker role.")
    evidence_id = evidence.pk if isinstance(evidence, Evidence) else evidence
    with step(ticket, by=by, action="save_draft", expected_version=expected_version) as s:
        found = Evidence.objects.filter(pk=evidence_id, claim_id=s.ticket.claim_id).first()
        if found is None:
            raise ReviewError("That evidence is no longer pinned to this claim.")
        s.action = "unpin"
        s.data = {
            "evidence": found.pk,
            "source": found.source_id,
            "stance": found.stance,
            "quote": found.quote[:200],
        }
        found.delete()


def source_refetch(*, ticket: Ticket, source: Source | int, by) -> int:
    """Fetch a source the ticket's claim cites again; editors only, recorded on the trail.

    A source behind a published verdict keeps its archived copy of record (the revision pinned
    it); a newer snapshot only tells readers that the live page has changed since.
    """
    if by is None or not by.has_perm(workflow.PUBLISH):
        raise NotAllowed("Only editors can re-fetch a source from the ticket page.")
    source_id = source.pk if isinstance(source, Source) else source
    with transaction.atomic():
        locked = lock(ticket)
        if not locked.claim.citations.filter(source_id=source_id).exists():
            raise ReviewError("This claim does not cite that source.")
        url = Source.objects.values_list("normalized_url", flat=True).get(pk=source_id)
        queued = sources_fetch_now(source_ids=[source_id], by=by, published_ok=True)
        Event.objects.create(
            ticket=locked,
            actor=by,
            action="refetch",
            from_stage=locked.stage,
            to_stage=locked.stage,
            data={"source": source_id, "url": url, "queued": queued},
        )
    return queued
