"""Show fact-checkers the cited sources, their archive and fetch history, and pin evidence."""

from __future__ import annotations

import gzip

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.errors import ClaimsError
from claims.fetching import FetchError, normalize_url
from claims.models import Citation, Evidence, FetchAttempt, Passage, Snapshot, Source
from claims.services import (
    citation_add,
    evidence_pin,
    evidence_unpin,
    sources_fetch_now,
    sources_retry_failed,
)


def _source_link(source: Source) -> str:
    url = reverse("admin:claims_source_change", args=[source.pk])
    return format_html('<a href="{}">{}</a>', url, source.normalized_url[:90])


def _state_shown(source: Source) -> str:
    if source.state_reason:
        return format_html("{} — {}", source.get_state_display(), source.state_reason[:200])
    return source.get_state_display()


class FetchAttemptInline(admin.TabularInline):
    model = FetchAttempt
    fields = [
        "started_at",
        "purpose",
        "outcome",
        "http_status",
        "reason",
        "error_class",
        "message",
        "duration_ms",
        "retry_in_seconds",
    ]
    readonly_fields = fields
    ordering = ["-started_at", "-id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SourceCitationInline(admin.TabularInline):
    model = Citation
    verbose_name_plural = _("cited by")
    fields = ["claim", "anchor", "added_by", "created_at"]
    readonly_fields = fields
    ordering = ["id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = [
        "normalized_url",
        "state",
        "reason_short",
        "attempts",
        "snapshot_link",
        "link_status",
        "citation_count",
        "updated_at",
    ]
    list_filter = ["state", "link_status"]
    search_fields = ["normalized_url", "url"]
    ordering = ["-created_at", "-id"]
    list_select_related = ["last_snapshot"]
    readonly_fields = [
        "url",
        "normalized_url",
        "state",
        "state_reason",
        "attempts",
        "next_attempt_at",
        "lease_expires_at",
        "snapshot_link",
        "link_status",
        "last_checked_at",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [SourceCitationInline, FetchAttemptInline]
    actions = ["fetch_now", "retry_failed"]

    def has_add_permission(self, request):
        # Sources come from citations: an article's links, or a URL added to a claim.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("citations"))

    @admin.display(description=_("reason"))
    def reason_short(self, source):
        return source.state_reason[:120]

    @admin.display(description=_("cited by"), ordering="citation_total")
    def citation_count(self, source):
        return source.citation_total

    @admin.display(description=_("last snapshot"))
    def snapshot_link(self, source):
        snapshot = source.last_snapshot
        if snapshot is None:
            return "—"
        url = reverse("admin:claims_snapshot_change", args=[snapshot.pk])
        return format_html('<a href="{}">{:%Y-%m-%d %H:%M}</a>', url, snapshot.fetched_at)

    @admin.action(description=_("Fetch now (again, for archived ones)"), permissions=["change"])
    def fetch_now(self, request, queryset):
        self._requeue(request, sources_fetch_now, queryset)

    @admin.action(description=_("Retry failed sources"), permissions=["change"])
    def retry_failed(self, request, queryset):
        self._requeue(request, sources_retry_failed, queryset)

    def _requeue(self, request, service, queryset) -> None:
        try:
            count = service(source_ids=list(queryset.values_list("id", flat=True)), by=request.user)
        except ClaimsError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        self.message_user(request, _("%(count)d source(s) queued.") % {"count": count})


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "final_url", "status", "content_type", "fetched_at"]
    date_hierarchy = "fetched_at"
    search_fields = ["final_url", "title", "sha256"]
    ordering = ["-fetched_at", "-id"]
    list_select_related = ["source"]
    readonly_fields = [
        "source",
        "final_url",
        "status",
        "content_type",
        "fetched_at",
        "last_seen_at",
        "sha256",
        "size",
        "download",
        "title",
        "author",
        "site_name",
        "published",
        "text",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        body = self.admin_site.admin_view(self.body_view)
        return [path("<int:pk>/body/", body, name="claims_snapshot_body"), *super().get_urls()]

    @admin.display(description=_("archived body"))
    def download(self, snapshot):
        url = reverse("admin:claims_snapshot_body", args=[snapshot.pk])
        return format_html('<a href="{}">{}</a> ({} bytes)', url, _("Download"), snapshot.size)

    def body_view(self, request, pk: int):
        """Serve the archived body as a plain-text download, never as a page of our origin."""
        snapshot = get_object_or_404(Snapshot, pk=pk)
        if not self.has_view_permission(request, snapshot):
            raise PermissionDenied
        response = FileResponse(
            gzip.open(snapshot.body.open("rb")),  # noqa: SIM115 - FileResponse closes it
            as_attachment=True,
            filename=f"snapshot-{snapshot.pk}.txt",
            content_type="text/plain",
        )
        # Belt and braces if a browser renders it anyway: no scripts, no sniffing into HTML.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class PinForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("stance"), choices=Evidence.Stance.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Passage)
class PassageAdmin(admin.ModelAdmin):
    """Host the pin view; passages are read beside their claim, not listed on their own."""

    list_display = ["__str__", "claim", "snapshot", "rank", "score"]
    list_select_related = ["claim", "snapshot"]
    ordering = ["claim", "rank", "id"]
    readonly_fields = ["claim", "snapshot", "rank", "score", "start", "end", "text"]
    fields = readonly_fields

    def get_model_perms(self, request):
        return {}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        pin = self.admin_site.admin_view(self.pin_view)
        return [path("<int:pk>/pin/", pin, name="claims_passage_pin"), *super().get_urls()]

    def pin_view(self, request, pk: int):
        """Pin the passage to its claim as evidence: choose a stance, add a note."""
        passage = get_object_or_404(
            Passage.objects.select_related("claim", "snapshot__source"), pk=pk
        )
        claim_url = reverse("admin:claims_claim_change", args=[passage.claim_id])
        if not request.user.has_perm("claims.add_evidence"):
            raise PermissionDenied
        form = PinForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                evidence_pin(
                    claim=passage.claim,
                    passage=passage,
                    stance=form.cleaned_data["stance"],
                    note=form.cleaned_data["note"],
                    by=request.user,
                )
            except ClaimsError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, _("Passage pinned as evidence."))
            return HttpResponseRedirect(claim_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Pin passage as evidence"),
            "passage": passage,
            "form": form,
            "claim_url": claim_url,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/claims/passage/pin.html", context)


# --- Inlines for the claim admin --------------------------------------------------------


class CitationForm(forms.ModelForm):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        required=False,
        help_text=_("Paste the address of the reporting this claim relies on."),
    )

    class Meta:
        model = Citation
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["url"].initial = self.instance.source.normalized_url
            self.fields["url"].disabled = True

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if url and not self.instance.pk:
            try:
                normalize_url(url)
            except FetchError as error:
                raise ValidationError(
                    _("%(error)s. Paste the full address, starting with https:// or http://."),
                    params={"error": error},
                ) from error
        return url


class CitationFormSet(BaseInlineFormSet):
    request = None

    def clean(self):
        super().clean()
        for form in self.forms:
            url = form.cleaned_data.get("url") if hasattr(form, "cleaned_data") else None
            if url and not form.instance.pk:
                normalized = normalize_url(url)
                if Citation.objects.filter(
                    claim=self.instance, source__normalized_url=normalized
                ).exists():
                    form.add_error("url", _("This claim already cites that source."))

    def save_new(self, form, commit=True):
        # Through the service: permission, one source per URL, and the fetch (or ranking).
        return citation_add(claim=self.instance, url=form.cleaned_data["url"], by=self.request.user)

    def save_existing(self, form, obj, commit=True):
        return obj


class CitationInline(admin.TabularInline):
    model = Citation
    form = CitationForm
    formset = CitationFormSet
    fields = ["url", "anchor", "source_state", "added_by", "created_at"]
    readonly_fields = ["anchor", "source_state", "added_by", "created_at"]
    ordering = [F("start").asc(nulls_last=True), "id"]
    extra = 1

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "added_by")

    @admin.display(description=_("source"))
    def source_state(self, citation):
        if not citation.pk:
            return "—"
        return format_html("{}<br>{}", _source_link(citation.source), _state_shown(citation.source))


class PassageInline(admin.TabularInline):
    model = Passage
    verbose_name_plural = _("best passages from the cited sources")
    fields = ["source", "score", "text", "pin"]
    readonly_fields = fields
    ordering = ["-score", "rank", "id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        # Only the current snapshot of each source; older ones stay reachable from it.
        return (
            super()
            .get_queryset(request)
            .filter(snapshot_id=F("snapshot__source__last_snapshot_id"))
            .select_related("snapshot__source")
        )

    @admin.display(description=_("source"))
    def source(self, passage):
        return _source_link(passage.snapshot.source)

    @admin.display(description=_("evidence"))
    def pin(self, passage):
        url = reverse("admin:claims_passage_pin", args=[passage.pk])
        return format_html('<a href="{}">{}</a>', url, _("Pin…"))


class EvidenceFormSet(BaseInlineFormSet):
    request = None

    def delete_existing(self, obj, commit=True):
        # Unpinning goes through the service, which checks the permission.
        evidence_unpin(evidence=obj, by=self.request.user)


class EvidenceInline(admin.TabularInline):
    model = Evidence
    formset = EvidenceFormSet
    verbose_name_plural = _("pinned evidence")
    fields = ["stance", "quote", "source", "note", "pinned_by", "pinned_at"]
    readonly_fields = fields
    ordering = ["stance", "-pinned_at", "id"]
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "pinned_by")

    def has_add_permission(self, request, obj=None):
        # Evidence is pinned from a passage, with its stance.
        return False


claim_inlines = [CitationInline, PassageInline, EvidenceInline]
