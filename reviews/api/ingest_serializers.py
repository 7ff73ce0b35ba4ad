"""Shape what a newsroom sends to ingest a piece, and what it gets back."""

from rest_framework import serializers

from claims.extraction.normalize import FORMATS


class ArticleIngestSerializer(serializers.Serializer):
    """The same inputs as `manage.py ingest`, plus an embargo."""

    body = serializers.CharField(
        trim_whitespace=False, help_text="The piece as text, Markdown or HTML."
    )
    title = serializers.CharField(max_length=500)
    author = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    publication = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    url = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    embargo_until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Verdicts on the piece stay unpublished until then.",
    )
    format = serializers.ChoiceField(choices=FORMATS, default="auto")


class IngestedClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    score = serializers.FloatField()
    checkworthy = serializers.BooleanField()
    attributed_uncited = serializers.BooleanField()


class IngestedArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    slug = serializers.CharField()
    author = serializers.CharField()
    publication = serializers.CharField()
    url = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    embargo_until = serializers.DateTimeField(allow_null=True)
    ingested_at = serializers.DateTimeField()


class IngestResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False: the same piece was already ingested.")
    article = IngestedArticleSerializer()
    claims = IngestedClaimSerializer(many=True)


class ArticleIdSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class IngestedElsewhereSerializer(serializers.Serializer):
    """The same piece, sent first by another client: only its id, never their metadata."""

    created = serializers.BooleanField(help_text="Always false.")
    article = ArticleIdSerializer()
