"""Show other publishers' fact-checks as imported; they change only by re-importing."""

from django.contrib import admin

from claims.models import ExternalFactCheck


@admin.register(ExternalFactCheck)
class ExternalFactCheckAdmin(admin.ModelAdmin):
    list_display = ("claim_reviewed", "publisher", "rating_text", "claimant", "reviewed_at")
    list_filter = ("publisher",)
    search_fields = ("claim_reviewed", "claimant", "url")
    ordering = ("-reviewed_at", "-id")
    readonly_fields = [field.name for field in ExternalFactCheck._meta.fields]

    def has_add_permission(self, request):
        # `manage.py import_claimreview` and the feed job are the way in: one source of truth.
        return False

    def has_change_permission(self, request, obj=None):
        return False
