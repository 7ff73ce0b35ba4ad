"""No draft, review, approved or embargoed verdict reaches a public, key or API client response.

The walkers enumerate every route of the API's urlconf and of the readers' pages, so a new
endpoint or page is covered the day it is added.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver

from claims.models import Article, Attachment, Snapshot
from reviews import urls_public
from reviews.api import urls as api_urls
from reviews.models import RevisionAttachment, Ticket, Verdict
from reviews.workflow import DismissReason, Stage
from tests.api.conftest import client_as
from tests.api.verdicts import (
    DRAFT_MARK,
    HIDDEN_STAGES,
    embargoed_published_verdict,
    hidden_ticket,
    published_verdict,
)
from tests.reviews.factories import ticket_in

pytestmark = pytest.mark.django_db

MISSING = 987654321


def routes(patterns=None, prefix="/api/") -> list[str]:
    """Return every route of the API as a template such as /api/v1/verdicts/{pk}/."""
    found = []
    for entry in api_urls.urlpatterns if patterns is None else patterns:
        text = str(entry.pattern).lstrip("^").rstrip("$")
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text)
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
        if isinstance(entry, URLResolver):
            found += routes(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            found.append(prefix + text)
    return found


def resource_of(route: str) -> str:
    return route.split("/")[3] if route.startswith("/api/v1/") else ""


PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def file_relied_on(revision, caption: str) -> Attachment:
    """Upload a file for the revision's claim and make `revision` rely on it."""
    attachment = Attachment(
        claim=revision.verdict.ticket.claim,
        content_type="image/png",
        extension=".png",
        size=len(PNG),
        sha256="0" * 64,
        caption=caption,
        uploaded_by=revision.author,
    )
    attachment.file.save("upload", ContentFile(PNG), save=False)
    attachment.save()
    RevisionAttachment.objects.create(
        revision=revision, position=0, attachment=attachment, caption=caption
    )
    return attachment


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk():
    """Return the ids of public verdicts and articles, and of hidden ones, in every stage."""
    public = [published_verdict(), published_verdict(stage=Stage.RETRACTED)]
    correcting = published_verdict(stage=Stage.CORRECTING)
    draft = correcting.current_revision
    draft.summary = f"{DRAFT_MARK} correction draft"
    draft.save(update_fields=["summary"])
    public.append(correcting)
    hidden = [hidden_ticket(stage) for stage in HIDDEN_STAGES]
    embargoed = embargoed_published_verdict()
    hidden_verdicts = [
        *Verdict.objects.filter(ticket__in=hidden).values_list("pk", flat=True),
        embargoed.pk,
    ]
    # Pieces whose claims reuse a verdict: one under correction (its draft carries the mark),
    # one put back under embargo since (its public summary now carries the mark).
    reusing = [reusing_ticket(correcting), reusing_ticket(embargoed)]
    # Files that drafts rely on (the correction's draft too), and one a public revision does.
    drafts = [*draft_revisions(hidden_verdicts), draft]
    hidden_files = [file_relied_on(r, f"{DRAFT_MARK} file").pk for r in drafts]
    public_files = [file_relied_on(public[0].published_revision, "Public file").pk]
    return {
        "public_verdicts": sorted(v.pk for v in public),
        "hidden_verdicts": hidden_verdicts,
        "hidden_files": hidden_files,
        "public_files": public_files,
        "hidden_articles": [t.claim.article_id for t in hidden]
        + [embargoed.ticket.claim.article_id],
        "hidden_claims": [t.claim_id for t in hidden],
        "reusing_articles": [t.claim.article_id for t in reusing],
    }


def body_of(response) -> bytes:
    """Return a response's bytes, whether it streams (a file) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def reusing_ticket(verdict: Verdict) -> Ticket:
    """Return a ticket on a new piece that reuses `verdict` (set as the reuse service sets it)."""
    ticket = ticket_in(Stage.DISMISSED, text=verdict.ticket.claim.text)
    Ticket.objects.filter(pk=ticket.pk).update(
        dismiss_reason=DismissReason.DUPLICATE, duplicate_of=verdict.ticket, reuses_verdict=verdict
    )
    return ticket


def draft_revisions(verdict_ids) -> list:
    """Return the current (draft) revisions of the verdicts `verdict_ids` that have one."""
    verdicts = Verdict.objects.filter(pk__in=verdict_ids, current_revision__isnull=False)
    return [v.current_revision for v in verdicts.select_related("current_revision__verdict")]


def public_id_routes() -> list[str]:
    """Return the readers' routes that take a number, as templates such as /files/{pk}/."""
    return [route[len("/api") :] for route in routes(urls_public.urlpatterns) if "{pk}" in route]


def test_the_walker_sees_every_endpoint_of_the_api():
    assert {
        "/api/v1/verdicts/",
        "/api/v1/verdicts/{pk}/",
        "/api/v1/verdicts/{pk}/claimreview/",
        "/api/v1/articles/",
        "/api/v1/articles/{pk}/claimreview/",
        "/api/v1/claims/",
        "/api/v1/claims/{pk}/",
        "/api/v1/claims/{pk}/transitions/",
        "/api/v1/claims/{pk}/citations/",
        "/api/v1/claims/{pk}/matches/",
        "/api/v1/verdicts/similar/",
        "/api/schema/",
    } <= set(routes())


@pytest.mark.parametrize("public_read", [True, False], ids=["public read", "keys only"])
@pytest.mark.parametrize("role", ["anonymous", "read key", "ingest key", "api client account"])
@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_no_endpoint_shows_a_hidden_verdict_to_the_public_or_a_key(
    role, public_read, accept, desk, settings
):
    settings.API_PUBLIC_READ = public_read
    client = client_as(role)
    ids_by_resource = {
        "verdicts": desk["hidden_verdicts"],
        "articles": desk["hidden_articles"],
        "claims": desk["hidden_claims"],
    }
    for route in routes():
        if "{pk}" not in route:
            response = client.get(route, HTTP_ACCEPT=accept)
            assert DRAFT_MARK not in response.content.decode(), route
            if route == "/api/v1/verdicts/" and response.status_code == 200 and "json" in accept:
                shown = sorted(row["id"] for row in response.json()["results"])
                assert shown == desk["public_verdicts"]
            continue
        missing = client.get(route.format(pk=MISSING), HTTP_ACCEPT=accept)
        for pk in ids_by_resource.get(resource_of(route), []):
            response = client.get(route.format(pk=pk), HTTP_ACCEPT=accept)
            body = response.content.decode()
            assert DRAFT_MARK not in body, route
            # Exactly what an id that does not exist gets: nothing tells a draft is there.
            assert response.status_code == missing.status_code, route.format(pk=pk)
            if "json" in accept:
                assert body == missing.content.decode(), route.format(pk=pk)


def test_no_public_page_shows_a_draft_even_through_a_reused_verdict(client, desk):
    """Walk every readers' page and feed, for every article, verdict and snapshot there is."""
    values = {
        "slug": list(Article.objects.values_list("slug", flat=True)),
        "pk": [
            *Verdict.objects.values_list("pk", flat=True),
            *Snapshot.objects.values_list("pk", flat=True),
            *Attachment.objects.values_list("pk", flat=True),
        ],
    }
    reused = Article.objects.filter(pk__in=desk["reusing_articles"]).order_by("pk")
    walked = 0
    for route in routes(urls_public.urlpatterns, prefix="/"):
        (name,) = re.findall(r"{(\w+)}", route) or [None]
        for value in values.get(name, [None]):
            url = route if name is None else route.format(**{name: value})
            response = client.get(url)
            assert DRAFT_MARK.encode() not in body_of(response), url
            walked += 1
    assert walked > len(values["slug"])
    # The piece reusing the verdict under correction is public and shows only what was published.
    correcting, embargoed = reused
    page = client.get(f"/articles/{correcting.slug}/")
    assert page.status_code == 200 and 'id="already-checked"' in page.content.decode()
    assert client.get(f"/articles/{embargoed.slug}/").status_code == 404


@pytest.mark.parametrize("role", ["anonymous", "read key"])
def test_no_public_page_serves_a_file_only_a_draft_relies_on(role, desk):
    """Walk the readers' numbered routes: a draft's file answers as a missing one does."""
    client = client_as(role)
    assert "/files/{pk}/" in public_id_routes()
    for route in public_id_routes():
        missing = client.get(route.format(pk=MISSING))
        for pk in desk["hidden_files"]:
            response = client.get(route.format(pk=pk))
            if route == "/files/{pk}/":
                assert response.status_code == 404 == missing.status_code, route.format(pk=pk)
            assert DRAFT_MARK.encode() not in body_of(response)
    for pk in desk["public_files"]:
        response = client.get(f"/files/{pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PNG
    for pk in desk["public_verdicts"]:
        page = client.get(f"/verdicts/{pk}/").content.decode()
        assert DRAFT_MARK not in page
        assert not any(f"/files/{pk}/" in page for pk in desk["hidden_files"])


def test_a_hidden_verdict_is_404_by_id_like_a_missing_one(desk):
    client = client_as("read key")
    for pk in desk["hidden_verdicts"]:
        response = client.get(f"/api/v1/verdicts/{pk}/")
        assert response.status_code == 404
        assert response.json() == client.get(f"/api/v1/verdicts/{MISSING}/").json()


def test_a_correction_in_progress_shows_only_the_published_revision(desk):
    client = client_as("anonymous")
    listed = client.get("/api/v1/verdicts/").json()["results"]

    assert all(DRAFT_MARK not in row["summary"] for row in listed)
    assert {row["revision"] for row in listed} == {1}


@pytest.mark.usefixtures("matching")
@pytest.mark.parametrize("public_read", [True, False], ids=["public read", "keys only"])
@pytest.mark.parametrize("role", ["anonymous", "read key", "ingest key", "api client account"])
def test_similar_verdicts_search_only_what_the_public_sees(role, public_read, desk, settings):
    settings.API_PUBLIC_READ = public_read
    client = client_as(role)
    hidden = Verdict.objects.filter(pk__in=desk["hidden_verdicts"]).select_related("ticket__claim")
    for verdict in hidden:
        text = f"{verdict.ticket.claim.text} {DRAFT_MARK} summary"
        response = client.get("/api/v1/verdicts/similar/", {"text": text, "top": 20})
        assert DRAFT_MARK not in response.content.decode()
        if response.status_code != 200:
            assert not public_read and role != "read key"
            continue
        shown = {row["verdict"]["id"] for row in response.json()["results"]}
        assert shown
        assert shown <= set(desk["public_verdicts"])
        assert not shown & set(desk["hidden_verdicts"])
