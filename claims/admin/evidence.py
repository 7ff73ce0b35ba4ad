"""Cite URLs from claims, show the passages ranked for them, and pin passages as evidence."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.admin.records import ArchiveRecordAdmin
from claims.errors import ClaimsError
from claims.fetching import FetchError, normalize_url
from claims.models import Citation, Evidence, Passage, Source
from claims.services import citation_add, evidence_pin, evidence_unpin


def source_link(source: Source) -> str:
    url = reverse("admin:claims_source_change", args=[source.pk])
    return format_html('<a href="{}">{}</a>', url, source.normalized_url[:90])


def _state_shown(source: Source) -> str:
    if source.state_reason:
        return format_html("{} — {}", source.get_state_display(), source.state_reason[:200])
    return source.get_state_display()


class PinForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("stance"), choices=Evidence.Stance.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


@admin.register(Passage)
class PassageAdmin(ArchiveRecordAdmin, admin.ModelAdmin):
    """Host the pin view; passages are read beside their claim, not listed on their own."""

    list_display = ["__str__", "claim", "snapshot", "rank", "score"]
    list_select_related = ["claim", "snapshot"]
    ordering = ["claim", "rank", "id"]
    readonly_fields = ["claim", "snapshot", "rank", "score", "start", "end", "text"]
    fields = readonly_fields

    def get_model_perms(self, request):
        return {}

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
    fields = ["url", "anchor", "source_state", "origin", "added_by", "created_at"]
    readonly_fields = ["anchor", "source_state", "origin", "added_by", "created_at"]
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
        return format_html("{}<br>{}", source_link(citation.source), _state_shown(citation.source))


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
        return source_link(passage.snapshot.source)

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
