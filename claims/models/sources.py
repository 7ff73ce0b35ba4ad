"""Store what the claims cite: sources, their archived snapshots, ranked passages, evidence."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .pieces import Claim


class Source(models.Model):
    """One cited URL, shared by every claim that cites it, and the state of its archiving."""

    class State(models.TextChoices):
        # Waiting for a worker: new, retrying after a transient failure, or re-queued by hand.
        PENDING = "pending", _("Pending")
        # A worker holds the lease and is fetching it now.
        FETCHING = "fetching", _("Fetching")
        # Archived: the last snapshot is the reporting as the desk saw it.
        FETCHED = "fetched", _("Fetched")
        # Gave up: the server said it is gone, sent something unusable, or kept failing.
        FAILED = "failed", _("Failed")
        # Refused before any connection: the address is not on the public internet.
        BLOCKED = "blocked", _("Blocked")

    class LinkStatus(models.TextChoices):
        # Never re-checked since it was archived.
        UNCHECKED = "", _("Not checked")
        # The live page still carries the archived text.
        UNCHANGED = "unchanged", _("Live, unchanged")
        # The live page answers, but its text differs from the archive: read the snapshot.
        CHANGED = "changed", _("Live, changed")
        # The server says the page is gone (404 or 410).
        GONE = "gone", _("Gone")
        # The page did not answer usefully (timeout, error, or now refused by policy).
        UNREACHABLE = "unreachable", _("Unreachable")

    url = models.CharField(
        _("URL as cited"), max_length=2000, help_text=_("The link as the first citation wrote it.")
    )
    normalized_url = models.CharField(
        _("normalized URL"),
        max_length=2000,
        unique=True,
        help_text=_("The URL that is fetched; every citation of it shares this source."),
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    state_reason = models.CharField(
        _("reason"),
        max_length=1000,
        blank=True,
        help_text=_("Why the source failed, is blocked, or is waiting to retry."),
    )
    attempts = models.PositiveIntegerField(
        _("attempts"), default=0, help_text=_("Fetch attempts since it was last queued by hand.")
    )
    next_attempt_at = models.DateTimeField(
        _("next attempt at"),
        null=True,
        blank=True,
        help_text=_("When the sweeper next queues it; empty once fetched, failed or blocked."),
    )
    lease_expires_at = models.DateTimeField(
        _("lease expires at"),
        null=True,
        blank=True,
        help_text=_("A worker is fetching it until then; after that the sweeper takes it back."),
    )
    lease_token = models.UUIDField(_("lease token"), null=True, blank=True, editable=False)
    last_snapshot = models.ForeignKey(
        "Snapshot",
        verbose_name=_("last snapshot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    link_status = models.CharField(
        _("link status"),
        max_length=16,
        choices=LinkStatus.choices,
        default=LinkStatus.UNCHECKED,
        blank=True,
        help_text=_("What the last re-check of the live URL found; the snapshot stays the record."),
    )
    last_checked_at = models.DateTimeField(_("link checked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        indexes = [
            models.Index(fields=["state", "id"], name="source_state_idx"),
            models.Index(fields=["link_status", "id"], name="source_link_status_idx"),
            # The sweeper's scan: only rows waiting for an attempt carry a time.
            models.Index(
                fields=["next_attempt_at"],
                name="source_due_idx",
                condition=Q(next_attempt_at__isnull=False),
            ),
            models.Index(fields=["last_checked_at", "id"], name="source_checked_idx"),
            models.Index(fields=["created_at", "id"], name="source_created_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.normalized_url[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("admin:claims_source_change", args=[self.pk])


class FetchHost(models.Model):
    """A host the fetcher visits, and when it may start the next fetch there (its politeness)."""

    host = models.CharField(_("host"), max_length=300, unique=True)
    next_fetch_at = models.DateTimeField(
        _("next fetch at"), help_text=_("No fetch from this host starts before then.")
    )

    class Meta:
        verbose_name = _("fetched host")
        verbose_name_plural = _("fetched hosts")

    def __str__(self) -> str:
        return self.host


class Citation(models.Model):
    """A claim relying on a source: a link in the article, or a URL a fact-checker added."""

    class Origin(models.TextChoices):
        # A link in the piece itself: public on the verdict page as the piece's own reporting.
        ARTICLE = "article", _("Linked by the piece")
        # A URL the desk added while researching: private until a revision relies on it.
        DESK = "desk", _("Added by the desk")

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="citations"
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="citations"
    )
    href = models.CharField(_("link as written"), max_length=2000)
    anchor = models.TextField(
        _("anchor text"), blank=True, help_text=_("The words the article linked.")
    )
    start = models.PositiveIntegerField(
        _("anchor start"),
        null=True,
        blank=True,
        help_text=_("Offset in the article's plain text; empty for a URL added by the desk."),
    )
    end = models.PositiveIntegerField(_("anchor end"), null=True, blank=True)
    origin = models.CharField(
        _("origin"),
        max_length=16,
        choices=Origin.choices,
        # The safe default: a citation nobody declared stays private research.
        default=Origin.DESK,
        help_text=_("Whether the piece linked it or the desk added it; never inferred."),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who added it, for a URL the desk added (empty once the account is gone)."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.UniqueConstraint(fields=["claim", "source"], name="citation_unique_source"),
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True))
                | (Q(start__isnull=False) & Q(end__gte=F("start"))),
                name="citation_anchor_span_valid",
            ),
            models.CheckConstraint(
                condition=Q(origin__in=["article", "desk"]), name="citation_origin_valid"
            ),
        ]
        indexes = [models.Index(fields=["claim", "origin"], name="citation_origin_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} claim {self.claim_id} → source {self.source_id}"


class Snapshot(models.Model):
    """The archive of record: one distinct body a source answered with, and its main text."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="snapshots"
    )
    final_url = models.CharField(_("final URL"), max_length=2000, help_text=_("After redirects."))
    status = models.PositiveSmallIntegerField(_("HTTP status"))
    content_type = models.CharField(_("content type"), max_length=200)
    fetched_at = models.DateTimeField(_("fetched at"), default=timezone.now)
    last_seen_at = models.DateTimeField(
        _("last seen at"), default=timezone.now, help_text=_("The last fetch that got this body.")
    )
    sha256 = models.CharField(_("SHA-256 of the body"), max_length=64)
    size = models.PositiveIntegerField(_("body size in bytes"))
    body = models.FileField(
        _("archived body"),
        upload_to="snapshots/",
        max_length=300,
        help_text=_("The decoded body, gzip-compressed; served only as a text download."),
    )
    text = models.TextField(_("main text"), blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    author = models.CharField(_("author"), max_length=500, blank=True)
    site_name = models.CharField(_("site"), max_length=500, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [
            models.UniqueConstraint(fields=["source", "sha256"], name="snapshot_unique_content"),
        ]
        indexes = [models.Index(fields=["fetched_at", "id"], name="snapshot_fetched_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.sha256[:12]} of source {self.source_id}"

    def get_absolute_url(self) -> str:
        return reverse("admin:claims_snapshot_change", args=[self.pk])


class FetchAttempt(models.Model):
    """One try at fetching or re-checking a source, kept whatever happened."""

    class Purpose(models.TextChoices):
        # Archiving the source.
        FETCH = "fetch", _("Fetch")
        # Checking later whether the live page still answers and matches the archive.
        RECHECK = "recheck", _("Link re-check")

    class Outcome(models.TextChoices):
        # Running, or its worker died before it could say.
        STARTED = "started", _("Started")
        # The body arrived and was archived (or matched the archive, for a re-check).
        SUCCEEDED = "succeeded", _("Succeeded")
        # Failed in a way that may pass; another attempt follows.
        RETRYING = "retrying", _("Failed, will retry")
        # Failed for good (gone, unusable, or out of attempts).
        FAILED = "failed", _("Failed")
        # Refused by the destination policy before any connection.
        BLOCKED = "blocked", _("Blocked")
        # Its worker died or its lease ran out; the sweeper queued the source again.
        ABANDONED = "abandoned", _("Abandoned")
        # Finished after its lease ran out; another attempt had taken over, so it wrote nothing.
        SUPERSEDED = "superseded", _("Superseded")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.CASCADE, related_name="attempts_made"
    )
    purpose = models.CharField(
        _("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.FETCH
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.STARTED
    )
    reason = models.CharField(
        _("reason code"), max_length=32, blank=True, help_text=_("The fetcher's short reason.")
    )
    error_class = models.CharField(_("error class"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    retry_in_seconds = models.FloatField(_("retry in (s)"), null=True, blank=True)

    class Meta:
        verbose_name = _("fetch attempt")
        verbose_name_plural = _("fetch attempts")
        indexes = [
            models.Index(fields=["source", "started_at", "id"], name="attempt_source_idx"),
            models.Index(fields=["outcome", "id"], name="attempt_outcome_idx"),
            models.Index(fields=["purpose", "id"], name="attempt_purpose_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.purpose} of source {self.source_id}: {self.outcome}"


class Passage(models.Model):
    """A stretch of a snapshot's text ranked against one citing claim."""

    snapshot = models.ForeignKey(
        Snapshot, verbose_name=_("snapshot"), on_delete=models.CASCADE, related_name="passages"
    )
    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="passages"
    )
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("0 is the best match."))
    score = models.FloatField(_("score"))
    start = models.PositiveIntegerField(_("start offset"), help_text=_("In the snapshot's text."))
    end = models.PositiveIntegerField(_("end offset"))
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "claim", "rank"], name="passage_unique_rank"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="passage_span_not_empty"),
        ]
        indexes = [models.Index(fields=["claim", "rank", "id"], name="passage_claim_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"


class Evidence(models.Model):
    """A passage a fact-checker pinned to a claim, with how it bears on the claim."""

    class Stance(models.TextChoices):
        # The passage backs the claim.
        SUPPORTS = "supports", _("Supports")
        # The passage says otherwise.
        CONTRADICTS = "contradicts", _("Contradicts")
        # Neither: background the verdict should mention.
        CONTEXT = "context", _("Context")

    claim = models.ForeignKey(
        Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="evidence"
    )
    passage = models.ForeignKey(
        Passage,
        verbose_name=_("passage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="evidence"
    )
    snapshot = models.ForeignKey(
        Snapshot,
        verbose_name=_("snapshot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence",
        help_text=_("The archived version the quote comes from."),
    )
    quote = models.TextField(
        _("quote"), help_text=_("The passage's text, kept even if the ranking is redone.")
    )
    # Set when a fact-checker pinned a span of the snapshot's text that no ranked passage
    # covers (a selection or a paragraph); a ranked passage keeps its offsets on the passage.
    start = models.PositiveIntegerField(
        _("start offset"), null=True, blank=True, help_text=_("In the snapshot's text.")
    )
    end = models.PositiveIntegerField(_("end offset"), null=True, blank=True)
    stance = models.CharField(_("stance"), max_length=16, choices=Stance.choices)
    note = models.TextField(_("note"), blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pinned by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    pinned_at = models.DateTimeField(_("pinned at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "passage"],
                condition=Q(passage__isnull=False),
                name="evidence_unique_passage",
            ),
            models.UniqueConstraint(
                fields=["claim", "snapshot", "start", "end"],
                condition=Q(start__isnull=False),
                name="evidence_unique_span",
            ),
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True) | Q(end__gt=F("start")),
                name="evidence_span_not_empty",
            ),
        ]
        indexes = [models.Index(fields=["stance", "id"], name="evidence_stance_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.stance}: {self.quote[:60]}"
