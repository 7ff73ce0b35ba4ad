"""Shape what newsroom tooling sends and gets: ingestion, claims on the desk, transitions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.extraction.normalize import FORMATS
from reviews.models import Rating

# The API's names for the workflow actions, and the service action each one runs.
TRANSITIONS = {
    "queue": "queue",
    "dismiss": "dismiss",
    "reopen": "reopen",
    "take": "take",
    "assign": "assign",
    "save_draft": "revise",
    "submit": "submit",
    "vote": "vote",
    "request_changes": "request_changes",
    "publish": "publish",
    "open_correction": "open_correction",
    "retract": "retract",
}


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


class TicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    stage = serializers.CharField()
    version = serializers.IntegerField(help_text="Send it back as expected_version.")
    assignee = serializers.CharField(source="assignee.get_username", allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    dismiss_reason = serializers.CharField()


class DraftSerializer(serializers.Serializer):
    """The verdict's current revision: staff only, never shown to the public."""

    revision = serializers.IntegerField(source="number")
    rating = serializers.CharField(source="rating.slug")
    summary = serializers.CharField()
    explanation = serializers.CharField()
    author = serializers.CharField(source="author.get_username")


class DeskClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    score = serializers.FloatField()
    checkworthy = serializers.BooleanField()
    article = serializers.SerializerMethodField()
    ticket = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField()
    published = serializers.SerializerMethodField()

    def get_article(self, claim) -> dict:
        article = claim.article
        return {"id": article.pk, "title": article.title, "url": article.url}

    def _ticket(self, claim):
        return getattr(claim, "ticket", None)

    def _verdict(self, claim):
        ticket = self._ticket(claim)
        return getattr(ticket, "verdict", None) if ticket is not None else None

    @extend_schema_field(TicketSerializer(allow_null=True))
    def get_ticket(self, claim):
        ticket = self._ticket(claim)
        return TicketSerializer(ticket).data if ticket is not None else None

    @extend_schema_field(DraftSerializer(allow_null=True))
    def get_draft(self, claim):
        verdict = self._verdict(claim)
        if verdict is None or verdict.current_revision is None:
            return None
        return DraftSerializer(verdict.current_revision).data

    def get_published(self, claim) -> bool:
        verdict = self._verdict(claim)
        return verdict is not None and verdict.published_revision_id is not None


class DeskClaimDetailSerializer(DeskClaimSerializer):
    allowed_actions = serializers.ListField(child=serializers.CharField())
    citations = serializers.ListField(source="citation_list", child=serializers.DictField())
    evidence = serializers.ListField(source="evidence_list", child=serializers.DictField())


class TransitionSerializer(serializers.Serializer):
    """One workflow action; which of the optional fields it needs depends on the action."""

    action = serializers.ChoiceField(choices=sorted(TRANSITIONS))
    expected_version = serializers.IntegerField(
        min_value=0, help_text="The ticket's version as you last saw it; a change since is 409."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="dismiss: opinion, not_checkable, duplicate or out_of_scope; retract: the "
        "public reason.",
    )
    assignee = serializers.CharField(required=False, help_text="assign: a username.")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    rating = serializers.SlugRelatedField(
        slug_field="slug", queryset=Rating.objects.all(), required=False
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    explanation = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    approve = serializers.BooleanField(required=False, allow_null=True, default=None)
    correction_note = serializers.CharField(required=False, allow_blank=True, default="")

    REQUIRED = {
        "dismiss": ["reason"],
        "assign": ["assignee"],
        "save_draft": ["rating", "summary", "explanation"],
        "vote": ["approve"],
        "request_changes": ["note"],
        "open_correction": ["note"],
        "retract": ["reason"],
    }

    def validate(self, attrs):
        missing = [
            name
            for name in self.REQUIRED.get(attrs["action"], [])
            if attrs.get(name) in (None, "", [])
        ]
        if missing:
            raise serializers.ValidationError(
                {name: [f"{attrs['action']} needs {name}."] for name in missing}
            )
        return attrs


class CitationCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="The address of the reporting to cite.")


class CitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(source="claim_id")
    url = serializers.CharField(source="href")
    normalized_url = serializers.CharField(source="source.normalized_url")
    source_state = serializers.CharField(source="source.state")
