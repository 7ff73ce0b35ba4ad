"""The archived copy readers were shown stays the copy of record after a source is fetched again."""

import pytest
from django.urls import reverse

from claims.models import Source
from claims.services import source_fetch
from reviews.models import Event, RevisionLink
from tests.claims.httpserver import page
from tests.reviews.factories import new_fact_checker
from tests.reviews.record.desk import REPORT_CHANGED, act, publish_through_the_desk, researched

pytestmark = pytest.mark.django_db


def test_a_fact_checker_cannot_fetch_again_a_source_behind_a_published_verdict(
    client, server, checker
):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    source = Source.objects.get()
    fact_checker = new_fact_checker()
    fact_checker.is_staff = True
    fact_checker.save()
    client.force_login(fact_checker)

    from_source_admin = client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "fetch_now", "_selected_action": [source.pk]},
        follow=True,
    )
    from_ticket_page = act(client, ticket, "refetch", source=source.pk)

    assert "a published verdict relies on" in from_source_admin.content.decode().lower()
    assert from_ticket_page.status_code == 400
    assert "Only editors" in from_ticket_page.content.decode()
    source.refresh_from_db()
    assert source.state == Source.State.FETCHED
    assert not Event.objects.filter(action="refetch").exists()


def test_an_editor_fetches_it_again_and_readers_keep_the_approved_copy(
    client, server, checker, editor
):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    verdict_url = reverse("verdict_page", args=[ticket.verdict.pk])
    source = Source.objects.get()
    approved = source.last_snapshot_id
    assert RevisionLink.objects.get().snapshot_id == approved
    client.logout()
    first = client.get(verdict_url)
    assert f'href="/archive/{approved}/"' in first.content.decode()

    client.force_login(editor)
    refetched = act(client, ticket, "refetch", source=source.pk)
    server.route("/report", page(REPORT_CHANGED))
    source_fetch(source_id=source.pk)

    assert refetched.status_code == 302
    event = Event.objects.get(action="refetch")
    assert (event.actor, event.data["source"]) == (editor, source.pk)
    source.refresh_from_db()
    assert source.last_snapshot_id != approved
    client.logout()
    after = client.get(verdict_url, HTTP_IF_NONE_MATCH=first["ETag"])
    html = after.content.decode()
    assert after.status_code == 200, "the page changed: it says the live page has changed"
    assert f'href="/archive/{approved}/"' in html
    assert f'href="/archive/{source.last_snapshot_id}/"' not in html
    assert "the live page has changed since" in html
    assert client.get(reverse("archive_page", args=[approved])).status_code == 200
    newer = client.get(reverse("archive_page", args=[source.last_snapshot_id]))
    assert newer.status_code == 404


def test_a_fact_checker_cannot_retry_a_failed_refetch_of_a_source_behind_a_published_verdict(
    client, server, checker, editor
):
    ticket, _pinned, _approver = publish_through_the_desk(
        client, researched(server, checker), checker
    )
    source = Source.objects.get()
    client.force_login(editor)
    assert act(client, ticket, "refetch", source=source.pk).status_code == 302
    server.route("/report", page(b"gone", status=404))
    source_fetch(source_id=source.pk)
    source.refresh_from_db()
    assert source.state == Source.State.FAILED
    fact_checker = new_fact_checker()
    fact_checker.is_staff = True
    fact_checker.save()
    client.force_login(fact_checker)

    retried = client.post(
        reverse("admin:claims_source_changelist"),
        {"action": "retry_failed", "_selected_action": [source.pk]},
        follow=True,
    )

    assert "a published verdict relies on" in retried.content.decode().lower()
    source.refresh_from_db()
    assert source.state == Source.State.FAILED
    assert Event.objects.filter(action="refetch").count() == 1
