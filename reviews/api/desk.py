"""Serve the desk's tooling: claims with their stage, workflow actions and citations."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from claims.models import Citation, Claim
from claims.selectors import citations_for_claim, evidence_for_claim
from claims.services import citation_add
from factcheck.ids import MAX_ID
from reviews.actions import ACTIONS, Action, allowed_actions
from reviews.api.action_inputs import ActionInput
from reviews.api.common import ERRORS, NeverCached, parse_id, refuse_unknown_parameters
from reviews.api.desk_serializers import (
    CitationCreateSerializer,
    CitationSerializer,
    DeskClaimDetailSerializer,
    DeskClaimSerializer,
)
from reviews.api.pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, StaffPagination
from reviews.api.permissions import CanCite, DeskStaff
from reviews.errors import InvalidTransition
from reviews.selectors import claims_for_desk
from reviews.workflow import Stage

CONFLICT = {409: OpenApiResponse(description="Stale version, or not allowed in this stage.")}


def _transition_input(action: Action) -> type[ActionInput]:
    """Return the API input of `action`: its own fields, and `action` naming it."""
    name = "".join(part.title() for part in action.name.split("_")) + "Transition"
    fields = {
        "action": serializers.ChoiceField(choices=[action.name]),
        "__doc__": f"{action.label}: {action.verb}.",
    }
    return type(name, (action.api_input,), fields)


# One input per desk action, declared by the registry; the schema offers them as one of.
TRANSITION_INPUTS = {name: _transition_input(action) for name, action in ACTIONS.items()}
TRANSITION_REQUEST = PolymorphicProxySerializer(
    component_name="Transition",
    serializers=TRANSITION_INPUTS,
    resource_type_field_name="action",
)


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
class ClaimViewSet(NeverCached, viewsets.GenericViewSet):
    """The desk's claims for newsroom tooling; drafts are visible here, to staff only."""

    permission_classes = [DeskStaff]
    serializer_class = DeskClaimSerializer
    filterset_class = ClaimFilter
    pagination_class = StaffPagination
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return claims_for_desk()

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
        claim.allowed_actions = (
            allowed_actions(ticket=ticket, user=request.user) if ticket is not None else []
        )
        claim.citation_list = [
            {"id": c.pk, "url": c.href, "state": c.source.state} for c in citations_for_claim(claim)
        ]
        claim.evidence_list = [
            {"id": e.pk, "stance": e.stance, "quote": e.quote} for e in evidence_for_claim(claim)
        ]
        return Response(DeskClaimDetailSerializer(claim).data)

    def list(self, request):
        refuse_unknown_parameters(
            request, {*ClaimFilter.base_filters, CURSOR_PARAM, PAGE_SIZE_PARAM}
        )
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(DeskClaimSerializer(page, many=True).data)

    def retrieve(self, request, pk: str):
        return self._detail(request, self._claim(pk))

    @extend_schema(
        summary="Take a workflow action on the claim's ticket (staff)",
        request=TRANSITION_REQUEST,
        responses={200: DeskClaimDetailSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def transitions(self, request, pk: str):
        claim = self._claim(pk)
        ticket = getattr(claim, "ticket", None)
        name = request.data.get("action") if isinstance(request.data, dict) else None
        if not isinstance(name, str) or name not in ACTIONS:
            raise ValidationError({"action": [f"Choose one of: {', '.join(ACTIONS)}."]})
        if ticket is None:
            raise InvalidTransition(
                "This claim has no ticket yet; it opens when the piece is received."
            )
        given = TRANSITION_INPUTS[name](data=request.data, context={"ticket": ticket})
        given.is_valid(raise_exception=True)
        ACTIONS[name].perform(
            ticket=ticket,
            by=request.user,
            expected_version=given.validated_data["expected_version"],
            arguments=given.arguments(),
        )
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
