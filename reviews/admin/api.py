"""The API's clients in the admin: keys (shown once), webhook subscriptions and their log."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.admin import APIKeyModelAdmin
from rest_framework_api_key.models import APIKey

from claims.fetching import FetchError, check_destination, normalize_url
from reviews.models import (
    ClientKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from reviews.services import subscription_resume

# The library's own key model stays unused (ClientKey carries scopes): keep it out of the admin.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


class ClientKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"),
        choices=ClientKey.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("A CMS that sends pieces needs ingest; a partner that syncs needs read."),
    )

    class Meta:
        model = ClientKey
        fields = ["name", "scopes", "contact", "expiry_date", "revoked"]

    def clean(self):
        cleaned = super().clean()
        # A key with no scope answers 403 everywhere: refuse it, unless it is being revoked.
        if not cleaned.get("scopes") and not cleaned.get("revoked") and "scopes" not in self.errors:
            self.add_error(
                "scopes",
                _("Choose at least one scope: a key with none is refused by every endpoint."),
            )
        return cleaned


@admin.register(ClientKey)
class ClientKeyAdmin(APIKeyModelAdmin):
    """Create a key (its value is shown once, then only its hash is kept), scope or revoke it."""

    form = ClientKeyForm
    list_display = [
        "prefix",
        "name",
        "scopes_shown",
        "contact",
        "created",
        "expiry_date",
        "revoked",
    ]
    list_filter = ["revoked", "created"]
    ordering = ["-created", "id"]

    @admin.display(description=_("scopes"))
    def scopes_shown(self, key: ClientKey) -> str:
        return ", ".join(key.scopes or []) or "—"


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_("Receives a signed POST for each event."),
    )
    events = forms.MultipleChoiceField(
        label=_("events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=WebhookEvent.values,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            normalize_url(url)
            # The fetcher's own checks: the port, and every address the name resolves to now.
            # Each delivery checks again (DNS can change); a name that does not resolve yet is
            # left for delivery to retry.
            check_destination(url)
        except FetchError as error:
            if error.permanent:
                raise forms.ValidationError(f"Deliveries cannot go there: {error}.") from error
        return url


class WebhookDeliveryInline(admin.TabularInline):
    """The subscription's delivery log, newest first."""

    model = WebhookDelivery
    fields = ["created_at", "event", "verdict", "state", "attempts", "last_status", "last_error"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "events_shown", "is_active", "status", "consecutive_failures"]
    list_filter = ["is_active"]
    ordering = ["name", "id"]
    readonly_fields = ["secret_masked", "paused_at", "pause_reason", "consecutive_failures"]
    inlines = [WebhookDeliveryInline]
    actions = ["resume_selected"]

    @admin.display(description=_("events"))
    def events_shown(self, subscription) -> str:
        return ", ".join(subscription.events or []) or "—"

    @admin.display(description=_("status"))
    def status(self, subscription) -> str:
        if not subscription.is_active:
            return _("off")
        if subscription.is_paused:
            return format_html('<strong class="paused">{}</strong>', _("paused"))
        return _("delivering")

    @admin.display(description=_("signing secret"))
    def secret_masked(self, subscription) -> str:
        # Shown in full once, on creation; afterwards only enough to tell two secrets apart.
        secret = subscription.secret or ""
        return f"{secret[:6]}…{secret[-4:]}" if secret else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(
                request,
                _(
                    "The signing secret of {name} is: {secret} — give it to the subscriber now: "
                    "it will not be shown again."
                ).format(name=obj.name, secret=obj.secret),
            )

    @admin.action(description=_("Resume the selected subscriptions and send what waited"))
    def resume_selected(self, request, queryset):
        sent = sum(subscription_resume(subscription=s) for s in queryset)
        self.message_user(
            request,
            _("Resumed {n}; {sent} deliveries sent again.").format(n=len(queryset), sent=sent),
        )


class WebhookAttemptInline(admin.TabularInline):
    """Every attempt at the delivery, kept whatever happened."""

    model = WebhookAttempt
    fields = ["started_at", "outcome", "http_status", "duration_ms", "error"]
    readonly_fields = fields
    ordering = ["started_at", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subscription", "event", "verdict", "state", "attempts"]
    list_filter = ["state", "event", ("subscription", admin.RelatedOnlyFieldListFilter)]
    ordering = ["-created_at", "-id"]
    readonly_fields = [
        "uuid",
        "subscription",
        "event",
        "verdict",
        "payload",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status",
        "last_error",
        "delivered_at",
        "created_at",
    ]
    inlines = [WebhookAttemptInline]

    def has_add_permission(self, request):
        return False
