"""Write verdicts, submit them, and let editors vote on them or send them back."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Max

from claims.models import Evidence
from reviews import workflow
from reviews.errors import InvalidTransition, ReviewError
from reviews.models import Notification, Rating, Ticket, Verdict, VerdictRevision, Vote
from reviews.rules import approvals_required, check_evidence, check_vote
from reviews.selectors import users_with_permission
from reviews.services._steps import required_text, step
from reviews.services.attachments import (
    attachments_content,
    revision_copy_attachments,
    working_attachments,
)
from reviews.services.record import (
    evidence_content,
    revision_copy_evidence,
    revision_links_pin,
)
from reviews.shortclaim import SHORT_CLAIM_MAX
from reviews.workflow import Stage

SUMMARY_MAX = VerdictRevision._meta.get_field("summary").max_length
_URL = URLValidator(schemes=["http", "https"])


def _web_address(value: str) -> str:
    """Return `value` stripped if it is an http(s) address (or empty); refuse anything else."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        _URL(value)
    except ValidationError as invalid:
        raise ReviewError(
            "Give the claim's first appearance as a web address starting with http:// or "
            "https://, or leave it empty when the piece is where it first appeared."
        ) from invalid
    return value


def _people_on(ticket: Ticket, verdict: Verdict | None) -> list:
    """Return the assignee and every author of the verdict: those told about its fate."""
    people = [ticket.assignee] if ticket.assignee_id else []
    if verdict is not None:
        people += [r.author for r in verdict.revisions.select_related("author")]
    return people


def verdict_save_draft(
    *,
    ticket: Ticket,
    by,
    rating: Rating,
    summary: str,
    explanation: str,
    evidence: Iterable[Evidence] = (),
    short_claim: str = "",
    first_appearance_url: str = "",
    expected_version: int | None = None,
) -> VerdictRevision:
    """Save the verdict as a new immutable revision, which becomes the current one.

    `evidence` is the pinned evidence of this ticket's claim that the revision relies on; the
    revision keeps its own copy of it, which later pins and unpins never change.
    `short_claim` (at most 75 characters) is how search engines show the claim; it may wait
    until publication, which needs it. `first_appearance_url` is an earlier appearance of the
    claim than the piece, if the fact-checker found one.
    In review, the votes cast so far stay on the record with the revision they judged, but no
    longer count: the new revision needs its own approvals.
    """
    evidence = sorted(evidence, key=lambda item: (item.pinned_at, item.pk))
    foreign = [item for item in evidence if item.claim_id != ticket.claim_id]
    if foreign:
        raise ReviewError("Evidence pinned to another claim cannot support this verdict.")
    evidence_ids = {item.pk for item in evidence}
    summary = required_text(summary, "Write a one-sentence summary of the verdict.")
    explanation = required_text(explanation, "Explain the verdict and the evidence behind it.")
    if len(summary) > SUMMARY_MAX:
        raise ReviewError(f"Keep the summary to {SUMMARY_MAX} characters (it has {len(summary)}).")
    short_claim = " ".join((short_claim or "").split())
    if len(short_claim) > SHORT_CLAIM_MAX:
        raise ReviewError(
            f"Keep the short claim to {SHORT_CLAIM_MAX} characters (it has {len(short_claim)})."
        )
    first_appearance_url = _web_address(first_appearance_url)
    with step(ticket, by=by, action="save_draft", expected_version=expected_version) as s:
        verdict, _created = Verdict.objects.get_or_create(ticket=s.ticket)
        last = verdict.current_revision
        # Uploaded files on the claim's working evidence: the revision relies on all of them.
        files = working_attachments(s.ticket.claim_id)
        if last is not None and (
            last.rating_id,
            last.summary,
            last.explanation,
            evidence_content(list(last.evidence.all())),
            attachments_content(list(last.attachments.all())),
            last.short_claim,
            last.first_appearance_url,
        ) == (
            rating.pk,
            summary,
            explanation,
            evidence_content(evidence),
            attachments_content(files),
            short_claim,
            first_appearance_url,
        ):
            raise InvalidTransition(f"Nothing changed since revision {last.number}.")
        if not rating.is_active and (last is None or last.rating_id != rating.pk):
            raise ReviewError(f"“{rating}” is no longer offered; choose another rating.")
        in_review = s.ticket.stage == Stage.IN_REVIEW
        discarded = list(last.votes.all()) if in_review and last is not None else []
        number = (verdict.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = VerdictRevision.objects.create(
            verdict=verdict,
            number=number,
            rating=rating,
            summary=summary,
            explanation=explanation,
            short_claim=short_claim,
            first_appearance_url=first_appearance_url,
            author=by,
        )
        revision_copy_evidence(revision=revision, evidence=evidence)
        revision_copy_attachments(revision=revision, attachments=files)
        # Only the pointer moves: the public-facing updated_at must not change for a draft.
        verdict.current_revision = revision
        verdict.save(update_fields=["current_revision"])
        s.ticket.save_draft()
        s.data = {
            "revision": number,
            "rating": rating.slug,
            "summary": summary,
            "short_claim": short_claim,
            "first_appearance": first_appearance_url,
            "evidence": sorted(evidence_ids),
            "discarded_votes": len(discarded),
        }
        if files:
            s.data["attachments"] = [item.pk for item in files]
        if discarded:
            s.note = f"{len(discarded)} vote(s) on revision {last.number} no longer count."
    return revision


def verdict_submit(
    *, ticket: Ticket, by, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Ask the editors to review the current revision."""
    with step(ticket, by=by, action="submit", expected_version=expected_version, note=note) as s:
        revision = s.facts.verdict.current_revision
        s.ticket.submit()
        s.data = {"revision": revision.number, "rating": revision.rating.slug}
        authors = s.facts.author_ids
        s.notify_users(
            Notification.Kind.REVIEW_REQUESTED,
            users_with_permission(workflow.VOTE).exclude(pk__in=authors),
        )
    return s.ticket


def vote_cast(
    *,
    ticket: Ticket,
    by,
    approve: bool = True,
    rating: Rating | None = None,
    note: str = "",
    expected_version: int | None = None,
    followed_precedent: bool | None = None,
) -> Vote:
    """Record an editor's approval of the current revision, with the rating they would give.

    ``followed_precedent`` is the voter's word on whether the vote follows how the desk ruled
    on the most similar past claims (None: not said).

    The approval that reaches REVIEW_APPROVALS_REQUIRED approves the verdict. A vote only
    approves: the one way to send a verdict back is verdict_request_changes, which records the
    editor's dissent as a vote against.
    """
    if not approve:
        raise ReviewError(
            "A vote approves. To send the verdict back, request changes with a note "
            "(action request_changes): it records your vote against."
        )
    with step(ticket, by=by, action="vote", expected_version=expected_version, note=note) as s:
        check_evidence(s.facts, verb="approve")
        revision = s.facts.verdict.current_revision
        vote = Vote.objects.create(
            revision=revision,
            editor=by,
            approve=True,
            rating=rating or revision.rating,
            note=s.note,
            followed_precedent=followed_precedent,
        )
        approvals = revision.votes.filter(approve=True).count()
        required = approvals_required()
        if approvals >= required:
            # What the editors approved includes the archived copies of the piece's own links.
            revision_links_pin(revision=revision, claim_id=s.ticket.claim_id)
            s.ticket.approve()
        else:
            s.ticket.vote()
        s.data = {
            "revision": revision.number,
            "approve": True,
            "rating": vote.rating.slug,
            "approvals": approvals,
            "required": required,
        }
        if followed_precedent is not None:
            s.data["followed_precedent"] = followed_precedent
    return vote


def _may_dissent(by, facts) -> bool:
    """Return whether `by` could vote on the current revision, so their send-back counts as one."""
    try:
        check_vote(facts.ticket, by, facts)
    except ReviewError:
        return False
    return by is not None and by.has_perm(workflow.VOTE)


def verdict_request_changes(
    *, ticket: Ticket, by, note: str, expected_version: int | None = None
) -> Ticket:
    """Send the verdict back to the fact-checker with a note: the one way back.

    In review, an editor who could vote on the current revision has the send-back recorded as
    their vote against it, so dissent stays on the record with the revision it judged.
    """
    note = required_text(note, "Say what must change.")
    with step(
        ticket, by=by, action="request_changes", expected_version=expected_version, note=note
    ) as s:
        revision = s.facts.verdict.current_revision if s.facts.verdict else None
        if s.ticket.stage == Stage.IN_REVIEW and revision is not None and _may_dissent(by, s.facts):
            Vote.objects.create(revision=revision, editor=by, approve=False, note=s.note)
            s.data = {"revision": revision.number, "voted_against": True}
        s.ticket.request_changes()
        s.notify_users(Notification.Kind.CHANGES_REQUESTED, _people_on(s.ticket, s.facts.verdict))
    return s.ticket
