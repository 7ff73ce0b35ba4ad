"""Shape what each desk action takes through the API: one serializer per action's own fields."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from claims.models import Evidence
from factcheck.ids import MAX_ID
from reviews.models import Rating


class ActionInput(serializers.Serializer):
    """What every action takes; `arguments()` is what its service takes beyond the ticket.

    The registry (reviews/actions.py) sets `action` to the one name the serializer accepts.
    The context carries the `ticket` acted on.
    """

    expected_version = serializers.IntegerField(
        min_value=0, help_text="The ticket's version as you last saw it; a change since is 409."
    )

    def arguments(self) -> dict:
        """Return the service's arguments beyond the ticket, the person and the version."""
        return {
            name: value
            for name, value in self.validated_data.items()
            if name not in ("action", "expected_version")
        }


class NoteInput(ActionInput):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredNoteInput(ActionInput):
    note = serializers.CharField(help_text="Required: what must change, and why.")


class DismissInput(NoteInput):
    reason = serializers.CharField(
        help_text="opinion, not_checkable, duplicate or out_of_scope.",
    )


class UsernameField(serializers.CharField):
    """A person named by username; an unknown one is None, which the service refuses by name."""

    def to_internal_value(self, data):
        username = super().to_internal_value(data)
        return get_user_model().objects.filter(username=username).first()


class AssignInput(NoteInput):
    assignee = UsernameField(help_text="The fact-checker's username.")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class EvidenceField(serializers.ListField):
    """Ids of evidence pinned to the claim acted on, as the evidence rows."""

    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        ticket = self.parent.context["ticket"]
        found = list(Evidence.objects.filter(pk__in=ids, claim_id=ticket.claim_id))
        if len(found) != len(set(ids)):
            raise serializers.ValidationError("Give ids of evidence pinned to this claim.")
        return found


class SaveDraftInput(ActionInput):
    rating = serializers.SlugRelatedField(slug_field="slug", queryset=Rating.objects.all())
    summary = serializers.CharField(help_text="One headline-length sentence.")
    explanation = serializers.CharField()
    evidence = EvidenceField(
        required=False, default=list, help_text="Ids of the pinned evidence it relies on."
    )
    short_claim = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The claim in at most 75 characters, as search engines show it; publish "
        "refuses a revision without one.",
    )
    first_appearance_url = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="An http(s) address where the claim appeared before the piece.",
    )


class VoteInput(NoteInput):
    approve = serializers.BooleanField(
        required=False,
        default=True,
        help_text="A vote approves (true, the default). To send the verdict back, use the "
        "request_changes action with a note: it records your vote against.",
    )

    def validate_approve(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                "A vote approves. To send the verdict back, use the request_changes action "
                "with a note: it records your vote against."
            )
        return value

    rating = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Rating.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The rating you would give; an approval defaults to the verdict's.",
    )
    followed_precedent = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Whether the vote follows how the desk ruled on the most similar past claims.",
    )


class PublishInput(ActionInput):
    correction_note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Required when it publishes a correction: the note readers see.",
    )


class RetractInput(ActionInput):
    reason = serializers.CharField(help_text="The public reason.")
