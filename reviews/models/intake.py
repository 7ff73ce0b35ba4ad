"""Store the record of each piece the desk received: who brought it, its progress, its removal."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Article


class Intake(models.Model):
    """One piece received at the desk, from the admin, the command line or the API.

    A large piece pasted in the admin waits here (with its text) until a background job
    ingests it; every received piece keeps this row as the record of who brought it in and,
    if it was a mistake, who removed it and why.
    """

    class State(models.TextChoices):
        # Waiting for the background job that extracts its claims.
        QUEUED = "queued", _("queued")
        # The background job is extracting and storing its claims.
        INGESTING = "ingesting", _("ingesting")
        # The article and its claim tickets exist.
        INGESTED = "ingested", _("ingested")
        # The piece could not be ingested; the error says why.
        FAILED = "failed", _("failed")
        # Someone asked to remove the piece; a background job is deleting its claims.
        REMOVING = "removing", _("removing")
        # The article, its claims and their tickets are gone; this row is the record.
        REMOVED = "removed", _("removed")

    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=300, blank=True)
    publication = models.CharField(_("publication"), max_length=300, blank=True)
    url = models.CharField(_("canonical URL"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    embargo_until = models.DateTimeField(_("embargo until"), null=True, blank=True)
    body_format = models.CharField(_("format"), max_length=16, default="auto")
    body = models.TextField(
        _("text waiting to be ingested"),
        blank=True,
        help_text=_("Kept only until the background job has ingested it."),
    )
    characters = models.PositiveIntegerField(_("characters"), default=0)
    file_name = models.CharField(_("uploaded file"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    progress = models.CharField(
        _("progress"), max_length=300, blank=True, help_text=_("What the job is doing now.")
    )
    error = models.TextField(_("error"), blank=True)
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created = models.BooleanField(
        _("new piece"),
        default=True,
        help_text=_("False when the same text had been ingested before."),
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for an operator's command."),
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.TextField(_("why it was removed"), blank=True)
    job_due_at = models.DateTimeField(
        _("job due again at"),
        null=True,
        blank=True,
        help_text=_(
            "While a background job is owed (queued, ingesting, removing): when the sweeper "
            "sends it again if it has not finished (a message the broker lost, a worker killed)."
        ),
    )

    class Meta:
        verbose_name = _("piece received")
        verbose_name_plural = _("pieces received")
        indexes = [
            models.Index(fields=["received_at", "id"], name="intake_received_idx"),
            models.Index(fields=["state", "received_at"], name="intake_state_idx"),
            models.Index(
                fields=["job_due_at"],
                name="intake_job_due_idx",
                condition=models.Q(job_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("admin:reviews_intake_change", args=[self.pk])

    @property
    def running(self) -> bool:
        """Return whether a background job still works on this piece."""
        return self.state in {self.State.QUEUED, self.State.INGESTING, self.State.REMOVING}
