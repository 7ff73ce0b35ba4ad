"""Serve claim matching: verdicts similar to a text (public), and a claim's matches (staff)."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.encoding import EncoderUnavailable
from claims.models import Claim
from reviews.api.common import NeverCached, refuse_unknown_parameters
from reviews.api.permissions import DeskStaff, PublicRead
from reviews.api.serializers import VerdictSerializer
from reviews.api.views import ERRORS, PublicReadSchema, parse_id, public_verdicts
from reviews.representation import verdicts_public
from reviews.selectors import claim_matches, rating_bounds
from reviews.services.matching import verdicts_similar

MAX_TEXT = 2000
MAX_TOP = 20


class MatchingUnavailable(APIException):
    status_code = 503
    default_detail = "Matching is unavailable: the sentence encoder is not installed."
    default_code = "matching_unavailable"


class DigitsIntegerField(serializers.IntegerField):
    """A whole number written in ASCII digits: DRF's own reads "١" as 1 and "5.0" as 5."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not (data.isascii() and data.isdigit()):
            self.fail("invalid")
        return super().to_internal_value(data)


class SimilarQuerySerializer(serializers.Serializer):
    text = serializers.CharField(min_length=3, max_length=MAX_TEXT, trim_whitespace=True)
    top = DigitsIntegerField(min_value=1, max_value=MAX_TOP, default=5)


class SimilarVerdictSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text="Similarity, 0 to 1 (higher is closer).")
    level = serializers.ChoiceField(
        choices=["confirmed", "suggested", ""],
        help_text="confirmed: the same claim; suggested: probably; empty: only similar.",
    )
    verdict = VerdictSerializer()


class SimilarVerdictsSerializer(serializers.Serializer):
    results = SimilarVerdictSerializer(many=True)


class MatchSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["verdict", "ticket", "external"])
    ours = serializers.BooleanField(help_text="The desk's own verdict or ticket (not theirs).")
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    level = serializers.ChoiceField(choices=["confirmed", "suggested"])
    conflicts = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()
    rating = serializers.CharField(help_text="The rating, the ticket's stage, or theirs.")
    date = serializers.CharField(allow_null=True)
    url = serializers.CharField()
    verdict_id = serializers.IntegerField(allow_null=True)
    ticket_id = serializers.IntegerField(allow_null=True)
    external_id = serializers.IntegerField(allow_null=True)
    repeats = serializers.IntegerField(help_text="New pieces that repeated this verdict's claim.")

    def to_representation(self, match) -> dict:
        data = dict(match.__dict__)
        data["date"] = match.date.isoformat() if match.date is not None else None
        return data


class ClaimMatchesSerializer(serializers.Serializer):
    results = MatchSerializer(many=True)


class SimilarVerdictsView(APIView):
    """Published verdicts ranked by similarity to a text."""

    permission_classes = [PublicRead]
    schema = PublicReadSchema()

    @extend_schema(
        summary="Published verdicts similar to a text",
        description=(
            "Rank the desk's published verdicts (not retracted, not under embargo) by how "
            "closely their claim and summary match `text`. Drafts are never searched."
        ),
        parameters=[
            OpenApiParameter("text", str, required=True, description="3 to 2,000 characters."),
            OpenApiParameter("top", int, description=f"Results, 1 to {MAX_TOP} (default 5)."),
        ],
        responses={
            200: SimilarVerdictsSerializer,
            503: OpenApiResponse(description="No sentence encoder installed."),
            **ERRORS,
        },
    )
    def get(self, request):
        refuse_unknown_parameters(request, {"text", "top"})
        query = SimilarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            ranked = verdicts_similar(
                text=query.validated_data["text"], top=query.validated_data["top"]
            )
        except EncoderUnavailable:
            raise MatchingUnavailable() from None
        # Read through the public selector again: only what the public may see is serialized.
        shown = verdicts_public(
            public_verdicts().filter(pk__in=[pk for pk, _ in ranked]),
            rating_bounds=rating_bounds(),
            request=request,
        )
        verdicts = {verdict["id"]: verdict for verdict in shown}
        results = [
            {"score": match.score, "level": match.level, "verdict": verdicts[pk]}
            for pk, match in ranked
            if pk in verdicts and not verdicts[pk]["retracted"]
        ]
        return Response({"results": results})


class ClaimMatchesView(NeverCached, APIView):
    """What matching found for one claim (staff)."""

    permission_classes = [DeskStaff]

    @extend_schema(
        summary="Verdicts, open tickets and other publishers' checks matching a claim (staff)",
        responses={200: ClaimMatchesSerializer, **ERRORS},
    )
    def get(self, request, pk: str):
        # The list is the selector's, whole: no parameter (such as top) shapes it.
        refuse_unknown_parameters(request, set())
        claim = Claim.objects.filter(pk=parse_id(pk)).first()
        if claim is None:
            raise NotFound()
        return Response(
            {"results": [MatchSerializer(match).data for match in claim_matches(claim)]}
        )
