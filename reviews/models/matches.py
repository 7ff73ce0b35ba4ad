"""Store what matching found: per new claim, the published verdicts, open tickets and other
publishers' fact-checks that state the same claim, and how publishers' ratings map to ours."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Claim, ExternalFactCheck
from reviews.models.verdicts import Rating, Verdict


class MatchRun(models.Model):
    """One matching of one claim under one encoder model; its existence makes the job idempotent."""

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="match_runs"
    )
    model_id = models.CharField(_("model"), max_length=200)
    ran_at = models.DateTimeField(_("matched at"), default=timezone.now)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        constraints = [
            models.UniqueConstraint(fields=["claim", "model_id"], name="match_run_once_per_model")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} claim #{self.claim_id} ({self.model_id})"


class ClaimMatch(models.Model):
    """A stored claim that a new claim repeats, with its score and how sure the desk is."""

    class Kind(models.TextChoices):
        # The desk's own published verdict: its claim and summary.
        VERDICT = "verdict", _("our verdict")
        # A claim on another open ticket: the same claim in another piece.
        TICKET = "ticket", _("open ticket")
        # Another publisher's fact-check.
        EXTERNAL = "external", _("their fact-check")

    class Level(models.TextChoices):
        # The same claim, figures and polarity agree: the verdict can be reused.
        CONFIRMED = "confirmed", _("confirmed")
        # Probably the same claim: a fact-checker decides.
        SUGGESTED = "suggested", _("suggested")

    run = models.ForeignKey(
        MatchRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="matches"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    verdict = models.ForeignKey(
        Verdict,
        verbose_name=_("verdict"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="repeats",
    )
    matched_claim = models.ForeignKey(
        Claim,
        verbose_name=_("matched claim"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    external = models.ForeignKey(
        ExternalFactCheck,
        verbose_name=_("external fact-check"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="matches",
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    conflicts = models.JSONField(
        _("conflicts"),
        default=list,
        blank=True,
        help_text=_("Why a high score was not confirmed (a changed figure, a negation)."),
    )

    class Meta:
        verbose_name = _("claim match")
        verbose_name_plural = _("claim matches")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="verdict", verdict__isnull=False)
                    & Q(matched_claim__isnull=True, external__isnull=True)
                )
                | (
                    Q(kind="ticket", matched_claim__isnull=False)
                    & Q(verdict__isnull=True, external__isnull=True)
                )
                | (
                    Q(kind="external", external__isnull=False)
                    & Q(verdict__isnull=True, matched_claim__isnull=True)
                ),
                name="claim_match_one_target",
            ),
            models.UniqueConstraint(fields=["run", "rank"], name="claim_match_rank_once"),
        ]
        indexes = [
            models.Index(fields=["verdict", "level"], name="claim_match_verdict_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.level} {self.score:.3f}"


class ExternalRatingMap(models.Model):
    """What one publisher's rating words mean on the desk's scale, as an admin said."""

    publisher = models.CharField(
        _("publisher"), max_length=300, help_text=_("As the ClaimReview names it, e.g. Snopes.")
    )
    rating_text = models.CharField(
        _("their rating"),
        max_length=300,
        help_text=_("Their words, matched without regard to case (e.g. Mostly False)."),
    )
    rating = models.ForeignKey(
        Rating, verbose_name=_("our rating"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("external rating mapping")
        verbose_name_plural = _("external rating mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["publisher", "rating_text"], name="external_rating_map_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.rating_text} → {self.rating}"
