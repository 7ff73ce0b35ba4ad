"""Declare a claim ticket's stages, the transitions between them and the permission each needs."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, transition


class Stage(models.TextChoices):
    # Opened for a claim the desk received; nobody has triaged it yet.
    NEW = "new", _("New")
    # Triaged as worth checking; waits for a fact-checker.
    QUEUED = "queued", _("Queued")
    # Triaged as not worth checking, with a reason; can be reopened.
    DISMISSED = "dismissed", _("Dismissed")
    # A fact-checker researches the claim and drafts the verdict.
    RESEARCHING = "researching", _("Researching")
    # The verdict was submitted; editors vote on its current revision.
    IN_REVIEW = "in_review", _("In review")
    # Sent back to the fact-checker with an editor's note.
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    # Enough editors approved the current revision; an editor may publish it.
    APPROVED = "approved", _("Approved")
    # Released for publication, held back by the article's embargo; publishes itself when it lifts.
    SCHEDULED = "scheduled", _("Scheduled")
    # The public and API clients see the verdict.
    PUBLISHED = "published", _("Published")
    # A published verdict reopened for a correction; the published version stays public meanwhile.
    CORRECTING = "correcting", _("Correcting")
    # Withdrawn by an editor with a public reason; clients see it as retracted.
    RETRACTED = "retracted", _("Retracted")


class DismissReason(models.TextChoices):
    # An opinion or value judgement, not a statement of fact.
    OPINION = "opinion", _("Opinion")
    # A factual claim, but no evidence could settle it (predictions, private knowledge).
    NOT_CHECKABLE = "not_checkable", _("Not checkable")
    # Another ticket covers the same claim.
    DUPLICATE = "duplicate", _("Duplicate")
    # Outside what this desk checks.
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")


# The desk's custom permissions, held by the role groups (reviews/roles.py) and checked by services.
TRIAGE = "reviews.triage_ticket"
TAKE = "reviews.take_ticket"
ASSIGN = "reviews.assign_ticket"
DRAFT = "reviews.draft_verdict"
EDIT_ANY = "reviews.edit_any_verdict"
VOTE = "reviews.vote_verdict"
REQUEST_CHANGES = "reviews.request_changes"
PUBLISH = "reviews.publish_verdict"
RETRACT = "reviews.retract_verdict"
CORRECT = "reviews.request_correction"

PERMISSIONS = [
    ("triage_ticket", "Can triage tickets: queue, dismiss, reopen"),
    ("take_ticket", "Can take an unassigned ticket to research it"),
    ("assign_ticket", "Can assign and reassign tickets"),
    ("draft_verdict", "Can draft and submit the verdict of a ticket assigned to them"),
    ("edit_any_verdict", "Can draft and submit verdicts of tickets assigned to others"),
    ("vote_verdict", "Can vote on verdicts in review (never on their own)"),
    ("request_changes", "Can send a verdict back to the fact-checker"),
    ("publish_verdict", "Can publish approved verdicts"),
    ("retract_verdict", "Can retract published verdicts"),
    ("request_correction", "Can reopen a published verdict for a correction"),
]

S = Stage

# Stages in which the ticket is still being worked on, so assignment and due dates matter.
OPEN_STAGES = [
    S.NEW,
    S.QUEUED,
    S.RESEARCHING,
    S.IN_REVIEW,
    S.CHANGES_REQUESTED,
    S.APPROVED,
    S.SCHEDULED,
    S.PUBLISHED,
    S.CORRECTING,
]
# Stages in which somebody owes the desk work on the ticket: "my queue" and "overdue" list these.
WORK_STAGES = [S.QUEUED, S.RESEARCHING, S.CHANGES_REQUESTED, S.CORRECTING, S.IN_REVIEW]
# Stages in which the verdict text may change; an edit in review discards the votes cast so far.
EDITABLE_STAGES = [S.RESEARCHING, S.CHANGES_REQUESTED, S.IN_REVIEW, S.CORRECTING]


class TicketWorkflow:
    """The transitions of `Ticket.stage`, declared once.

    The bodies are empty on purpose: the decorators are the declaration (source, target,
    permission, and in `custom["event"]` how the audit trail words it), and the services in
    reviews/services/ call these methods after locking the row and checking the rules, so the
    stage never changes any other way. `target=None` marks an action allowed in a stage that
    keeps the stage as it is. Approve carries no wording: it is recorded as a vote. There is one
    way to send a verdict back, request_changes; in review it records the editor's dissent.
    """

    @transition(
        "stage", source=S.NEW, target=S.QUEUED, permission=TRIAGE, custom={"event": _("queued")}
    )
    def queue(self):
        """Accept the claim as worth checking."""

    @transition(
        "stage",
        source=[S.NEW, S.QUEUED],
        target=S.DISMISSED,
        permission=TRIAGE,
        custom={"event": _("dismissed")},
    )
    def dismiss(self):
        """Set the claim aside with a reason."""

    @transition(
        "stage",
        source=S.DISMISSED,
        target=S.NEW,
        permission=TRIAGE,
        custom={"event": _("reopened")},
    )
    def reopen(self):
        """Undo a dismissal: the claim goes back to triage."""

    @transition(
        "stage", source=S.QUEUED, target=S.RESEARCHING, permission=TAKE, custom={"event": _("took")}
    )
    def take(self):
        """Start researching an unassigned claim oneself."""

    @transition(
        "stage",
        source=[S.NEW, S.QUEUED],
        target=S.RESEARCHING,
        permission=ASSIGN,
        custom={"event": _("assigned")},
    )
    @transition(
        "stage",
        source=[s for s in OPEN_STAGES if s not in (S.NEW, S.QUEUED)],
        target=None,
        permission=ASSIGN,
        custom={"event": _("assigned")},
    )
    def assign(self):
        """Give the ticket to a fact-checker; assigning an untouched ticket starts research."""

    @transition(
        "stage",
        source=EDITABLE_STAGES,
        target=None,
        permission=DRAFT,
        custom={"event": _("saved a draft of the verdict")},
    )
    def save_draft(self):
        """Save a new revision of the verdict."""

    @transition(
        "stage",
        source=[S.RESEARCHING, S.CHANGES_REQUESTED, S.CORRECTING],
        target=S.IN_REVIEW,
        permission=DRAFT,
        custom={"event": _("submitted for review")},
    )
    def submit(self):
        """Ask the editors to review the current revision."""

    @transition(
        "stage", source=S.IN_REVIEW, target=None, permission=VOTE, custom={"event": _("voted")}
    )
    def vote(self):
        """Record an approval that does not yet reach the number required."""

    @transition("stage", source=S.IN_REVIEW, target=S.APPROVED, permission=VOTE)
    def approve(self):
        """Record the approval that reaches the number required."""

    @transition(
        "stage",
        source=[S.IN_REVIEW, S.APPROVED, S.SCHEDULED],
        target=S.CHANGES_REQUESTED,
        permission=REQUEST_CHANGES,
        custom={"event": _("requested changes")},
    )
    def request_changes(self):
        """Send the verdict back to the fact-checker with a note (the one way back)."""

    @transition(
        "stage",
        source=S.APPROVED,
        target=S.SCHEDULED,
        permission=PUBLISH,
        custom={"event": _("scheduled")},
    )
    def schedule(self):
        """Release an approved verdict whose article is still under embargo."""

    @transition(
        "stage",
        source=[S.APPROVED, S.SCHEDULED],
        target=S.PUBLISHED,
        permission=PUBLISH,
        custom={"event": _("published")},
    )
    def publish(self):
        """Make the approved revision the public one."""

    @transition(
        "stage",
        source=S.PUBLISHED,
        target=S.CORRECTING,
        permission=CORRECT,
        custom={"event": _("requested a correction")},
    )
    def open_correction(self):
        """Reopen a published verdict for a correction; the public keeps seeing it meanwhile."""

    @transition(
        "stage",
        source=[S.PUBLISHED, S.CORRECTING],
        target=S.RETRACTED,
        permission=RETRACT,
        custom={"event": _("retracted")},
    )
    def retract(self):
        """Withdraw a published verdict, with a public reason."""


# Read through django-fsm-2's public API (get_all_<field>_transitions, can_proceed) on a ticket.


def declared(ticket, name: str) -> list:
    """Return the declared transitions called `name` (one per source stage) of `ticket`'s model."""
    found = [t for t in ticket.get_all_stage_transitions() if t.name == name]
    if not found:
        raise ValueError(f"{name!r} is not a declared ticket transition")
    return found


def allowed_from(ticket, name: str) -> bool:
    """Return whether the transition `name` may start from `ticket`'s stage."""
    declared(ticket, name)
    return can_proceed(getattr(ticket, name))


def sources(ticket, name: str) -> list[Stage]:
    """Return the stages the transition `name` may start from."""
    starts = {t.source for t in declared(ticket, name)}
    return [stage for stage in Stage if stage in starts]


def permission(ticket, name: str) -> str:
    """Return the permission the transition `name` needs (the same from every source)."""
    (required,) = {t.permission for t in declared(ticket, name)}
    return required


# What the audit trail records besides transitions: research steps that change no stage.
RESEARCH_EVENTS = {
    # A passage joined the claim's working evidence (or its stance or note changed).
    "pin": _("pinned evidence"),
    # A passage left the claim's working evidence; revisions keep their own copies.
    "unpin": _("unpinned evidence"),
    # An editor re-fetched a source that a published verdict relies on.
    "refetch": _("re-fetched a source"),
    # Matching found this published verdict's claim repeated in a newly ingested piece.
    "repeated": _("saw the claim repeated"),
    # Someone wrote in the ticket's discussion; the text stays in the comment, not the trail.
    "comment": _("commented"),
    # The claim's topics changed; on a published verdict readers and API clients see it.
    "tag": _("changed the tags"),
    # A file (screenshot, PDF, document) joined the claim's working evidence, or left it.
    "attach": _("attached a file"),
    "detach": _("detached a file"),
}


def recorded_actions(ticket) -> list[tuple[str, str]]:
    """Return the audit trail's actions as choices: each transition worded in custom["event"],
    and the research events."""
    worded = {t.name: t.custom.get("event") for t in ticket.get_all_stage_transitions()}
    worded |= RESEARCH_EVENTS
    return sorted((name, said) for name, said in worded.items() if said)
