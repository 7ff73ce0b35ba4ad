"""The admin shows sources and their archive, serves bodies only as text, and pins evidence."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from claims.admin.sources import CitationInline, EvidenceInline
from claims.models import Citation, Claim, Evidence, FetchAttempt, Passage, Source
from claims.services import evidence_pin, source_fetch
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401
from tests.factories import ClaimFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings")]

HOSTILE = b"<html><body><script>alert(document.cookie)</script><p>Hello</p></body></html>"


def staff_with(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def archived(server):
    server.route("/report", page(REPORT_HTML))
    claim = bridge_claim()
    return claim, source_fetch(source_id=cite(server.url("/report"), claim).pk)


def test_the_source_list_filters_by_state_and_shows_the_reason(client, server):
    server.route("/gone", page(b"gone", status=404))
    source = source_fetch(source_id=cite(server.url("/gone")).pk)
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(reverse("admin:claims_source_changelist"), {"state": "failed"})

    assert response.status_code == 200
    assert source.normalized_url in response.content.decode()
    assert "http_404" in response.content.decode()
    assert (
        client.get(reverse("admin:claims_source_changelist"), {"state": "fetched"})
        .context["cl"]
        .result_count
        == 0
    )


def test_a_source_page_lists_every_attempt(client, archived):
    _claim, source = archived
    client.force_login(UserFactory(is_superuser=True))

    response = client.get(reverse("admin:claims_source_change", args=[source.pk]))

    assert response.status_code == 200
    assert "Succeeded" in response.content.decode()


def test_the_fetch_now_action_queues_the_sources_again(client, archived):
    _claim, source = archived
    client.force_login(staff_with("view_source", "change_source"))

    response = client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "fetch_now", "_selected_action": [source.pk]},
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.state == Source.State.PENDING and source.attempts == 0


def test_the_archived_body_downloads_as_plain_text_never_as_a_page(client, server):
    server.route("/hostile", page(HOSTILE))
    source = source_fetch(source_id=cite(server.url("/hostile")).pk)
    client.force_login(staff_with("view_snapshot"))

    response = client.get(reverse("admin:claims_snapshot_body", args=[source.last_snapshot_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == HOSTILE


def test_the_archived_body_is_for_staff_with_the_permission_only(client, archived):
    _claim, source = archived
    url = reverse("admin:claims_snapshot_body", args=[source.last_snapshot_id])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(staff_with("view_source"))
    assert client.get(url).status_code == 403


def test_a_passage_is_pinned_as_evidence_from_its_form(client, archived):
    claim, _source = archived
    passage = Passage.objects.filter(claim=claim).order_by("rank").first()
    client.force_login(staff_with("add_evidence", "view_claim"))
    url = reverse("admin:claims_passage_pin", args=[passage.pk])

    form = client.get(url)
    response = client.post(url, {"stance": "contradicts", "note": "The audit says 4.2m."})

    assert form.status_code == 200 and "4.2 million dollars" in form.content.decode()
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.claim, evidence.passage, evidence.stance) == (claim, passage, "contradicts")
    assert evidence.quote == passage.text and evidence.note == "The audit says 4.2m."


def test_pinning_needs_the_permission(client, archived):
    claim, _source = archived
    passage = Passage.objects.filter(claim=claim).first()
    client.force_login(staff_with("view_claim"))

    response = client.post(
        reverse("admin:claims_passage_pin", args=[passage.pk]), {"stance": "supports"}
    )

    assert response.status_code == 403
    assert not Evidence.objects.exists()


# --- The inlines the claim admin carries ------------------------------------------------------


def inline_formset(inline_class, user, claim: Claim, data: dict):
    request = RequestFactory().post("/", data)
    request.user = user
    inline = inline_class(Claim, admin.site)
    formset_class = inline.get_formset(request, claim)
    return formset_class(data, instance=claim, prefix="f")


def management(total: int, initial: int) -> dict:
    return {
        "f-TOTAL_FORMS": str(total),
        "f-INITIAL_FORMS": str(initial),
        "f-MIN_NUM_FORMS": "0",
        "f-MAX_NUM_FORMS": "1000",
    }


def test_a_url_added_in_the_citation_inline_goes_through_the_service(
    django_capture_on_commit_callbacks,
):
    claim = ClaimFactory()
    user = staff_with("add_citation", "view_citation")
    formset = inline_formset(
        CitationInline, user, claim, {**management(1, 0), "f-0-url": "https://ledger.example/a"}
    )

    assert formset.is_valid(), formset.errors
    with django_capture_on_commit_callbacks():
        formset.save()

    citation = Citation.objects.get(claim=claim)
    assert citation.added_by == user
    assert citation.source.normalized_url == "https://ledger.example/a"


@pytest.mark.parametrize("url", ["mailto:desk@example.org", "not a link"])
def test_the_citation_inline_explains_a_bad_url(url):
    claim = ClaimFactory()
    user = staff_with("add_citation")
    formset = inline_formset(CitationInline, user, claim, {**management(1, 0), "f-0-url": url})

    assert not formset.is_valid()
    assert "https://" in str(formset.errors)


def test_deleting_in_the_evidence_inline_unpins_through_the_service(archived):
    claim, _source = archived
    passage = Passage.objects.filter(claim=claim).first()
    user = staff_with("add_evidence", "delete_evidence", "change_evidence", "view_evidence")
    evidence = evidence_pin(claim=claim, passage=passage, stance="supports", by=user)
    data = {**management(1, 1), "f-0-id": str(evidence.pk), "f-0-claim": str(claim.pk)}
    data["f-0-DELETE"] = "on"
    formset = inline_formset(EvidenceInline, user, claim, data)

    assert formset.is_valid(), formset.errors
    formset.save()

    assert not Evidence.objects.exists()
    assert FetchAttempt.objects.exists()  # the archive itself is untouched
