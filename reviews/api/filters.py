"""Filter published verdicts: by article, claimant, rating, dates, and full text."""

import re
from datetime import UTC, datetime

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import make_aware

from claims.models import Claim, Tag
from factcheck.ids import MAX_ID
from reviews.models import Rating, Verdict, VerdictRevision

_OFFSET_AS_SPACE = re.compile(r"([T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


class MomentField(forms.Field):
    """Accept an ISO 8601 date-time, or a date meaning midnight UTC; naive times are UTC."""

    default_error_messages = {
        "invalid": "Give an ISO 8601 date or date-time, such as 2026-11-26T09:30:00Z.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        # An unescaped "+01:00" offset arrives as " 01:00" after URL decoding.
        text = _OFFSET_AS_SPACE.sub(r"\1+\2", str(value).strip())
        try:
            moment = parse_datetime(text)
            if moment is None and (day := parse_date(text)) is not None:
                moment = datetime(day.year, day.month, day.day)
        except ValueError:
            moment = None
        try:
            if moment is not None:
                moment = moment if moment.tzinfo else make_aware(moment, timezone=UTC)
                # The database compares in UTC; year 1 at +01:00 has no UTC equivalent.
                return moment.astimezone(UTC)
        except (OverflowError, ValueError):
            pass
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class MomentFilter(django_filters.Filter):
    field_class = MomentField


class VerdictFilter(django_filters.FilterSet):
    """The filters a client may combine on the verdict list; each is backed by an index."""

    article = django_filters.NumberFilter(
        field_name="ticket__claim__article_id",
        help_text="Only verdicts on this article (its id).",
        min_value=1,
        max_value=MAX_ID,
        decimal_places=0,
    )
    article_url = django_filters.CharFilter(
        field_name="ticket__claim__article__url",
        help_text="Only verdicts on the article with this canonical URL (exact).",
    )
    rating = django_filters.ModelChoiceFilter(
        field_name="published_revision__rating",
        queryset=Rating.objects.all(),
        to_field_name="slug",
        help_text="Only verdicts with this rating (its slug, such as mostly-false).",
        error_messages={
            "invalid_choice": "Not a rating of this desk's scale; give a rating's slug, such "
            "as mostly-false or half-true, as the verdicts' rating field shows it."
        },
    )
    tag = django_filters.ModelChoiceFilter(
        field_name="ticket__claim__tags",
        queryset=Tag.objects.all(),
        to_field_name="slug",
        help_text="Only verdicts on claims with this topic (its slug, such as public-health).",
        error_messages={
            "invalid_choice": "Not a tag of this desk; give a tag's slug as the verdicts' tags "
            "field shows it."
        },
    )
    claimant = django_filters.CharFilter(
        field_name="ticket__claim__claimant",
        help_text=(
            "Only claims made by this person or body (exact): the speaker the piece attributes "
            "the claim to, else the article's author."
        ),
    )
    published_after = MomentFilter(
        field_name="published_at", lookup_expr="gte", help_text="First published at or after."
    )
    published_before = MomentFilter(
        field_name="published_at", lookup_expr="lt", help_text="First published before."
    )
    updated_since = MomentFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text="Changed (published, corrected, retracted) at or after this moment.",
    )
    q = django_filters.CharFilter(
        method="search", help_text="Words to find in the claim or the verdict's summary."
    )

    class Meta:
        model = Verdict
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if connection.vendor != "postgresql":
            # The laptop demo's SQLite: a plain substring match is enough.
            return queryset.filter(
                Q(ticket__claim__text__icontains=value)
                | Q(published_revision__summary__icontains=value)
            )
        # Two indexed sub-searches (see the reviews 0006 migration), joined by id.
        query = SearchQuery(value, search_type="websearch", config="english")
        claims = (
            Claim.objects.annotate(match=SearchVector("text", config="english"))
            .filter(match=query)
            .values("pk")
        )
        revisions = (
            VerdictRevision.objects.annotate(match=SearchVector("summary", config="english"))
            .filter(match=query)
            .values("pk")
        )
        return queryset.filter(Q(ticket__claim__in=claims) | Q(published_revision__in=revisions))
