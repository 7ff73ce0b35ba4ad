"""Show fact-checkers the cited sources, their archive and their fetch history."""

from __future__ import annotations

import gzip

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from claims.admin.records import ArchiveRecordAdmin
from claims.errors import ClaimsError
from claims.models import Citation, FetchAttempt, Snapshot, Source
from claims.selectors import sources_failing
from claims.services import sources_fetch_now, sources_retry_failed

__all__ = ["SnapshotAdmin", "SourceAdmin"]


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
    fields = ["claim", "anchor", "origin", "added_by", "created_at"]
    readonly_fields = fields
    ordering = ["id"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ProblemFilter(admin.SimpleListFilter):
    """The sources the dashboard counts as failing to fetch: the same definition, one place."""

    title = _("problem")
    parameter_name = "problem"

    def lookups(self, request, model_admin):
        return [("failing", _("Failing to fetch (failed, blocked, or retrying)"))]

    def queryset(self, request, queryset):
        if self.value() == "failing":
            return queryset.filter(pk__in=sources_failing().values("pk"))
        return queryset


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    view_on_site = False  # get_absolute_url is this admin page (see ArticleAdmin)
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
    list_filter = [ProblemFilter, "state", "link_status"]
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
        # format_html escapes its arguments into strings first: format the date before.
        return format_html('<a href="{}">{}</a>', url, f"{snapshot.fetched_at:%Y-%m-%d %H:%M}")

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
class SnapshotAdmin(ArchiveRecordAdmin, admin.ModelAdmin):
    view_on_site = False  # get_absolute_url is this admin page (see ArticleAdmin)
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
        # Decompressed in full (bodies are capped at FETCH_MAX_BYTES) and sent as bytes with their
        # true length. A FileResponse over gzip.open() declared the compressed file's size and
        # offered its descriptor to gunicorn's sendfile, which then sent nothing.
        with snapshot.body.open("rb") as stored:
            body = gzip.decompress(stored.read())
        response = HttpResponse(body, content_type="text/plain")
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"snapshot-{snapshot.pk}.txt"
        )
        # Belt and braces if a browser renders it anyway: no scripts, no sniffing into HTML.
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["X-Content-Type-Options"] = "nosniff"
        return response
