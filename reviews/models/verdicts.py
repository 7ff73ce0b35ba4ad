"""Store what the desk decided: the rating scale, verdicts, revisions, votes, corrections."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import Evidence
from reviews.models.tickets import Ticket
from reviews.shortclaim import SHORT_CLAIM_MAX

_HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a hex colour such as #2e7d32."))


class Rating(models.Model):
    """One step of the desk's rating scale, editable by administrators."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=80)
    definition = models.TextField(
        _("definition"), help_text=_("Shown to fact-checkers next to the choice.")
    )
    numeric_value = models.PositiveSmallIntegerField(
        _("numeric value"),
        null=True,
        blank=True,
        help_text=_(
            "ClaimReview ratingValue. The lowest and highest values on the scale become "
            "worstRating and bestRating. Leave empty for ratings off the scale (Misleading)."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    colour = models.CharField(
        _("colour"),
        max_length=7,
        default="#6b7280",
        validators=[_HEX_COLOUR],
        help_text=_("Badge colour in the admin, as #rrggbb."),
    )
    is_active = models.BooleanField(
        _("offered"),
        default=True,
        help_text=_("Offer it for new verdicts. Verdicts that already use it keep it."),
    )
    # Public pages and the API show the scale: their ETags read this to notice an edit.
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("rating scale")
        indexes = [models.Index(fields=["order", "id"], name="rating_order_idx")]

    def __str__(self) -> str:
        return self.label


class Verdict(models.Model):
    """The desk's verdict on a claim: its revisions, and which one the public sees."""

    ticket = models.OneToOneField(
        Ticket, verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="verdict"
    )
    current_revision = models.ForeignKey(
        "VerdictRevision",
        verbose_name=_("current revision"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The latest revision: the one editors vote on. Never public by itself."),
    )
    published_revision = models.ForeignKey(
        "VerdictRevision",
        verbose_name=_("published revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("What the public sees; stays the same while a correction is under way."),
    )
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    retraction_reason = models.TextField(_("retraction reason"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set by the services only when what the public sees changes (publication, correction,
    # retraction), never on save: API clients syncing by it must not see drafts move it.
    updated_at = models.DateTimeField(
        _("public change at"),
        default=timezone.now,
        help_text=_("When the public last saw a change: publication, correction or retraction."),
    )

    class Meta:
        verbose_name = _("verdict")
        verbose_name_plural = _("verdicts")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="verdict_sync_idx"),
            models.Index(fields=["published_at", "id"], name="verdict_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_revision__isnull=True, published_at__isnull=True)
                | Q(published_revision__isnull=False, published_at__isnull=False),
                name="verdict_published_has_revision",
            ),
            models.CheckConstraint(
                condition=Q(retracted_at__isnull=True, retraction_reason="")
                | (
                    Q(retracted_at__isnull=False, published_revision__isnull=False)
                    & ~Q(retraction_reason="")
                ),
                name="verdict_retraction_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Verdict #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("admin:reviews_ticket_change", args=[self.ticket_id])

    @property
    def is_retracted(self) -> bool:
        return self.retracted_at is not None


class VerdictRevision(models.Model):
    """One immutable version of a verdict; every edit makes a new one."""

    verdict = models.ForeignKey(
        Verdict, verbose_name=_("verdict"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    rating = models.ForeignKey(
        Rating, verbose_name=_("rating"), on_delete=models.PROTECT, related_name="revisions"
    )
    summary = models.CharField(
        _("summary"), max_length=200, help_text=_("One headline-length sentence.")
    )
    explanation = models.TextField(
        _("explanation"), help_text=_("The full reasoning, citing the evidence it relies on.")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="verdict_revisions",
    )
    short_claim = models.CharField(
        _("short claim"),
        max_length=SHORT_CLAIM_MAX,
        blank=True,
        help_text=_(
            "The claim in at most 75 characters, as search engines show it (ClaimReview's "
            "claimReviewed). Required before publishing."
        ),
    )
    first_appearance_url = models.URLField(
        _("first appearance"),
        max_length=2000,
        blank=True,
        help_text=_(
            "Where the claim appeared first, if before this piece; empty means the piece itself."
        ),
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("verdict revision")
        verbose_name_plural = _("verdict revisions")
        constraints = [
            models.UniqueConstraint(fields=["verdict", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"Verdict #{self.verdict_id} r{self.number}"


class RevisionEvidence(models.Model):
    """A revision's own copy of one piece of evidence it relies on, made when it was saved.

    Pinning and unpinning change only the claim's working set (claims.Evidence) for the next
    revision; what an approved revision shows readers never changes after it was written.
    """

    revision = models.ForeignKey(
        VerdictRevision,
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    position = models.PositiveSmallIntegerField(_("position"))
    pinned = models.ForeignKey(
        Evidence,
        verbose_name=_("copied from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revision_copies",
        help_text=_("The pin it was copied from; unpinning it later leaves this copy as it is."),
    )
    source = models.ForeignKey(
        "claims.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.ForeignKey(
        "claims.Snapshot",
        verbose_name=_("snapshot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The archived version the quote comes from."),
    )
    quote = models.TextField(_("quote"))
    start = models.PositiveIntegerField(
        _("quote start"), null=True, blank=True, help_text=_("Offset in the snapshot's text.")
    )
    end = models.PositiveIntegerField(_("quote end"), null=True, blank=True)
    stance = models.CharField(_("stance"), max_length=16, choices=Evidence.Stance.choices)
    note = models.TextField(_("public note"), blank=True, help_text=_("Shown to readers."))

    class Meta:
        verbose_name = _("evidence of a revision")
        verbose_name_plural = _("evidence of revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "position"], name="revision_evidence_unique_position"
            ),
        ]

    def __str__(self) -> str:
        return f"r{self.revision_id} #{self.position} {self.stance}: {self.quote[:60]}"


class RevisionLink(models.Model):
    """A link the piece itself gave for the claim, with the archived copy current at approval."""

    revision = models.ForeignKey(
        VerdictRevision,
        verbose_name=_("revision"),
        on_delete=models.CASCADE,
        related_name="links",
    )
    source = models.ForeignKey(
        "claims.Source", verbose_name=_("source"), on_delete=models.PROTECT, related_name="+"
    )
    snapshot = models.ForeignKey(
        "claims.Snapshot",
        verbose_name=_("snapshot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The archived copy readers are shown; a later fetch does not replace it."),
    )
    pinned_at = models.DateTimeField(_("pinned at"), default=timezone.now)

    class Meta:
        verbose_name = _("link of a revision")
        verbose_name_plural = _("links of revisions")
        constraints = [
            models.UniqueConstraint(fields=["revision", "source"], name="revision_link_unique"),
        ]

    def __str__(self) -> str:
        return f"r{self.revision_id} → source {self.source_id}"


class Vote(models.Model):
    """One editor's vote on one revision; dissent stays on the record."""

    revision = models.ForeignKey(
        VerdictRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="votes"
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        on_delete=models.PROTECT,
        related_name="review_votes",
    )
    approve = models.BooleanField(_("approve"))
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("rating this editor would give"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followed_precedent = models.BooleanField(
        _("followed precedent"),
        null=True,
        blank=True,
        help_text=_(
            "The voter's word on whether this vote follows how the desk ruled on the most "
            "similar past claims (empty: not said, or no precedent)."
        ),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("cast at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["revision", "editor"], name="vote_once_per_revision"),
            models.CheckConstraint(
                condition=Q(approve=True) | ~Q(note=""), name="vote_rejection_has_note"
            ),
        ]

    def __str__(self) -> str:
        return f"{'Approve' if self.approve else 'Reject'} r{self.revision_id} by {self.editor_id}"


class Correction(models.Model):
    """A published verdict reopened; public once the corrected revision is published."""

    verdict = models.ForeignKey(
        Verdict, verbose_name=_("verdict"), on_delete=models.CASCADE, related_name="corrections"
    )
    reason = models.TextField(_("why it was reopened"), help_text=_("Internal to the desk."))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    replaced_revision = models.ForeignKey(
        VerdictRevision,
        verbose_name=_("replaced revision"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_note = models.TextField(
        _("correction note"), blank=True, help_text=_("Shown to readers with the verdict.")
    )
    published_revision = models.ForeignKey(
        VerdictRevision,
        verbose_name=_("corrected revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.UniqueConstraint(
                fields=["verdict"],
                condition=Q(published_at__isnull=True),
                name="correction_one_open_per_verdict",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | (Q(published_revision__isnull=False) & ~Q(public_note="")),
                name="correction_published_has_note",
            ),
        ]
        indexes = [models.Index(fields=["published_at", "id"], name="correction_published_idx")]

    def __str__(self) -> str:
        return f"Correction #{self.pk} of verdict #{self.verdict_id}"
