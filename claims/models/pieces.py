"""Store what was said: the pieces the desk receives and the claims extracted from them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# An article's text as given and as normalized: megabytes for a long piece, so lists defer them.
ARTICLE_TEXT_FIELDS = ("body", "plain_text")


class Article(models.Model):
    """An opinion piece as received, with the plain text that claim offsets point into."""

    class Format(models.TextChoices):
        # Plain text; paragraphs are separated by line breaks.
        TEXT = "text", _("Plain text")
        # Markdown as a CMS exports it; links become citations.
        MARKDOWN = "markdown", _("Markdown")
        # HTML; scripts and styles are dropped, links become citations.
        HTML = "html", _("HTML")

    title = models.CharField(_("title"), max_length=500)
    slug = models.SlugField(_("slug"), max_length=255, unique=True)
    author = models.CharField(
        _("author"), max_length=300, blank=True, help_text=_("The claimant: who wrote the piece.")
    )
    publication = models.CharField(_("publication"), max_length=300, blank=True)
    url = models.URLField(_("canonical URL"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    body = models.TextField(_("body as given"))
    body_format = models.CharField(
        _("body format"), max_length=16, choices=Format.choices, default=Format.TEXT
    )
    plain_text = models.TextField(
        _("plain text"), help_text=_("The normalized text that claim offsets refer to.")
    )
    content_hash = models.CharField(
        _("content hash"),
        max_length=64,
        unique=True,
        help_text=_("SHA-256 of the plain text; the same piece ingested twice is one article."),
    )
    paragraph_count = models.PositiveIntegerField(_("paragraphs"), default=0)
    sentence_count = models.PositiveIntegerField(_("sentences"), default=0)
    ingested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ingest_client = models.CharField(
        _("ingested through"),
        max_length=64,
        blank=True,
        help_text=_(
            "The API key that sent the piece (key:<its prefix>); empty for a person or the command."
        ),
    )
    ingested_at = models.DateTimeField(_("ingested at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    embargo_until = models.DateTimeField(
        _("embargo until"),
        null=True,
        blank=True,
        help_text=_("Verdicts on this piece stay unpublished until this time."),
    )

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [
            models.Index(fields=["published_at", "id"], name="article_published_idx"),
            models.Index(fields=["ingested_at", "id"], name="article_ingested_idx"),
            models.Index(fields=["url"], name="article_url_idx"),
            models.Index(fields=["author"], name="article_author_idx"),
            # The desk's figures narrowed to one publication.
            models.Index(fields=["publication"], name="article_publication_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("admin:claims_article_change", args=[self.pk])

    def is_embargoed(self, now=None) -> bool:
        """Return whether the embargo still holds at `now`."""
        return self.embargo_until is not None and self.embargo_until > (now or timezone.now())


class ArticleEvent(models.Model):
    """One recorded change of a piece's metadata: who changed what, from what, to what."""

    class Action(models.TextChoices):
        # A person edited the piece's metadata (its address, dates or embargo) in the admin.
        EDIT = "edit", _("edited")
        # The same piece arrived again with a later embargo, which now holds.
        EMBARGO_TIGHTENED = "embargo_tightened", _("embargo tightened by a re-ingestion")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when a client or the ingest command sent the change."),
    )
    client = models.CharField(_("client"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    changes = models.JSONField(
        _("changes"), default=dict, help_text=_("Each changed field: [before, after].")
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("article event")
        verbose_name_plural = _("article events")
        indexes = [
            models.Index(fields=["article", "created_at", "id"], name="article_event_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} on article #{self.article_id}"


class Claim(models.Model):
    """One assertion from an article, located by character offsets into its plain text."""

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="claims"
    )
    text = models.TextField(_("text"))
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))
    paragraph = models.PositiveIntegerField(_("paragraph"), help_text=_("0-based."))
    sentence = models.PositiveIntegerField(_("sentence"), help_text=_("0-based, in the article."))
    position = models.PositiveIntegerField(_("position"), help_text=_("Order in the article."))
    score = models.FloatField(
        _("check-worthiness"), help_text=_("0 to 1: how much this assertion deserves checking.")
    )
    checkworthy = models.BooleanField(
        _("check-worthy"), help_text=_("The score reached the desk's threshold.")
    )
    reasons = models.JSONField(
        _("reasons"), default=list, blank=True, help_text=_("Why the detector scored it so.")
    )
    split = models.BooleanField(
        _("split from a longer sentence"),
        default=False,
        help_text=_("The sentence held several assertions; this is one of them."),
    )
    attributed_uncited = models.BooleanField(
        _("attributed but uncited"),
        default=False,
        help_text=_(
            "Attributes the claim to someone or to reporting without a link: find the source."
        ),
    )
    claimant = models.CharField(
        _("claimant"),
        max_length=300,
        blank=True,
        help_text=_(
            "Who makes the claim: the speaker it is attributed to in the piece, else its author."
        ),
    )
    tags = models.ManyToManyField(
        "claims.Tag",
        verbose_name=_("tags"),
        blank=True,
        related_name="claims",
        help_text=_("Topics; the claim's published verdict shows them to readers and the API."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    match_due_at = models.DateTimeField(
        _("matching due at"),
        null=True,
        blank=True,
        help_text=_(
            "When the sweeper next queues the claim's matching against earlier checks; empty "
            "once it is matched (or when matching is off)."
        ),
    )

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="claim_unique_position"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_span_not_empty"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="claim_score_in_unit_range"
            ),
        ]
        indexes = [
            models.Index(fields=["checkworthy", "-score", "id"], name="claim_rank_idx"),
            # The claim list's order (check-worthy first, best first): read in order, not sorted.
            models.Index(fields=["-checkworthy", "-score", "id"], name="claim_list_order_idx"),
            # The ticket list's order (-score, then the claim): a filtered list reads it until
            # its page is full. Range filters on the score use it too.
            models.Index(fields=["-score", "id"], name="claim_score_order_idx"),
            models.Index(fields=["attributed_uncited"], name="claim_uncited_idx"),
            models.Index(fields=["claimant", "id"], name="claim_claimant_idx"),
            # The matching sweeper's scan: only claims still owed a matching carry a time.
            models.Index(
                fields=["match_due_at"],
                name="claim_match_due_idx",
                condition=Q(match_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("admin:claims_claim_change", args=[self.pk])

    def paragraph_bounds(self) -> tuple[int, int]:
        """Return the offsets of the paragraph around this claim in the article's plain text."""
        text = self.article.plain_text
        start = text.rfind("\n", 0, self.start) + 1
        end = text.find("\n", self.end)
        return start, len(text) if end == -1 else end


# --- Cited reporting: sources, snapshots, attempts, passages, evidence -----------------------
