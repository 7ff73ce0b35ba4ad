"""The desk's screens read as words: one date format, 1-based positions, a timeline in words."""

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, Tag
from reviews import services
from reviews.models import ClientKey
from reviews.workflow import Stage
from tests.reviews.factories import rating, ticket_in


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


@pytest.mark.django_db
def test_the_timeline_says_what_happened_in_words_not_stored_keys(client, checker, editor):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    client.force_login(checker)
    client.post(
        page(ticket),
        {
            "action": "save_draft",
            "version": ticket.version,
            "rating": rating("mostly-true").pk,
            "summary": "Mostly right about the bridge.",
            "explanation": "The audit agrees.",
        },
    )
    ticket.refresh_from_db()
    services.verdict_submit(ticket=ticket, by=checker)
    services.verdict_request_changes(ticket=ticket, by=editor, note="Cite the audit.")
    html = client.get(page(ticket)).content.decode()
    timeline = html.split('id="timeline"')[1]
    assert "rated Mostly true" in timeline
    assert "relies on no evidence" in timeline
    assert "voted against" in timeline
    for key in ("rating:", "evidence: []", "discarded_votes", "{'", "revision:"):
        assert key not in timeline


@pytest.mark.django_db
def test_dates_are_written_one_way_on_the_ticket_page(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    ticket.due_at = timezone.now().replace(year=2026, month=12, day=1, hour=21, minute=46)
    ticket.save(update_fields=["due_at"])
    client.force_login(checker)
    html = client.get(page(ticket)).content.decode()
    assert "1 December 2026, 21:46" in html
    assert "p.m." not in html and "a.m." not in html
    assert "Dec. 1" not in html


@pytest.mark.django_db
def test_the_claim_admin_counts_positions_from_one_and_shows_two_decimals(admin_client):
    ticket = ticket_in(Stage.NEW)
    claim = ticket.claim
    Claim.objects.filter(pk=claim.pk).update(paragraph=0, sentence=0, position=0, score=0.87654)
    html = admin_client.get(reverse("admin:claims_claim_change", args=[claim.pk])).content.decode()
    assert "0.88" in html and "0.8765" not in html
    for field in ("paragraph", "sentence", "position"):
        shown = html.split(f"field-{field}_shown")[1].split('<div class="readonly">')[1]
        assert shown.split("</div>")[0].strip() == "1"
    listing = admin_client.get(reverse("admin:claims_claim_changelist")).content.decode()
    assert "0.88" in listing and "0.8765" not in listing


@pytest.mark.django_db
def test_an_api_key_needs_at_least_one_scope(admin_client):
    response = admin_client.post(
        "/admin/reviews/clientkey/add/", {"name": "CMS", "scopes": [], "contact": ""}
    )
    assert response.status_code == 200
    assert "Choose at least one scope" in response.content.decode()
    assert not ClientKey.objects.exists()


@pytest.mark.django_db
def test_the_timeline_says_comments_and_tags_in_words(client, checker, editor):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    Tag.objects.create(name="Transport", slug="transport")
    client.force_login(checker)
    client.post(page(ticket), {"action": "comment", "body": f"@{editor.username} see the audit"})
    client.post(page(ticket), {"action": "tag", "tags": ["transport"]})
    timeline = client.get(page(ticket)).content.decode().split('id="timeline"')[1]
    assert f"mentioning @{editor.username}" in timeline
    assert "tagged transport" in timeline
    for key in ("mentions", "added:", "removed:", "[]"):
        assert key not in timeline
