"""The admin shows sources and their archive, serves bodies only as text, links to research."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.models import Citation, Evidence, Passage, Source
from claims.services import source_fetch
from reviews.models import Ticket
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401
from tests.factories import UserFactory

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
    assert response.content == HOSTILE
    # Declared length is the length sent: gunicorn stops at Content-Length (it sent 0 bytes of
    # a gzip-backed FileResponse that declared the compressed size).
    assert response["Content-Length"] == str(len(HOSTILE))


def test_the_archived_body_is_for_staff_with_the_permission_only(client, archived):
    _claim, source = archived
    url = reverse("admin:claims_snapshot_body", args=[source.last_snapshot_id])

    assert client.get(url).status_code == 302  # to the login page
    client.force_login(staff_with("view_source"))
    assert client.get(url).status_code == 403


# --- One research screen: the claim admin links to the ticket page --------------------------


def test_the_claim_admin_links_to_the_one_research_screen(client, archived):
    claim, _source = archived
    ticket = Ticket.objects.create(claim=claim)
    client.force_login(UserFactory(is_superuser=True))

    html = client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    link = reverse("admin:reviews_ticket_research", args=[claim.pk])
    followed = client.get(link)

    assert link in html
    assert "admin/claims/passage/" not in html, "no second pin form"
    assert 'name="citations-TOTAL_FORMS"' not in html, "no second citation form"
    assert followed.status_code == 302
    assert followed["Location"] == (
        reverse("admin:reviews_ticket_change", args=[ticket.pk]) + "#research"
    )


def test_a_private_address_given_through_the_claim_admin_is_a_form_error_not_a_500(
    client, archived, settings
):
    claim, _source = archived
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False  # production: only the public internet
    Ticket.objects.create(claim=claim, stage="researching", assignee=UserFactory())
    user = UserFactory(is_superuser=True)
    client.force_login(user)
    claim_page = reverse("admin:claims_claim_change", args=[claim.pk])
    # What the claim admin's citation inline posted: it is no longer there to take it.
    old_inline = {
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "citations-0-url": "http://10.1.2.3/report",
        **{
            f"{prefix}-{name}": value
            for prefix in ("passages", "evidence")
            for name, value in [
                ("TOTAL_FORMS", "0"),
                ("INITIAL_FORMS", "0"),
                ("MIN_NUM_FORMS", "0"),
                ("MAX_NUM_FORMS", "1000"),
            ]
        },
    }

    posted = client.post(claim_page, old_inline)
    research = client.get(reverse("admin:reviews_ticket_research", args=[claim.pk]), follow=True)
    refused = client.post(
        research.redirect_chain[-1][0].split("#")[0],
        {"action": "cite", "url": "http://10.1.2.3/report"},
    )

    assert posted.status_code in (200, 302, 403)
    assert refused.status_code == 400
    form = refused.context["research"].cite_form
    assert "10.1.2.3" in " ".join(form.errors["url"])
    assert "public address" in refused.content.decode()
    assert not Citation.objects.filter(source__normalized_url__contains="10.1.2.3").exists()
    assert not Source.objects.filter(normalized_url__contains="10.1.2.3").exists()


def test_the_passage_pin_url_is_gone(client, archived):
    claim, _source = archived
    passage = Passage.objects.filter(claim=claim).first()
    client.force_login(UserFactory(is_superuser=True))

    response = client.post(f"/admin/claims/passage/{passage.pk}/pin/", {"stance": "supports"})

    assert response.status_code in (302, 404)
    assert not Evidence.objects.exists()
