"""Decide whether a person may take a desk action on a ticket now, and say why not."""

from functools import cached_property

from django.conf import settings
from django.utils import timezone

from reviews import workflow
from reviews.errors import InvalidTransition, NotAllowed
from reviews.models import RevisionEvidence, Ticket, Verdict, Vote
from reviews.workflow import Stage

_WHO = {
    workflow.TRIAGE: "fact-checkers and editors",
    workflow.TAKE: "fact-checkers and editors",
    workflow.DRAFT: "fact-checkers and editors",
}


def approvals_required() -> int:
    """Return how many editors must approve a revision (REVIEW_APPROVALS_REQUIRED)."""
    return max(1, int(settings.REVIEW_APPROVALS_REQUIRED))


def evidence_required() -> bool:
    """Return whether a revision must cite evidence to be approved or published."""
    return bool(settings.REVIEW_REQUIRE_EVIDENCE)


# What the vote and publish forms say about a revision that relies on no evidence.
NO_EVIDENCE_WARNING = (
    "This revision cites no evidence: readers will see no quoted source, only the links the "
    "piece itself made, if any."
)


def panel_size() -> int:
    """Return how many editors may vote on one revision; 0 means any number (REVIEW_PANEL_SIZE)."""
    return max(0, int(settings.REVIEW_PANEL_SIZE))


class Facts:
    """What the rules need to know about a ticket beyond its row, each read at most once."""

    def __init__(self, ticket: Ticket):
        self.ticket = ticket

    @cached_property
    def verdict(self) -> Verdict | None:
        try:
            return self.ticket.verdict
        except Verdict.DoesNotExist:
            return None

    @cached_property
    def author_ids(self) -> set[int]:
        """Return everyone who wrote a revision of the verdict: none of them may vote on it."""
        if self.verdict is None:
            return set()
        return set(self.verdict.revisions.values_list("author_id", flat=True))

    @cached_property
    def current_votes(self) -> list[Vote]:
        if self.verdict is None or self.verdict.current_revision_id is None:
            return []
        return list(Vote.objects.filter(revision_id=self.verdict.current_revision_id))

    @cached_property
    def cites_evidence(self) -> bool:
        """Return whether the current revision relies on at least one piece of evidence."""
        if self.verdict is None or self.verdict.current_revision_id is None:
            return False
        return RevisionEvidence.objects.filter(
            revision_id=self.verdict.current_revision_id
        ).exists()

    @cached_property
    def open_correction(self):
        if self.verdict is None:
            return None
        return self.verdict.corrections.filter(published_at__isnull=True).first()


def _stage_list(stages: list[Stage]) -> str:
    labels = [str(s.label).lower() for s in stages]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def require(action, *, ticket: Ticket, user, facts: Facts) -> None:
    """Raise NotAllowed or InvalidTransition unless `user` may take `action` on `ticket` now.

    `action` is a desk action from the registry (reviews/actions.py): its transition names the
    stages and the permission, its verb words the refusal, its check covers the rest.
    `user=None` is the desk itself (a scheduled publication): only the stage rules apply.
    """
    if user is not None:
        if not user.is_authenticated:
            raise NotAllowed("Log in as a fact-checker or an editor to work on tickets.")
        required = workflow.permission(ticket, action.transition)
        if not user.has_perm(required):
            raise NotAllowed(f"Only {_WHO.get(required, 'editors')} can {action.verb}.")
    if not workflow.allowed_from(ticket, action.transition):
        raise InvalidTransition(
            f"Cannot {action.verb}: the ticket is {Stage(ticket.stage).label.lower()}. That is "
            f"possible only when it is {_stage_list(workflow.sources(ticket, action.transition))}."
        )
    if action.check is not None:
        action.check(ticket, user, facts)


def check_take(ticket: Ticket, user, facts: Facts) -> None:
    if ticket.assignee_id is not None:
        raise InvalidTransition(
            f"This ticket is already assigned to {ticket.assignee}; ask an editor to reassign it."
        )


def check_author_or_editor(ticket: Ticket, user, facts: Facts) -> None:
    if user is None or ticket.assignee_id == user.pk or user.has_perm(workflow.EDIT_ANY):
        return
    raise NotAllowed(
        f"This ticket is assigned to {ticket.assignee or 'nobody'}; only the assignee or an "
        "editor can work on its verdict."
    )


def check_submit(ticket: Ticket, user, facts: Facts) -> None:
    check_author_or_editor(ticket, user, facts)
    verdict = facts.verdict
    if verdict is None or verdict.current_revision_id is None:
        raise InvalidTransition("Save a draft verdict before submitting it for review.")
    if ticket.stage == Stage.CORRECTING and (
        verdict.current_revision_id == verdict.published_revision_id
    ):
        raise InvalidTransition(
            "Nothing is corrected yet: save a corrected draft before submitting it for review."
        )
    if any(not vote.approve for vote in facts.current_votes):
        # The editor who sent this revision back has voted on it and could not vote again.
        raise InvalidTransition(
            "An editor sent this revision back: save a new draft that answers their note "
            "before submitting it again."
        )


def check_vote(ticket: Ticket, user, facts: Facts) -> None:
    if user is not None and user.pk in facts.author_ids:
        raise NotAllowed("You wrote part of this verdict, so another editor must vote on it.")
    if user is not None and any(v.editor_id == user.pk for v in facts.current_votes):
        raise InvalidTransition("You already voted on this revision.")
    size = panel_size()
    if size and len(facts.current_votes) >= size:
        raise InvalidTransition(f"The panel of {size} has already voted on this revision.")


def check_evidence(facts: Facts, *, verb: str) -> None:
    """Refuse to `verb` a revision that cites no evidence while REVIEW_REQUIRE_EVIDENCE is on."""
    if not evidence_required() or facts.cites_evidence:
        return
    raise InvalidTransition(
        f"Cannot {verb} this revision: it cites no evidence, and this desk requires at least one "
        "piece before a verdict is approved or published. Reject it or request changes with a "
        "note saying what to source; the fact-checker pins a passage and ticks it under "
        '"Evidence it relies on" in a new draft.'
    )


def check_publish(ticket: Ticket, user, facts: Facts) -> None:
    article = ticket.claim.article
    if ticket.stage == Stage.SCHEDULED and article.is_embargoed():
        embargo = timezone.localtime(article.embargo_until)
        raise InvalidTransition(
            f"The article is under embargo until {embargo:%Y-%m-%d %H:%M %Z}; the verdict "
            "publishes itself then."
        )
    if not any(v.approve for v in facts.current_votes):
        raise InvalidTransition("The current revision has no editor's approval; review it first.")
    if not facts.verdict.current_revision.short_claim:
        raise InvalidTransition(
            "Write the short claim (at most 75 characters, as search engines show it) before "
            "publishing: request changes, save a draft with it and have it approved."
        )
    # The desk's own publication when an embargo lifts carries out what a person already
    # published under the rules then in force; turning the setting on later does not strand it.
    if user is not None:
        check_evidence(facts, verb="publish")


def require_preview(ticket: Ticket, user) -> None:
    """Raise NotAllowed unless `user` may preview the verdict's draft: editors and the assignee."""
    if user is None or not user.is_active:
        raise NotAllowed("Log in to the desk to preview a verdict.")
    if user.has_perm(workflow.VOTE) or user.has_perm(workflow.EDIT_ANY):
        return
    if ticket.assignee_id is not None and ticket.assignee_id == user.pk:
        return
    raise NotAllowed("Only editors and the ticket's assignee can preview its verdict.")


def may_preview(ticket: Ticket, user) -> bool:
    """Return whether `user` may preview the ticket's verdict (see require_preview)."""
    try:
        require_preview(ticket, user)
    except NotAllowed:
        return False
    return True
