"""Route the API: version 1 under /api/v1/, the OpenAPI schema and its two readers."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import SimpleRouter

from reviews.api.desk import ClaimViewSet
from reviews.api.matching import ClaimMatchesView, SimilarVerdictsView
from reviews.api.views import ArticleViewSet, VerdictViewSet

app_name = "api"

router = SimpleRouter()
router.register("verdicts", VerdictViewSet, basename="verdict")
router.register("articles", ArticleViewSet, basename="article")
router.register("claims", ClaimViewSet, basename="claim")

# Redoc styles itself by injecting <style> elements; only its page allows inline styles.
redoc = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
)

urlpatterns = [
    # Before the router: "similar" is not a verdict id.
    path("v1/verdicts/similar/", SimilarVerdictsView.as_view(), name="verdicts-similar"),
    path("v1/claims/<str:pk>/matches/", ClaimMatchesView.as_view(), name="claim-matches"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as its own request: no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    path("redoc/", redoc, name="redoc"),
]
