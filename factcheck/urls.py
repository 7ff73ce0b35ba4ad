"""Route URLs to the apps' interfaces."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from factcheck.demo import demo_source
from factcheck.health import healthz
from reviews.api import errors

admin.site.site_header = settings.DESK_NAME
admin.site.site_title = settings.DESK_NAME
admin.site.index_title = "The desk"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # The desk's analytics and transparency export, inside the admin (editors, administrators).
    path("admin/desk/analytics/", include("reviews.admin.analytics")),
    path("admin/", admin.site.urls),
    # The REST API (/api/v1/...), its OpenAPI schema and documentation.
    path("api/", include("reviews.api.urls")),
    # The demo's sample source pages (seeds/sources/); 404 unless debug is on.
    path("demo/sources/<slug:name>.html", demo_source, name="demo_source"),
    # The readers' pages and feeds: articles, verdicts, archived sources.
    path("", include("reviews.urls_public")),
]

# Under /api/ an unknown address or an unexpected error answers the API's JSON error shape.
handler404 = errors.not_found
handler500 = errors.server_error
