"""Store the desk's work on each claim: the ticket, its audit trail, the e-mails it owes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin

from claims.models import Claim
from reviews import workflow
from reviews.workflow import PERMISSIONS, WORK_STAGES, DismissReason, Stage, TicketWorkflow


class Ticket(TicketWorkflow, FSMModelMixin, models.Model):
    """The desk's work on one claim: its stage, who works on it and by when."""

    claim = models.OneToOneField(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="ticket"
    )
    # Protected: only the transitions declared in reviews/workflow.py change it.
    stage = FSMField(
        _("stage"), max_length=32, choices=Stage.choices, default=Stage.NEW, protected=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        help_text=_("The fact-checker researching the claim."),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    dismiss_reason = models.CharField(
        _("dismissed as"), max_length=32, choices=DismissReason.choices, blank=True
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        help_text=_("The ticket that covers the same claim (set when dismissed as a duplicate)."),
    )
    reuses_verdict = models.ForeignKey(
        "reviews.Verdict",
        verbose_name=_("reuses verdict"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reused_by",
        help_text=_("A published verdict on the same claim that this piece is marked with."),
    )
    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        help_text=_("Counts every change, so a form opened before a change can be refused."),
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), auto_now=True)

    class Meta:
        verbose_name = _("claim ticket")
        verbose_name_plural = _("claim tickets")
        permissions = PERMISSIONS
        indexes = [
            models.Index(fields=["stage", "id"], name="ticket_stage_idx"),
            models.Index(fields=["assignee", "stage"], name="ticket_assignee_idx"),
            models.Index(fields=["due_at", "id"], name="ticket_due_idx"),
            # "Overdue": the archive's due dates are long past, so the owed tickets get their
            # own index instead of a walk through every published one. New tickets (all of
            # ingestion's) are not in it.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(stage__in=[stage.value for stage in WORK_STAGES]),
                name="ticket_owed_due_idx",
            ),
            # "To review", oldest first, however many tickets the desk has reviewed before.
            models.Index(
                fields=["updated_at", "id"],
                condition=Q(stage=Stage.IN_REVIEW.value),
                name="ticket_in_review_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(stage=Stage.DISMISSED) & ~Q(dismiss_reason=""))
                | (~Q(stage=Stage.DISMISSED) & Q(dismiss_reason="")),
                name="ticket_dismissed_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(
                    stage__in=[Stage.RESEARCHING, Stage.CHANGES_REQUESTED, Stage.CORRECTING]
                )
                | Q(assignee__isnull=False),
                name="ticket_work_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"Ticket #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("admin:reviews_ticket_change", args=[self.pk])

    def is_overdue(self, now=None) -> bool:
        """Return whether the due date passed while the desk still owes work on the ticket."""
        return (
            self.due_at is not None
            and self.stage in WORK_STAGES
            and self.due_at < (now or timezone.now())
        )


def recorded_actions() -> list[tuple[str, str]]:
    """Return the actions the audit trail records, as the ticket's transitions word them."""
    return workflow.recorded_actions(Ticket())


class RecordedActionField(models.CharField):
    """A transition's name, its choices read from reviews/workflow.py once the models are ready.

    Migrations see a CharField with the choices written out, so they never import this module.
    """

    def __init__(self, *args, **kwargs):
        kwargs["choices"] = recorded_actions
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        kwargs["choices"] = list(self.choices)
        return name, "django.db.models.CharField", args, kwargs


class Event(models.Model):
    """One entry of a ticket's audit trail: who did what, from which stage to which, and why."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the desk acted by itself (publication when an embargo lifts)."),
    )
    # The transition that ran, worded as reviews/workflow.py declares it (a vote that approves
    # or rejects is recorded as a vote).
    action = RecordedActionField(_("action"), max_length=32)
    from_stage = models.CharField(_("from"), max_length=32, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=32, choices=Stage.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="event_timeline_idx"),
            models.Index(fields=["created_at", "id"], name="event_created_idx"),
            models.Index(fields=["action", "created_at"], name="event_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} on ticket #{self.ticket_id}"


class StageSpell(models.Model):
    """One stay of a ticket in one stage: when it entered, and when it left (empty while there).

    Written by the transition step beside the audit event that moved the ticket, so the time
    spent in each stage is read from these rows instead of being rebuilt from the whole trail.
    """

    ticket = models.ForeignKey(
        Ticket,
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="spells",
        # spell_ticket_idx leads with the ticket and serves the foreign key.
        db_index=False,
    )
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices)
    entered_at = models.DateTimeField(_("entered at"))
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stage spell")
        verbose_name_plural = _("stage spells")
        indexes = [
            models.Index(fields=["ticket", "entered_at"], name="spell_ticket_idx"),
            models.Index(fields=["stage", "entered_at"], name="spell_stage_idx"),
        ]
        constraints = [
            # A ticket is in one stage at a time.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(left_at__isnull=True), name="spell_one_open"
            ),
            models.CheckConstraint(
                condition=Q(left_at__isnull=True) | Q(left_at__gte=models.F("entered_at")),
                name="spell_leaves_after_entering",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ticket #{self.ticket_id} in {self.stage}"


class Notification(models.Model):
    """One e-mail owed to one person about one event; pending until it was handed to the mailer."""

    class Kind(models.TextChoices):
        # A ticket was assigned to the recipient.
        ASSIGNED = "assigned", _("assigned to you")
        # A verdict awaits the recipient's vote.
        REVIEW_REQUESTED = "review_requested", _("review requested")
        # The recipient's verdict came back with a note.
        CHANGES_REQUESTED = "changes_requested", _("changes requested")
        # The recipient's verdict is public.
        PUBLISHED = "published", _("published")
        # The recipient's published verdict was reopened for a correction.
        CORRECTION_REQUESTED = "correction_requested", _("correction requested")
        # A claim the recipient's published verdict ruled on appeared in a new piece.
        CIRCULATING = "circulating", _("claim circulating again")
        # Someone named the recipient (@username) in the ticket's discussion.
        MENTIONED = "mentioned", _("mentioned you")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="review_notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_once")
        ]
        indexes = [
            models.Index(
                fields=["created_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="notification_pending_idx",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} to {self.recipient_id}"
