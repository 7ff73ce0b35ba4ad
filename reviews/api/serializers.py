"""Shape what the API shows: published verdicts only from their published revision."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reviews.selectors import verdict_public_url


def absolute(context: dict, path: str) -> str:
    """Return `path` as an absolute URL: on the request's host, else on DESK_BASE_URL."""
    request = context.get("request")
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.DESK_BASE_URL.rstrip('/')}{path}"


class ArticleRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    author = serializers.CharField(help_text="Who wrote the piece: the claimant.")
    publication = serializers.CharField()
    url = serializers.CharField(help_text="The piece's canonical URL; may be empty.")
    published_at = serializers.DateTimeField(allow_null=True)


class ClaimRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField(help_text="Offset of the claim in the article's plain text.")
    end = serializers.IntegerField()


class RatingSerializer(serializers.Serializer):
    slug = serializers.CharField()
    label = serializers.CharField()
    value = serializers.IntegerField(
        allow_null=True, help_text="ClaimReview ratingValue; null for ratings off the scale."
    )
    best = serializers.IntegerField(allow_null=True, help_text="The scale's best value.")
    worst = serializers.IntegerField(allow_null=True, help_text="The scale's worst value.")


class SnapshotSerializer(serializers.Serializer):
    archived_at = serializers.DateTimeField(source="fetched_at")
    final_url = serializers.CharField(help_text="Where the page was, after redirects.")
    status = serializers.IntegerField()
    sha256 = serializers.CharField(help_text="SHA-256 of the archived body.")
    title = serializers.CharField()
    site_name = serializers.CharField()
    published = serializers.DateField(allow_null=True)


class SourceSerializer(serializers.Serializer):
    """One piece of evidence the published revision relies on, with its archived snapshot."""

    url = serializers.CharField(source="source.url")
    stance = serializers.CharField(help_text="supports, contradicts or context.")
    quote = serializers.CharField()
    link_status = serializers.CharField(
        source="source.link_status",
        help_text="What the last re-check of the live page found (empty: not re-checked).",
    )
    snapshot = SnapshotSerializer(allow_null=True)


class CorrectionSerializer(serializers.Serializer):
    note = serializers.CharField(source="public_note")
    published_at = serializers.DateTimeField()


class VerdictSerializer(serializers.Serializer):
    """A published verdict as the public sees it; never anything from a draft."""

    id = serializers.IntegerField()
    url = serializers.SerializerMethodField(help_text="The verdict's public page.")
    api_url = serializers.SerializerMethodField()
    claimreview_url = serializers.SerializerMethodField()
    claim = ClaimRefSerializer(source="ticket.claim")
    article = ArticleRefSerializer(source="ticket.claim.article")
    rating = serializers.SerializerMethodField()
    summary = serializers.CharField(source="published_revision.summary")
    explanation = serializers.CharField(source="published_revision.explanation")
    sources = SourceSerializer(source="published_revision.evidence.all", many=True)
    revision = serializers.IntegerField(
        source="published_revision.number", help_text="The published revision's number."
    )
    published_at = serializers.DateTimeField(help_text="When it was first published.")
    updated_at = serializers.DateTimeField(
        help_text="Last change the public can see (publication, correction, retraction)."
    )
    corrections = CorrectionSerializer(source="published_corrections", many=True)
    retracted = serializers.BooleanField(source="is_retracted")
    retracted_at = serializers.DateTimeField(allow_null=True)
    retraction_reason = serializers.CharField()

    def to_representation(self, verdict) -> dict:
        # Written out by hand: the list serializes up to 200 of these per request, and the
        # declared fields above (which the OpenAPI schema and schemathesis check this against)
        # would cost several times as much. Same keys, same formats.
        claim = verdict.ticket.claim
        article = claim.article
        revision = verdict.published_revision
        return {
            "id": verdict.pk,
            "url": self.get_url(verdict),
            "api_url": self.get_api_url(verdict),
            "claimreview_url": self.get_claimreview_url(verdict),
            "claim": {"id": claim.pk, "text": claim.text, "start": claim.start, "end": claim.end},
            "article": {
                "id": article.pk,
                "title": article.title,
                "author": article.author,
                "publication": article.publication,
                "url": article.url,
                "published_at": _moment(article.published_at),
            },
            "rating": self.get_rating(verdict),
            "summary": revision.summary,
            "explanation": revision.explanation,
            "sources": [_source(evidence) for evidence in revision.evidence.all()],
            "revision": revision.number,
            "published_at": _moment(verdict.published_at),
            "updated_at": _moment(verdict.updated_at),
            "corrections": [
                {"note": c.public_note, "published_at": _moment(c.published_at)}
                for c in verdict.published_corrections
            ],
            "retracted": verdict.is_retracted,
            "retracted_at": _moment(verdict.retracted_at),
            "retraction_reason": verdict.retraction_reason,
        }

    def get_url(self, verdict) -> str:
        return verdict_public_url(verdict.pk)

    def get_api_url(self, verdict) -> str:
        return absolute(self.context, reverse("api:verdict-detail", args=[verdict.pk]))

    def get_claimreview_url(self, verdict) -> str:
        return absolute(self.context, reverse("api:verdict-claimreview", args=[verdict.pk]))

    @extend_schema_field(RatingSerializer)
    def get_rating(self, verdict) -> dict:
        rating = verdict.published_revision.rating
        worst, best = self.context["rating_bounds"]
        on_scale = rating.numeric_value is not None
        return {
            "slug": rating.slug,
            "label": rating.label,
            "value": rating.numeric_value,
            "best": best if on_scale else None,
            "worst": worst if on_scale else None,
        }


_MOMENT = serializers.DateTimeField()


def _moment(value):
    return None if value is None else _MOMENT.to_representation(value)


def _source(evidence) -> dict:
    snapshot = evidence.snapshot
    return {
        "url": evidence.source.url,
        "stance": evidence.stance,
        "quote": evidence.quote,
        "link_status": evidence.source.link_status,
        "snapshot": None
        if snapshot is None
        else {
            "archived_at": _moment(snapshot.fetched_at),
            "final_url": snapshot.final_url,
            "status": snapshot.status,
            "sha256": snapshot.sha256,
            "title": snapshot.title,
            "site_name": snapshot.site_name,
            "published": None if snapshot.published is None else snapshot.published.isoformat(),
        },
    }
