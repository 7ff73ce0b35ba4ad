"""The "Add piece" screen and the record of pieces received: progress, claims found, removal."""

from datetime import UTC, datetime, time

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from claims.errors import ClaimsError
from claims.extraction import ExtractionError, decode_input
from claims.models import ARTICLE_TEXT_FIELDS, Article
from reviews.errors import ReviewError
from reviews.models import Intake
from reviews.selectors import claims_found
from reviews.services.intake import (
    claims_found_phrase,
    format_for,
    intake_submit,
    piece_remove,
)

# Claims the piece's page lists, best first; the link under them opens every ticket.
SHOWN_CLAIMS = 50


class PieceForm(forms.Form):
    """What a fact-checker gives for a piece: its text (pasted or a file) and its metadata."""

    title = forms.CharField(label=_("Title"), max_length=500)
    text = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea({"rows": 14, "class": "vLargeTextField"}),
        help_text=_("Paste the piece: plain text, Markdown or HTML. Or upload a file below."),
    )
    upload = forms.FileField(
        label=_("Or a file"),
        required=False,
        help_text=_(".txt, .md or .html, UTF-8."),
    )
    fmt = forms.ChoiceField(
        label=_("Format"),
        choices=[("auto", _("Detect it")), *Article.Format.choices],
        initial="auto",
        help_text=_("A file's name decides its format unless you choose one."),
    )
    author = forms.CharField(label=_("Author (the claimant)"), max_length=300, required=False)
    publication = forms.CharField(label=_("Publication"), max_length=300, required=False)
    url = forms.CharField(label=_("Canonical URL"), max_length=2000, required=False)
    published_on = forms.DateField(
        label=_("Published on"), required=False, widget=forms.DateInput({"type": "date"})
    )
    embargo_until = forms.DateTimeField(
        label=_("Embargo until"),
        required=False,
        widget=forms.DateTimeInput({"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        help_text=_("Verdicts on this piece stay unpublished until then (the desk's time zone)."),
    )

    def clean(self):
        data = super().clean()
        upload, text = data.get("upload"), data.get("text") or ""
        if upload and text.strip():
            raise forms.ValidationError(_("Paste the text or upload a file, not both."))
        if upload:
            try:
                data["body"] = decode_input(upload.read(), name=upload.name)
            except ExtractionError as error:
                self.add_error("upload", str(error))
            data["file_name"] = upload.name
            if data.get("fmt") == "auto":
                data["fmt"] = format_for(upload.name)
        elif text.strip():
            data["body"], data["file_name"] = text, ""
        else:
            self.add_error("text", _("Paste the piece's text or upload a file."))
        return data

    def piece(self) -> dict:
        """Return the keyword arguments of `intake_submit`."""
        data = self.cleaned_data
        published = data["published_on"]
        return {
            "body": data["body"],
            "title": data["title"],
            "author": data["author"],
            "publication": data["publication"],
            "url": data["url"],
            "published_at": datetime.combine(published, time(), tzinfo=UTC) if published else None,
            "embargo_until": data["embargo_until"],
            "fmt": data["fmt"],
            "file_name": data["file_name"],
        }


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    list_display = ["title", "state", "progress", "article_link", "received_by", "received_at"]
    list_filter = ["state"]
    search_fields = ["title", "author", "publication"]
    ordering = ["-received_at", "-id"]
    list_select_related = ["received_by", "article"]
    fieldsets = [
        (None, {"fields": ["state", "progress", "error", "article_link", "claims_shown"]}),
        (
            _("The piece"),
            {
                "fields": [
                    "title",
                    "author",
                    "publication",
                    "url",
                    "published_at",
                    "embargo_until",
                    "body_format",
                    "characters",
                    "file_name",
                ]
            },
        ),
        (
            _("Record"),
            {
                "fields": [
                    "received_by_name",
                    "received_at",
                    "finished_at",
                    "removed_by_name",
                    "removed_at",
                    "removal_reason",
                ]
            },
        ),
    ]
    readonly_fields = [
        "state",
        "progress",
        "error",
        "article_link",
        "claims_shown",
        "title",
        "author",
        "publication",
        "url",
        "published_at",
        "embargo_until",
        "body_format",
        "characters",
        "file_name",
        "received_by_name",
        "received_at",
        "finished_at",
        "removed_by_name",
        "removed_at",
        "removal_reason",
    ]
    change_form_template = "admin/reviews/intake/change_form.html"

    # Who received or removed a piece, by name: the admin's own link to a user's page answers
    # 403 to everyone but the administrators.
    @admin.display(description=_("received by"))
    def received_by_name(self, intake):
        return intake.received_by.get_username() if intake.received_by else "—"

    @admin.display(description=_("removed by"))
    def removed_by_name(self, intake):
        return intake.removed_by.get_username() if intake.removed_by else "—"

    actions = ["remove_selected"]

    def get_queryset(self, request):
        # The text waiting for the background job can be megabytes: never load it for a page.
        return (
            super()
            .get_queryset(request)
            .select_related("article")
            .defer("body", *(f"article__{name}" for name in ARTICLE_TEXT_FIELDS))
        )

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("claims.view_article")

    def has_add_permission(self, request):
        return request.user.has_perm("claims.add_article")

    def has_change_permission(self, request, obj=None):
        # The record is never edited; the piece's article is (Claims → Articles).
        return False

    def has_delete_permission(self, request, obj=None):
        # The record is kept; "Remove the selected pieces" deletes what the piece brought in.
        return False

    def has_remove_permission(self, request):
        return request.user.has_perm("claims.delete_article")

    @admin.action(
        description=_("Remove the selected pieces (asks to confirm, with a reason)"),
        permissions=["remove"],
    )
    def remove_selected(self, request, queryset):
        """Ask for a reason and confirmation, then remove each piece through the service."""
        intakes = list(queryset.select_related("article").order_by("pk"))
        reason = request.POST.get("removal_reason", "").strip()
        if request.POST.get("confirm") == "yes" and reason:
            removed, refused = 0, []
            for intake in intakes:
                try:
                    piece_remove(intake=intake, by=request.user, reason=reason)
                except ReviewError as error:
                    refused.append(error.message)
                else:
                    removed += 1
            if removed:
                self.message_user(
                    request,
                    f"Removing {removed} piece(s) in the background; their records stay here.",
                    messages.SUCCESS,
                )
            for message in refused:
                self.message_user(request, message, messages.WARNING)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Remove pieces"),
            "subtitle": None,
            "opts": self.model._meta,
            "intakes": intakes,
            "claims": sum(intake.summary.get("assertions", 0) for intake in intakes),
            "reason_missing": request.POST.get("confirm") == "yes" and not reason,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviews/intake/remove_confirmation.html", context)

    @admin.display(description=_("article"))
    def article_link(self, intake):
        if intake.article_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:claims_article_change", args=[intake.article_id]),
            intake.article.title if intake.article else intake.title,
        )

    @admin.display(description=_("claims found, best first"))
    def claims_shown(self, intake):
        if intake.article_id is None:
            return "—"
        claims, total = claims_found(article_id=intake.article_id, limit=SHOWN_CLAIMS)
        rows = format_html_join(
            "",
            '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>',
            (
                (
                    index,
                    reverse("admin:reviews_ticket_change", args=[claim.ticket_id])
                    if claim.ticket_id
                    else reverse("admin:claims_claim_change", args=[claim.pk]),
                    claim.text,
                    f"{claim.score:.2f}",
                    _("check-worthy") if claim.checkworthy else "",
                )
                for index, claim in enumerate(claims, start=1)
            ),
        )
        tickets = (
            reverse("admin:reviews_ticket_changelist")
            + "?"
            + urlencode({"claim__article__id__exact": intake.article_id})
        )
        return format_html(
            '<table class="claims-found"><thead><tr><th>#</th><th>{}</th><th>{}</th><th></th>'
            '</tr></thead><tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            _("claim"),
            _("check-worthiness"),
            rows,
            tickets,
            _("All %(total)s claim tickets of this piece") % {"total": f"{total:,}"},
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PieceForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                intake = intake_submit(by=request.user, **form.piece())
            except ClaimsError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, _added_message(intake), messages.SUCCESS)
                return redirect(reverse("admin:reviews_intake_change", args=[intake.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add piece"),
            "subtitle": None,
            "opts": self.model._meta,
            "form": form,
            "errors": form.non_field_errors(),
            "inline_threshold": f"{_inline_max():,}",
        }
        return TemplateResponse(request, "admin/reviews/intake/add.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "refresh_seconds": 2}
        return super().change_view(request, object_id, form_url, extra_context)


def _inline_max() -> int:
    from django.conf import settings

    return settings.INGEST_INLINE_MAX_CHARS


def _added_message(intake: Intake) -> str:
    if intake.state == Intake.State.QUEUED:
        return (
            f"Received {intake.characters:,} characters: a background job is ingesting the piece. "
            "This page shows its progress."
        )
    if not intake.created:
        return "This text was ingested before: nothing new. Its claims are below."
    found = intake.summary.get("assertions", 0)
    worthy = intake.summary.get("checkworthy", 0)
    return f"Ingested: {claims_found_phrase(found, worthy)}, each with a ticket."
