"""Show fact-checkers the pieces and their claims, ranked, with the reasons and the context."""

from django import forms
from django.contrib import admin
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from claims.admin.evidence import research_link
from claims.errors import ClaimsError
from claims.models import ARTICLE_TEXT_FIELDS, Article, ArticleEvent, Claim
from claims.selectors import claims_matching, claims_ranked, search_terms
from claims.services import article_embargo_check
from claims.services.articles import EDITABLE_FIELDS, article_metadata_clean, article_update
from factcheck.ids import as_id
from factcheck.paginator import LargeListAdmin

# Claims the article's page lists, best first; a link opens all of them in the claim list.
SHOWN_CLAIMS = 50
# Pieces the article filter offers (the latest); any other is reached from its own page.
SHOWN_ARTICLES = 20
# The claimant filter offers the claimants of this many of the latest claims.
RECENT_CLAIMS_FOR_CLAIMANTS = 500


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


class ArticleFilter(admin.RelatedFieldListFilter):
    """Filter by piece: offer the latest pieces (and the chosen one), reading only their titles.

    Listing every piece the list holds would read the whole table on every page view; any
    piece's claims or tickets open from its own page (`?article__id__exact=`), which this
    filter accepts whether or not it offers the piece.
    """

    def field_choices(self, field, request, model_admin):
        latest = Article.objects.order_by("-ingested_at", "-id")[:SHOWN_ARTICLES].values("pk")
        chosen = [found for value in self.lookup_val or [] if (found := as_id(value)) is not None]
        articles = (
            Article.objects.filter(Q(pk__in=latest) | Q(pk__in=chosen))
            .order_by("-ingested_at", "-id")
            .values_list("pk", "title")
        )
        return [(pk, f"#{pk} {title[:60]}") for pk, title in articles]


class ClaimantFilter(admin.SimpleListFilter):
    """Filter by claimant: offer those of the latest claims (and the chosen one)."""

    title = _("claimant")
    parameter_name = "claimant"

    def lookups(self, request, model_admin):
        recent = (
            Claim.objects.exclude(claimant="")
            .order_by("-id")
            .values_list("claimant", flat=True)[:RECENT_CLAIMS_FOR_CLAIMANTS]
        )
        names = set(recent) | ({self.value()} if self.value() else set())
        return [(name, name) for name in sorted(names)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(claimant=self.value())
        return queryset


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


def _claim_count(**conditions) -> Coalesce:
    counted = (
        Claim.objects.filter(article=OuterRef("pk"), **conditions)
        .order_by()
        .values("article")
        .annotate(total=Count("id"))
        .values("total")
    )
    return Coalesce(Subquery(counted), 0)


class ArticleForm(forms.ModelForm):
    """The piece's metadata, checked by the same rules as ingestion (see article_update)."""

    url = forms.URLField(
        label=_("canonical URL"), required=False, max_length=2000, assume_scheme="https"
    )
    # The service's words when it refused this very input at save (see ArticleAdmin).
    refusal: str | None = None

    class Meta:
        model = Article
        fields = list(EDITABLE_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.refusal:
            raise forms.ValidationError(self.refusal)
        try:
            article_metadata_clean(**{field: cleaned.get(field) for field in EDITABLE_FIELDS})
            if "embargo_until" in self.changed_data:
                article_embargo_check(
                    article=self.instance, embargo_until=cleaned.get("embargo_until")
                )
        except ClaimsError as error:
            raise forms.ValidationError(str(error)) from error
        return cleaned


class _EditRefused(Exception):
    """The article service refused at save an edit that the form had accepted."""


class ArticleEventInline(admin.TabularInline):
    model = ArticleEvent
    fields = ["created_at", "action", "actor", "client", "changes"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    extra = 0
    can_delete = False
    verbose_name_plural = _("changes to the piece")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The record of a piece's changes is part of the piece: whoever reads one reads both.
        return request.user.has_perm("claims.view_article")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    # get_absolute_url is the desk's address of a record (this admin page); "View on site" would
    # link the page to itself. A piece's public page exists only once a verdict is published.
    view_on_site = False
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
        "ingest_client",
        "ingested_at",
        "updated_at",
        "body",
        "claims_shown",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["title", "author", "publication", "url", "published_at", "embargo_until"]},
        ),
        (_("Claims"), {"fields": ["claims_shown"]}),
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
                    "ingest_client",
                    "ingested_at",
                    "updated_at",
                ]
            },
        ),
    ]
    inlines = [ArticleEventInline]

    def has_add_permission(self, request):
        # Pieces arrive through the desk's Add piece screen, `manage.py ingest` or the API.
        return False

    def has_delete_permission(self, request, obj=None):
        # Removing a piece takes its claims, tickets and their trail with it: the desk's
        # "Remove piece" action does it in the background and keeps the record.
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: the same checks as ingestion, and an event for what changed.
        try:
            article_update(
                article=obj,
                by=request.user,
                **{field: form.cleaned_data[field] for field in form.changed_data},
            )
        except ClaimsError as error:
            # The piece changed since the form checked it (a verdict on it went public). Raised
            # out of the admin's transaction, which rolls back: no log entry, no message.
            raise _EditRefused(str(error)) from error

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _EditRefused as refused:
            # The same page again, the form bound to what was typed, the refusal its only error.
            request.article_edit_refused = str(refused)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "article_edit_refused", None)
        if refusal is None:
            return form
        return type(form.__name__, (form,), {"refusal": refusal})

    def get_queryset(self, request):
        # Counted per row by subqueries, and the text left in the database: a list of pieces
        # never carries their bodies, and never groups by them.
        return (
            super()
            .get_queryset(request)
            .defer(*ARTICLE_TEXT_FIELDS)
            .annotate(
                claim_total=_claim_count(),
                checkworthy_total=_claim_count(checkworthy=True),
            )
        )

    @admin.display(description=_("claims, best first"))
    def claims_shown(self, article):
        claims = claims_ranked(article_id=article.pk)[:SHOWN_CLAIMS]
        rows = format_html_join(
            "",
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    reverse("admin:claims_claim_change", args=[claim.pk]),
                    claim.text,
                    f"{claim.score:.2f}",
                    _("check-worthy") if claim.checkworthy else "",
                    _("attributed but uncited") if claim.attributed_uncited else "",
                )
                for claim in claims
            ),
        )
        every = (
            reverse("admin:claims_claim_changelist")
            + "?"
            + urlencode({"article__id__exact": article.pk})
        )
        return format_html(
            '<table class="claims-found"><tbody>{}</tbody></table><p><a href="{}">{}</a></p>',
            rows,
            every,
            _("All %(total)s claims of this piece") % {"total": f"{article.claim_total:,}"},
        )

    @admin.display(description=_("claims"), ordering="claim_total")
    def claim_count(self, article):
        return article.claim_total

    @admin.display(description=_("check-worthy"), ordering="checkworthy_total")
    def checkworthy_count(self, article):
        return article.checkworthy_total


@admin.register(Claim)
class ClaimAdmin(LargeListAdmin, admin.ModelAdmin):
    view_on_site = False  # get_absolute_url is this admin page (see ArticleAdmin)
    list_display = [
        "short_text",
        "claimant",
        "article",
        "score_shown",
        "checkworthy",
        "attributed_uncited",
        "split",
    ]
    list_filter = [
        "checkworthy",
        ClaimantFilter,
        ScoreRangeFilter,
        "attributed_uncited",
        "tags",
        ("article", ArticleFilter),
    ]
    search_fields = ["text", "article__title", "claimant"]
    list_select_related = ["article"]
    ordering = ["-checkworthy", "-score", "id"]
    # Large lists (LargeListAdmin): no full COUNT; an estimate, or "1,000+" for a filtered list.
    readonly_fields = [
        "article",
        "in_context",
        "text",
        "start",
        "end",
        "paragraph_shown",
        "sentence_shown",
        "position_shown",
        "score_shown",
        "checkworthy",
        "reasons_shown",
        "split",
        "attributed_uncited",
        "claimant",
        "created_at",
        "research",
    ]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def get_search_results(self, request, queryset, search_term):
        # search_fields above name what is searched (and show the box); claims_matching says
        # how each term is matched so that the trigram indexes can answer it.
        for term in search_terms(search_term):
            queryset = queryset.filter(claims_matching(term, claimant=True))
        return queryset, False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article")
            .defer(*(f"article__{name}" for name in ARTICLE_TEXT_FIELDS))
        )

    @admin.display(description=_("claim"), ordering="text")
    def short_text(self, claim):
        return claim.text if len(claim.text) <= 120 else f"{claim.text[:117]}…"

    # Stored counts start at 0 (the API keeps them so); people count from 1, as "#1" labels do.
    @admin.display(description=_("paragraph"), ordering="paragraph")
    def paragraph_shown(self, claim):
        return claim.paragraph + 1

    @admin.display(description=_("sentence in the piece"), ordering="sentence")
    def sentence_shown(self, claim):
        return claim.sentence + 1

    @admin.display(description=_("position in the piece"), ordering="position")
    def position_shown(self, claim):
        return claim.position + 1

    @admin.display(description=_("check-worthiness"), ordering="score")
    def score_shown(self, claim):
        return f"{claim.score:.2f}"

    @admin.display(description=_("in its paragraph"))
    def in_context(self, claim):
        return claim_in_context(claim)

    @admin.display(description=_("reasons"))
    def reasons_shown(self, claim):
        return reasons_list(claim)

    @admin.display(description=_("research"))
    def research(self, claim):
        # One research screen: the claim's ticket page cites, ranks and pins (with its checks).
        return research_link(claim)
