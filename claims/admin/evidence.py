"""Show the passages ranked for claims; citing and pinning happen on the one research screen."""

from __future__ import annotations

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from claims.admin.records import ArchiveRecordAdmin
from claims.models import Passage, Source

# The research screen (the claim's ticket page), reached by the claim's id. Named, not imported:
# claims never imports reviews, and without the review desk the link is simply left out.
RESEARCH_URL_NAME = "admin:reviews_ticket_research"


def source_link(source: Source) -> str:
    url = reverse("admin:claims_source_change", args=[source.pk])
    return format_html('<a href="{}">{}</a>', url, source.normalized_url[:90])


def research_link(claim) -> str:
    """Return a link to the research screen of `claim`, or a dash without the review desk."""
    try:
        url = reverse(RESEARCH_URL_NAME, args=[claim.pk])
    except NoReverseMatch:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', url, _("Cite sources, read ranked passages and pin evidence")
    )


@admin.register(Passage)
class PassageAdmin(ArchiveRecordAdmin, admin.ModelAdmin):
    """Passages as records; they are read and pinned on the research screen, not listed here."""

    list_display = ["__str__", "claim", "snapshot", "rank", "score"]
    list_select_related = ["claim", "snapshot"]
    ordering = ["claim", "rank", "id"]
    readonly_fields = ["claim", "snapshot", "rank", "score", "start", "end", "text"]
    fields = readonly_fields

    def get_model_perms(self, request):
        return {}
