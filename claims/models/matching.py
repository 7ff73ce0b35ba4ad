"""Store what matching needs: claim vectors per model, and other publishers' fact-checks."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Embedding(models.Model):
    """One text's vector under one encoder model, stored beside the model's id.

    A subject is named by kind and primary key (a claim, a published verdict, an external
    fact-check) so one table and one search serve all three, and `claims` needs no import of
    `reviews`. A vector whose subject is gone is ignored by searches and swept by the refresh job.
    """

    class Subject(models.TextChoices):
        # A claim from a piece the desk received: matched against, and matched as new.
        CLAIM = "claim", _("claim")
        # A published verdict: its claim and its summary.
        VERDICT = "verdict", _("published verdict")
        # Another publisher's fact-check (ClaimReview): the claim it reviewed.
        EXTERNAL = "external", _("external fact-check")

    subject = models.CharField(_("subject"), max_length=16, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    model_id = models.CharField(
        _("model"), max_length=200, help_text=_("The encoder's name, version and weights hash.")
    )
    text_sha256 = models.CharField(
        _("text hash"), max_length=64, help_text=_("SHA-256 of the text embedded.")
    )
    dim = models.PositiveSmallIntegerField(_("dimensions"))
    vector = models.BinaryField(_("vector"), help_text=_("float32, little-endian, L2-normalised."))
    created_at = models.DateTimeField(_("embedded at"), default=timezone.now)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "subject_id", "model_id"], name="embedding_once_per_model"
            ),
            models.CheckConstraint(condition=Q(dim__gt=0), name="embedding_dim_positive"),
        ]
        indexes = [models.Index(fields=["model_id", "subject", "id"], name="embedding_model_idx")]

    def __str__(self) -> str:
        return f"{self.subject} #{self.subject_id} ({self.model_id})"


class ExternalFactCheck(models.Model):
    """Another publisher's fact-check, imported from schema.org ClaimReview."""

    url = models.URLField(
        _("review URL"),
        max_length=2000,
        unique=True,
        help_text=_("The fact-check's own address; a re-import with the same URL updates it."),
    )
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    publisher_url = models.URLField(_("publisher URL"), max_length=2000, blank=True)
    claim_reviewed = models.TextField(_("claim reviewed"))
    claimant = models.CharField(
        _("claimant"), max_length=300, blank=True, help_text=_("itemReviewed.author: who said it.")
    )
    rating_text = models.CharField(
        _("rating"), max_length=300, blank=True, help_text=_("The publisher's own rating words.")
    )
    rating_value = models.FloatField(_("rating value"), null=True, blank=True)
    best_rating = models.FloatField(_("best rating"), null=True, blank=True)
    worst_rating = models.FloatField(_("worst rating"), null=True, blank=True)
    reviewed_at = models.DateField(_("date reviewed"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    imported_from = models.CharField(
        _("imported from"), max_length=2000, help_text=_("The file or feed URL it came from.")
    )
    imported_at = models.DateTimeField(_("first imported at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last imported at"), auto_now=True)

    class Meta:
        verbose_name = _("external fact-check")
        verbose_name_plural = _("external fact-checks")
        indexes = [
            models.Index(fields=["publisher", "id"], name="external_publisher_idx"),
            models.Index(fields=["updated_at", "id"], name="external_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.publisher}: {self.claim_reviewed[:60]}"

    def get_absolute_url(self) -> str:
        return self.url
