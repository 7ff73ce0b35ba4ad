"""Store the API's machine clients: their keys and scopes, webhook subscriptions and deliveries."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import AbstractAPIKey

from reviews.models.verdicts import Verdict


def new_webhook_secret() -> str:
    """Return a fresh signing secret for a webhook subscription."""
    return f"whsec_{secrets.token_urlsafe(32)}"


class ClientKey(AbstractAPIKey):
    """An API key of a machine client; only its hash is stored, and it carries scopes."""

    class Scope(models.TextChoices):
        # May read published verdicts (and their ClaimReview) when public reading is off.
        READ = "read", _("Read published verdicts")
        # May send pieces to the desk, as the CMS integration does.
        INGEST = "ingest", _("Ingest articles")

    scopes = models.JSONField(
        _("scopes"),
        default=list,
        blank=True,
        help_text=_("What the key may do: read published verdicts, ingest articles, or both."),
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("Who to call about this client: a person or a team's address."),
    )

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def has_scope(self, scope: str) -> bool:
        """Return whether the key carries `scope`."""
        return scope in (self.scopes or [])


class WebhookEvent(models.TextChoices):
    # A verdict became public for the first time.
    PUBLISHED = "verdict.published", _("Verdict published")
    # A corrected revision of a published verdict became public, with its correction note.
    CORRECTED = "verdict.corrected", _("Verdict corrected")
    # A published verdict was withdrawn, with a public reason.
    RETRACTED = "verdict.retracted", _("Verdict retracted")
    # What a published verdict shows beside its revision changed: its topics (tags).
    UPDATED = "verdict.updated", _("Verdict updated")


class WebhookSubscription(models.Model):
    """A partner's URL told about publications, corrections and retractions as they happen."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(
        _("URL"), max_length=2000, help_text=_("Receives a signed POST for each event.")
    )
    secret = models.CharField(
        _("signing secret"),
        max_length=100,
        default=new_webhook_secret,
        editable=False,
        help_text=_("Signs every delivery; shown once when the subscription is created."),
    )
    events = models.JSONField(
        _("events"), default=list, help_text=_("The events this subscriber is told about.")
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Untick to stop deliveries for good.")
    )
    paused_at = models.DateTimeField(
        _("paused at"),
        null=True,
        blank=True,
        help_text=_("Set when deliveries kept failing; resume it once the subscriber is fixed."),
    )
    pause_reason = models.TextField(_("why it was paused"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"#{self.pk} {self.name}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class WebhookDelivery(models.Model):
    """One event owed to one subscriber; the row is the record, whatever the broker loses."""

    class State(models.TextChoices):
        # Waiting for its next attempt (or for the subscription to be resumed).
        PENDING = "pending", _("Pending")
        # The subscriber answered 2xx.
        DELIVERED = "delivered", _("Delivered")
        # Every attempt failed, or the subscription was switched off; no more tries.
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(
        _("delivery id"),
        default=uuid.uuid4,
        unique=True,
        editable=False,
        help_text=_("Sent as X-Desk-Delivery, so a subscriber can ignore a repeat."),
    )
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=32, choices=WebhookEvent.choices)
    verdict = models.ForeignKey(
        Verdict, verbose_name=_("verdict"), on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(
        _("payload"), help_text=_("The body, as it was when the event happened.")
    )
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            # The sweeper's scan: only pending deliveries are ever due.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(state="pending"),
                name="webhook_due_idx",
            ),
            models.Index(fields=["subscription", "created_at", "id"], name="webhook_log_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event} to {self.subscription_id}: {self.state}"


class WebhookAttempt(models.Model):
    """One try at delivering a webhook, kept whatever happened."""

    class Outcome(models.TextChoices):
        # The subscriber answered 2xx.
        SUCCEEDED = "succeeded", _("Succeeded")
        # The subscriber answered otherwise, or could not be reached; another try may follow.
        FAILED = "failed", _("Failed")
        # The URL is not allowed (a private address, a forbidden port); counted as a failure.
        BLOCKED = "blocked", _("Blocked")

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempts_made",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        indexes = [
            models.Index(fields=["delivery", "started_at", "id"], name="webhook_attempt_idx")
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.outcome} for delivery {self.delivery_id}"
