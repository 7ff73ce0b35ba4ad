"""Shape what the API shows: published verdicts only from their published revision."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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


class TagSerializer(serializers.Serializer):
    slug = serializers.SlugField(help_text="Filter the verdicts by it: ?tag=<slug>.")
    name = serializers.CharField()


class AttachmentSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The file, served while a public revision relies on it.")
    caption = serializers.CharField(help_text="What the file shows, as the revision has it.")
    content_type = serializers.CharField(help_text="Read from the file's content on upload.")
    size = serializers.IntegerField(help_text="In bytes.")


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
    attachments = AttachmentSerializer(
        source="published_revision.attachments.all",
        many=True,
        help_text="The files (screenshots, documents) the published revision relies on.",
    )
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
    tags = TagSerializer(
        source="ticket.claim.tags.all", many=True, help_text="The claim's topics, by name."
    )

    def to_representation(self, verdict: dict) -> dict:
        # The declared fields above document the shape; reviews/representation.py builds it.
        return verdict

    def get_url(self, verdict: dict) -> str:
        return verdict["url"]

    def get_api_url(self, verdict: dict) -> str:
        return verdict["api_url"]

    def get_claimreview_url(self, verdict: dict) -> str:
        return verdict["claimreview_url"]

    @extend_schema_field(RatingSerializer)
    def get_rating(self, verdict: dict) -> dict:
        return verdict["rating"]
