"""Serve the desk's tooling: claims with their stage, workflow actions and citations."""

from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from claims.models import Citation, Claim, Evidence
from claims.services import citation_add
from reviews import rules, services
from reviews.api.desk_serializers import (
    TRANSITIONS,
    CitationCreateSerializer,
    CitationSerializer,
    DeskClaimDetailSerializer,
    DeskClaimSerializer,
    TransitionSerializer,
)
from reviews.api.filters import MAX_ID
from reviews.api.pagination import StaffPagination
from reviews.api.permissions import CanCite, DeskStaff
from reviews.api.views import ERRORS, parse_id
from reviews.errors import InvalidTransition
from reviews.workflow import Stage

CONFLICT = {409: OpenApiResponse(description="Stale version, or not allowed in this stage.")}


def _by_username(username: str):
    return get_user_model().objects.filter(username=username).first()


def _run(name: str, ticket, by, v: dict):
    """Call the service behind the API action `name`, as the admin's matching button does."""
    common = {"ticket": ticket, "by": by, "expected_version": v["expected_version"]}
    if name == "queue":
        return services.ticket_queue(note=v["note"], **common)
    if name == "dismiss":
        return services.ticket_dismiss(reason=v["reason"], note=v["note"], **common)
    if name == "reopen":
        return services.ticket_reopen(note=v["note"], **common)
    if name == "take":
        return services.ticket_take(**common)
    if name == "assign":
        return services.ticket_assign(
            assignee=_by_username(v["assignee"]), due_at=v["due_at"], note=v["note"], **common
        )
    if name == "save_draft":
        evidence = list(Evidence.objects.filter(pk__in=v["evidence"], claim_id=ticket.claim_id))
        if len(evidence) != len(set(v["evidence"])):
            raise ValidationError({"evidence": ["Give ids of evidence pinned to this claim."]})
        return services.verdict_save_draft(
            rating=v["rating"],
            summary=v["summary"],
            explanation=v["explanation"],
            evidence=evidence,
            short_claim=v["short_claim"],
            first_appearance_url=v["first_appearance_url"],
            **common,
        )
    if name == "submit":
        return services.verdict_submit(note=v["note"], **common)
    if name == "vote":
        return services.vote_cast(
            approve=v["approve"], rating=v.get("rating"), note=v["note"], **common
        )
    if name == "request_changes":
        return services.verdict_request_changes(note=v["note"], **common)
    if name == "publish":
        return services.verdict_publish(correction_note=v["correction_note"], **common)
    if name == "open_correction":
        return services.correction_open(note=v["note"], **common)
    if name == "retract":
        return services.verdict_retract(reason=v["reason"], **common)
    raise ValidationError({"action": [f"Unknown action {name!r}."]})


class ClaimFilter(filters.FilterSet):
    stage = filters.ChoiceFilter(field_name="ticket__stage", choices=Stage.choices)
    article = filters.NumberFilter(
        field_name="article_id", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    assignee = filters.CharFilter(field_name="ticket__assignee__username")
    checkworthy = filters.BooleanFilter()

    class Meta:
        model = Claim
        fields = []


@extend_schema_view(
    list=extend_schema(
        summary="Claims on the desk, with their stage (staff)",
        responses={200: DeskClaimSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One claim on the desk (staff)",
        responses={200: DeskClaimDetailSerializer, **ERRORS},
    ),
)
class ClaimViewSet(viewsets.GenericViewSet):
    """The desk's claims for newsroom tooling; drafts are visible here, to staff only."""

    permission_classes = [DeskStaff]
    serializer_class = DeskClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = StaffPagination
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return Claim.objects.select_related(
            "article",
            "ticket__assignee",
            "ticket__verdict__current_revision__rating",
            "ticket__verdict__current_revision__author",
        )

    def get_permissions(self):
        if self.action == "citations":
            return [CanCite()]
        return super().get_permissions()

    def _claim(self, pk: str) -> Claim:
        claim = self.get_queryset().filter(pk=parse_id(pk)).first()
        if claim is None:
            raise NotFound()
        return claim

    def _detail(self, request, claim: Claim) -> Response:
        ticket = getattr(claim, "ticket", None)
        claim.allowed_actions = [
            api_name
            for api_name, desk_name in TRANSITIONS.items()
            if ticket is not None
            and desk_name in rules.allowed_actions(ticket=ticket, user=request.user)
        ]
        claim.citation_list = [
            {"id": c.pk, "url": c.href, "state": c.source.state}
            for c in claim.citations.select_related("source").order_by("id")
        ]
        claim.evidence_list = [
            {"id": e.pk, "stance": e.stance, "quote": e.quote}
            for e in Evidence.objects.filter(claim=claim).order_by("pinned_at", "id")
        ]
        return Response(DeskClaimDetailSerializer(claim).data)

    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(DeskClaimSerializer(page, many=True).data)

    def retrieve(self, request, pk: str):
        return self._detail(request, self._claim(pk))

    @extend_schema(
        summary="Take a workflow action on the claim's ticket (staff)",
        request=TransitionSerializer,
        responses={200: DeskClaimDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str):
        claim = self._claim(pk)
        given = TransitionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        ticket = getattr(claim, "ticket", None)
        if ticket is None:
            raise InvalidTransition(
                "This claim has no ticket yet; it opens when the piece is received."
            )
        _run(given.validated_data["action"], ticket, request.user, given.validated_data)
        return self._detail(request, self._claim(pk))

    @extend_schema(
        summary="Cite more reporting for the claim (fact-checkers and editors)",
        request=CitationCreateSerializer,
        responses={201: CitationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def citations(self, request, pk: str):
        claim = self._claim(pk)
        given = CitationCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        citation = citation_add(claim=claim, url=given.validated_data["url"], by=request.user)
        citation = Citation.objects.select_related("source").get(pk=citation.pk)
        return Response(CitationSerializer(citation).data, status=status.HTTP_201_CREATED)
