"""Serve published verdicts, their ClaimReview, and ingestion, to REST clients."""

from dataclasses import replace

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from factcheck.compiled import values_compiled
from reviews.api.common import ERRORS, parse_id, refuse_unknown_parameters
from reviews.api.conditional import (
    fingerprint,
    fingerprint_of,
    keep_body,
    kept_body,
    not_modified,
    with_validators,
)
from reviews.api.filters import VerdictFilter
from reviews.api.ingest_serializers import (
    ArticleIngestSerializer,
    IngestedElsewhereSerializer,
    IngestResultSerializer,
)
from reviews.api.pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, SyncPagination
from reviews.api.permissions import CanIngest, PublicRead, client_key
from reviews.api.serializers import VerdictSerializer
from reviews.claimreview import claimreview, claimreview_graph
from reviews.fingerprints import verdicts_dependencies_compiled
from reviews.representation import verdict_rows, verdicts_public, verdicts_public_from_rows
from reviews.selectors import verdicts_published
from reviews.services import article_receive


class PublicReadSchema(AutoSchema):
    """Document that reads need no credentials while API_PUBLIC_READ is on."""

    def get_auth(self):
        auths = super().get_auth()
        if settings.API_PUBLIC_READ and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


def public_verdicts(*, now=None):
    """Return verdicts_published() without the article texts and claim details no view shows."""
    return (
        verdicts_published(now=now)
        .defer(
            "ticket__claim__article__body",
            "ticket__claim__article__plain_text",
            "ticket__claim__reasons",
        )
        .prefetch_related("ticket__claim__tags")
    )


def _sync_page(*, now, when, pk):
    """Return the public verdicts after the position (`when`, `pk`), in sync order."""
    return SyncPagination.after(public_verdicts(now=now), when, pk)


def _sync_rows(window: int):
    def rows(**at):
        return verdict_rows(_sync_page(**at))[:window]

    return rows


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This verdict was retracted; it has no ClaimReview any more."
    default_code = "retracted"


class ConditionalMixin:
    """Answer 304 from a fingerprint before any row is serialized."""

    def conditional(self, request, queryset: QuerySet, *, limit=None, extra=""):
        print_ = fingerprint(queryset, request, limit=limit, extra=extra)
        return print_, not_modified(request, print_)


@extend_schema_view(
    list=extend_schema(
        summary="List published verdicts",
        description=(
            "Every published verdict, retracted ones included (as such), in the order they last "
            "changed. Follow `next` until it is null, then poll `resume` to get only what changed "
            "since: publications, corrections and retractions."
        ),
        responses={200: VerdictSerializer(many=True), 304: OpenApiResponse(), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="One published verdict",
        responses={200: VerdictSerializer, 304: OpenApiResponse(), **ERRORS},
    ),
)
class VerdictViewSet(ConditionalMixin, viewsets.GenericViewSet):
    """Published verdicts: read-only, from their published revision only."""

    permission_classes = [PublicRead]
    schema = PublicReadSchema()
    serializer_class = VerdictSerializer
    filterset_class = VerdictFilter
    pagination_class = SyncPagination
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return public_verdicts()

    def _refuse_unknown(self, request) -> None:
        refuse_unknown_parameters(
            request, {*VerdictFilter.base_filters, CURSOR_PARAM, PAGE_SIZE_PARAM}
        )

    def list(self, request):
        self._refuse_unknown(request)
        if not set(request.query_params).isdisjoint(VerdictFilter.base_filters):
            return self._filtered_list(request)
        # A syncing client's page: its two reads are compiled once per page size (and cursor or
        # none), and bound to this request's moment and cursor.
        paginator = self.paginator
        when, pk = paginator.read_position(request) or (None, None)
        window = paginator.window_size(request)
        at = {"now": timezone.now(), "when": when, "pk": pk}
        shown = verdicts_dependencies_compiled("api-sync", _sync_page, limit=window, **at)
        print_ = self._page_fingerprint(fingerprint_of(shown, request))
        cached = not_modified(request, print_) or kept_body(request, print_)
        if cached is not None:
            return cached
        rows = values_compiled(("api-sync-rows", window), _sync_rows(window), **at)
        data = verdicts_public_from_rows(
            paginator.take(rows, request), rating_bounds=print_.bounds, request=request
        )
        return keep_body(request, paginator.get_paginated_response(data), print_)

    def _filtered_list(self, request):
        # Only a filtered list builds the filter form (a syncing client's pages are not).
        queryset = self.filter_queryset(self.get_queryset())
        positioned = self.paginator.positioned(queryset, request)
        print_ = fingerprint(positioned, request, limit=self.paginator.window_size(request))
        print_ = self._page_fingerprint(print_)
        cached = not_modified(request, print_) or kept_body(request, print_)
        if cached is not None:
            return cached
        rows = self.paginator.paginate_queryset(verdict_rows(queryset), request, view=self)
        data = verdicts_public_from_rows(rows, rating_bounds=print_.bounds, request=request)
        return keep_body(request, self.paginator.get_paginated_response(data), print_)

    def _page_fingerprint(self, print_):
        if print_.last_modified is None and self.paginator.position is not None:
            # Nothing changed after the cursor: the page is as it was at the cursor's moment.
            print_ = replace(print_, last_modified=self.paginator.position[0])
        return print_

    def _one(self, request, pk: str, *, extra: str = ""):
        verdicts = self.get_queryset().filter(pk=parse_id(pk))
        print_, cached = self.conditional(request, verdicts, extra=extra)
        if print_.count == 0:
            raise NotFound()
        return verdicts, print_, cached

    def retrieve(self, request, pk: str):
        verdicts, print_, cached = self._one(request, pk)
        cached = cached or kept_body(request, print_)
        if cached is not None:
            return cached
        (data,) = verdicts_public(verdicts, rating_bounds=print_.bounds, request=request)
        return keep_body(request, Response(data), print_)

    @extend_schema(
        summary="A published verdict as schema.org ClaimReview (JSON-LD)",
        filters=False,
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (304, "application/ld+json"): OpenApiResponse(),
            (410, "application/ld+json"): OpenApiResponse(description="Retracted."),
            **{(code, "application/ld+json"): response for code, response in ERRORS.items()},
        },
    )
    @action(detail=True, url_path="claimreview", renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claimreview(self, request, pk: str):
        verdicts, print_, cached = self._one(request, pk, extra="claimreview")
        if cached is not None:
            return cached
        verdict = verdicts.get()
        if verdict.is_retracted:
            raise Gone()
        return with_validators(Response(claimreview(verdict, bounds=print_.bounds)), print_)


@extend_schema_view(
    create=extend_schema(
        summary="Ingest an article",
        description=(
            "The same inputs as `manage.py ingest`. 201 with the article and its claims; the "
            "same piece again answers 200 with the existing article, never a duplicate: in full "
            "to the client (or person) that sent it first, else only its id. A later "
            "`embargo_until` than the article's replaces it (the stricter embargo wins); an "
            "earlier or missing one changes nothing, and so does any once readers see the "
            "piece's verdicts."
        ),
        request=ArticleIngestSerializer,
        responses={
            201: IngestResultSerializer,
            200: PolymorphicProxySerializer(
                component_name="IngestedAgain",
                serializers=[IngestResultSerializer, IngestedElsewhereSerializer],
                resource_type_field_name=None,
            ),
            413: OpenApiResponse(description="Body too large."),
            **ERRORS,
        },
    ),
)
class ArticleViewSet(ConditionalMixin, viewsets.GenericViewSet):
    """Articles: ingestion for the CMS, and the ClaimReview of an article's verdicts."""

    serializer_class = ArticleIngestSerializer
    schema = PublicReadSchema()
    lookup_value_regex = "[^/]+"
    pagination_class = None

    def get_permissions(self):
        # Only ingestion writes; any other method here is a reader's, answered 405 if unmapped.
        return [CanIngest()] if self.action == "create" else [PublicRead()]

    def create(self, request):
        given = ArticleIngestSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        by = request.user if request.user.is_authenticated else None
        key = client_key(request)
        client = f"key:{key.prefix}" if key is not None else ""
        result = article_receive(fmt=fields.pop("format"), by=by, client=client, **fields)
        if not result.own:
            # Another client sent this piece: its title, embargo and byline are theirs.
            data = IngestedElsewhereSerializer(
                {"created": False, "article": {"id": result.article.pk}}
            ).data
            return Response(data, status=status.HTTP_200_OK)
        claims = result.article.claims.order_by("position", "id")
        data = IngestResultSerializer(
            {"created": result.created, "article": result.article, "claims": claims}
        ).data
        return Response(
            data, status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        )

    @extend_schema(
        summary="An article's published verdicts as schema.org ClaimReview (JSON-LD graph)",
        request=None,
        responses={
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
            (304, "application/ld+json"): OpenApiResponse(),
            **{(code, "application/ld+json"): response for code, response in ERRORS.items()},
        },
    )
    @action(detail=True, url_path="claimreview", renderer_classes=[JSONLDRenderer, JSONRenderer])
    def claimreview(self, request, pk: str):
        verdicts = public_verdicts().filter(ticket__claim__article_id=parse_id(pk))
        print_, cached = self.conditional(request, verdicts, extra="article-claimreview")
        if print_.count == 0:
            raise NotFound()
        if cached is not None:
            return cached
        ordered = verdicts.order_by("ticket__claim__position", "pk")
        return with_validators(Response(claimreview_graph(ordered, bounds=print_.bounds)), print_)
