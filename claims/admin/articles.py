"""Show fact-checkers the pieces and their claims, ranked, with the reasons and the context."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from claims.admin.evidence import claim_inlines
from claims.models import Article, Claim


def claim_in_context(claim: Claim) -> str:
    """Return the claim's paragraph as HTML with the claim itself marked."""
    text = claim.article.plain_text
    start, end = claim.paragraph_bounds()
    return format_html(
        '<p class="claim-context">{}<mark>{}</mark>{}</p>',
        text[start : claim.start],
        text[claim.start : claim.end],
        text[claim.end : end],
    )


def reasons_list(claim: Claim) -> str:
    """Return the detector's reasons as an HTML list."""
    if not claim.reasons:
        return "—"
    return format_html(
        "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((r,) for r in claim.reasons))
    )


class ScoreRangeFilter(admin.SimpleListFilter):
    title = _("check-worthiness")
    parameter_name = "score"
    RANGES = {
        "high": (0.75, 1.01, _("0.75 – 1 (high)")),
        "medium": (0.5, 0.75, _("0.5 – 0.75")),
        "low": (0.25, 0.5, _("0.25 – 0.5")),
        "minimal": (0.0, 0.25, _("0 – 0.25 (minimal)")),
    }

    def lookups(self, request, model_admin):
        return [(key, label) for key, (_low, _high, label) in self.RANGES.items()]

    def queryset(self, request, queryset):
        if self.value() in self.RANGES:
            low, high, _label = self.RANGES[self.value()]
            return queryset.filter(score__gte=low, score__lt=high)
        return queryset


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["position", "text", "score", "checkworthy", "attributed_uncited", "reasons_shown"]
    readonly_fields = fields
    ordering = ["position", "id"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("reasons"))
    def reasons_shown(self, claim):
        return reasons_list(claim)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "author",
        "publication",
        "published_at",
        "claim_count",
        "checkworthy_count",
        "ingested_at",
    ]
    list_filter = ["publication", "ingested_at"]
    search_fields = ["title", "author", "publication", "url"]
    date_hierarchy = "ingested_at"
    ordering = ["-ingested_at", "-id"]
    readonly_fields = [
        "slug",
        "body_format",
        "plain_text",
        "content_hash",
        "paragraph_count",
        "sentence_count",
        "ingested_by",
        "ingested_at",
        "updated_at",
        "body",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["title", "author", "publication", "url", "published_at", "embargo_until"]},
        ),
        (_("Text"), {"fields": ["plain_text", "body_format", "body"], "classes": ["collapse"]}),
        (
            _("Record"),
            {
                "fields": [
                    "slug",
                    "content_hash",
                    "paragraph_count",
                    "sentence_count",
                    "ingested_by",
                    "ingested_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [ClaimInline]

    def has_add_permission(self, request):
        # Pieces arrive through `manage.py ingest` or the API, which extract their claims.
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                claim_total=Count("claims"),
                checkworthy_total=Count("claims", filter=Q(claims__checkworthy=True)),
            )
        )

    @admin.display(description=_("claims"), ordering="claim_total")
    def claim_count(self, article):
        return article.claim_total

    @admin.display(description=_("check-worthy"), ordering="checkworthy_total")
    def checkworthy_count(self, article):
        return article.checkworthy_total


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "short_text",
        "claimant",
        "article",
        "score",
        "checkworthy",
        "attributed_uncited",
        "split",
    ]
    list_filter = [
        "checkworthy",
        "claimant",
        ScoreRangeFilter,
        "attributed_uncited",
        ("article", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["text", "article__title", "claimant"]
    list_select_related = ["article"]
    ordering = ["-checkworthy", "-score", "id"]
    readonly_fields = [
        "article",
        "in_context",
        "text",
        "start",
        "end",
        "paragraph",
        "sentence",
        "position",
        "score",
        "checkworthy",
        "reasons_shown",
        "split",
        "attributed_uncited",
        "claimant",
        "created_at",
    ]
    fields = readonly_fields
    # What the claim cites, the best passages of the archived sources, and the pinned evidence.
    inlines = claim_inlines

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("article")

    @admin.display(description=_("claim"), ordering="text")
    def short_text(self, claim):
        return claim.text if len(claim.text) <= 120 else f"{claim.text[:117]}…"

    @admin.display(description=_("in its paragraph"))
    def in_context(self, claim):
        return claim_in_context(claim)

    @admin.display(description=_("reasons"))
    def reasons_shown(self, claim):
        return reasons_list(claim)
