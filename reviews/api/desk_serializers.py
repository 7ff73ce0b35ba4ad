"""Shape what newsroom tooling gets about the desk: claims with their ticket, draft, citations."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
    short_claim = serializers.CharField()
    first_appearance_url = serializers.CharField()
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


class CitationCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2000, help_text="The address of the reporting to cite.")


class CitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    claim = serializers.IntegerField(source="claim_id")
    url = serializers.CharField(source="href")
    normalized_url = serializers.CharField(source="source.normalized_url")
    source_state = serializers.CharField(source="source.state")
