"""An API client account is a machine account of the REST API: it sees nothing of the desk.

The walker visits every address under /admin/ (every registered model's pages, with the ids of
records made here, and the desk's own screens), so a page added later is covered too. What the
account reads through the API is walked with the public's in tests/api/test_no_drafts.py.
"""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import get_resolver
from django.utils import timezone

from claims.models import Article
from reviews.models import Intake, Verdict
from reviews.workflow import Stage
from tests.api.conftest import client_as
from tests.api.test_no_drafts import routes
from tests.api.verdicts import DRAFT_MARK, embargoed_published_verdict
from tests.factories import ArticleFactory, UserFactory
from tests.reviews.factories import ticket_in

pytestmark = pytest.mark.django_db

# Words only the held-back pieces and drafts carry: no page such an account opens may show them.
HELD = "HELD-UNDER-EMBARGO"
# What any logged-in staff account may open: the empty index, its own password, the admin's
# translations and the rating colours (the public scale).
OPEN_TO_ANY_STAFF = {
    "/admin/",
    "/admin/password_change/",
    "/admin/password_change/done/",
    "/admin/jsi18n/",
    "/admin/reviews/rating/scale.css",
}


@pytest.fixture
def held_back():
    """Make pieces the public must not see yet: scheduled, in review, and put back under embargo."""
    later = timezone.now() + timedelta(days=3)
    tickets = []
    for stage in (Stage.SCHEDULED, Stage.IN_REVIEW):
        article = ArticleFactory(
            title=f"{HELD} {stage}",
            body=f"The {HELD} council spent 4 million dollars on the {stage}. It feels wasteful.",
        )
        tickets.append(ticket_in(stage, embargo_until=later, article=article))
    for verdict in Verdict.objects.filter(ticket__in=tickets):
        revision = verdict.current_revision
        revision.summary = f"{DRAFT_MARK} summary"
        revision.save(update_fields=["summary"])
    embargoed = embargoed_published_verdict()
    Article.objects.filter(pk=embargoed.ticket.claim.article_id).update(title=f"{HELD} again")
    Intake.objects.create(
        title=f"{HELD} received",
        body=f"The {HELD} harbour cost 9 million dollars.",
        embargo_until=later,
        article=tickets[0].claim.article,
    )


def admin_addresses() -> list[str]:
    """Return every admin address, each placeholder filled with the ids of records there are."""
    addresses = []
    for route in routes(get_resolver().url_patterns, prefix="/"):
        if not route.startswith("/admin/") or "{url}" in route:
            continue
        names = re.findall(r"{(\w+)}", route)
        for values in _fillings(route, names):
            addresses.append(route.format(**values))
    return sorted(set(addresses))


def _model_of(route: str):
    parts = route.split("/")
    try:
        return apps.get_model(parts[2], parts[3])
    except (IndexError, LookupError, ValueError):
        return None


def _fillings(route: str, names: list[str]) -> list[dict]:
    if not names:
        return [{}]
    if names == ["app_label"]:
        labels = {model._meta.app_label for model in apps.get_models()}
        return [{"app_label": label} for label in sorted(labels)]
    if names == ["content_type_id", "object_id"]:
        kind = ContentType.objects.get_for_model(Article).pk
        return [
            {"content_type_id": kind, "object_id": pk}
            for pk in Article.objects.values_list("pk", flat=True)
        ]
    (name,) = names
    model = {
        "claim_pk": apps.get_model("claims", "Claim"),
        "ticket_pk": apps.get_model("reviews", "Ticket"),
    }.get(name) or _model_of(route)
    if model is None:
        return []
    return [{name: pk} for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:3]]


def test_the_walker_reaches_every_registered_models_pages(held_back):
    addresses = admin_addresses()
    for model in (Article, apps.get_model("claims", "Claim"), Intake):
        assert admin.site.is_registered(model)
        opts = model._meta
        assert f"/admin/{opts.app_label}/{opts.model_name}/" in addresses
        pk = model.objects.order_by("pk").values_list("pk", flat=True)[0]
        assert f"/admin/{opts.app_label}/{opts.model_name}/{pk}/change/" in addresses
    assert "/admin/desk/analytics/" in addresses


@pytest.mark.parametrize("who", ["api client", "anonymous"])
def test_no_admin_page_shows_a_held_back_piece_to_an_api_client_account(who, held_back):
    client = client_as("anonymous")
    if who == "api client":
        # A staff flag is the worst case: the account may log in to the admin.
        client.force_login(UserFactory(role="API client", is_staff=True))
    opened = []
    for address in admin_addresses():
        response = client.get(address)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert HELD.encode() not in body and DRAFT_MARK.encode() not in body, address
        if response.status_code == 200:
            opened.append(address)
    expected = OPEN_TO_ANY_STAFF if who == "api client" else {"/admin/login/"}
    assert set(opened) <= expected


def test_an_api_client_account_is_shown_no_records_on_the_admins_index(held_back):
    client = client_as("anonymous")
    client.force_login(UserFactory(role="API client", is_staff=True))

    page = client.get("/admin/").content.decode()

    assert "/admin/claims/" not in page and "/admin/reviews/" not in page
    assert "permission to view or edit anything" in page
