"""The ticket page shows what the desk and others ruled on before, and acts on it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Event, Ticket
from reviews.services.matching import claim_match
from reviews.workflow import DismissReason, Stage
from tests.reviews.factories import ticket_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("matching")]


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def published(text: str):
    ticket = ticket_in(Stage.PUBLISHED, text=text)
    revision = ticket.verdict.published_revision
    revision.summary = "Ohio's figures say so."
    revision.save(update_fields=["summary"])
    return ticket


def test_matches_show_above_the_research_with_score_rating_date_and_whose(client, checker):
    old = published("Unemployment rose to 9 percent in Ohio.")
    other = ticket_in(Stage.QUEUED, text="The mayor sold the harbour to a private company.")
    new = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=new.claim_id)
    client.force_login(checker)
    html = client.get(page(new)).content.decode()
    assert html.index('id="matches"') < html.index('id="research"')
    panel = html.split('id="matches"')[1].split('id="research"')[0]
    assert f"/verdicts/{old.verdict.pk}/" in panel
    assert old.verdict.published_revision.rating.label in panel
    assert "confirmed" in panel and "ours" in panel
    # Reusing a verdict changes the new piece's public page: the fact-checker is offered the
    # duplicate link and told it is an editor's call; the editor gets the reuse button.
    assert 'value="reuse"' not in panel and f'value="{old.pk}"' in panel
    assert "an editor’s call" in panel
    assert f"#{other.pk}" not in panel  # an unrelated ticket is no match


def test_only_an_editor_is_offered_and_allowed_to_reuse_a_published_verdict(
    client, checker, editor
):
    old = published("Unemployment rose to 9 percent in Ohio.")
    new = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=new.claim_id)
    client.force_login(checker)
    # Posted by hand, a fact-checker's reuse is refused and changes nothing.
    response = client.post(
        page(new), {"action": "reuse", "target": old.verdict.pk, "version": new.version}
    )
    assert response.status_code == 302
    refused = client.get(response["Location"]).content.decode()
    assert "Only editors reuse a published verdict" in refused
    new.refresh_from_db()
    assert (new.stage, new.reuses_verdict_id) == (Stage.NEW, None)
    assert not Event.objects.filter(ticket=new, action="dismiss").exists()
    client.force_login(editor)
    panel = client.get(page(new)).content.decode().split('id="matches"')[1]
    assert 'value="reuse"' in panel and "an editor’s call" not in panel


def test_the_page_costs_the_same_queries_with_one_match_or_several(client, checker):
    published("Unemployment rose to 9 percent in Ohio.")
    new = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=new.claim_id)
    client.force_login(checker)
    client.get(page(new))
    with CaptureQueriesContext(connection) as one:
        client.get(page(new))
    for n in range(3):
        ticket_in(Stage.QUEUED, text=f"Unemployment rose to 9 percent in Ohio, part {n}.")
    other = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=other.claim_id)
    client.get(page(other))
    with CaptureQueriesContext(connection) as several:
        html = client.get(page(other)).content.decode()
    assert html.count('class="match-') >= 3
    assert len(several) == len(one)


def test_a_fact_checker_marks_the_ticket_a_duplicate_of_the_matched_one(client, checker):
    first = ticket_in(Stage.QUEUED, text="Unemployment rose to 9 percent in Ohio.")
    second = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=second.claim_id)
    client.force_login(checker)
    panel = client.get(page(second)).content.decode().split('id="matches"')[1]
    assert 'value="duplicate"' in panel and f"#{first.pk}" in panel
    response = client.post(
        page(second), {"action": "duplicate", "target": first.pk, "version": second.version}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert (second.stage, second.dismiss_reason, second.duplicate_of_id) == (
        Stage.DISMISSED,
        DismissReason.DUPLICATE,
        first.pk,
    )
    event = Event.objects.get(ticket=second, action="dismiss")
    assert event.actor == checker and event.data["duplicate_of"] == first.pk
    html = client.get(page(second)).content.decode()
    assert f'href="{page(first)}">#{first.pk}</a>' in html


def test_reuse_marks_the_piece_with_the_published_verdict_and_never_a_draft(client, editor):
    old = published("Unemployment rose to 9 percent in Ohio.")
    draft = ticket_in(Stage.IN_REVIEW, text="Unemployment rose to 9 percent in Ohio.")
    new = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    client.force_login(editor)
    # A draft's verdict cannot be reused, even when posted by hand.
    response = client.post(
        page(new), {"action": "reuse", "target": draft.verdict.pk, "version": new.version}
    )
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.stage, new.reuses_verdict_id) == (Stage.NEW, None)
    client.post(page(new), {"action": "reuse", "target": old.verdict.pk, "version": new.version})
    new.refresh_from_db()
    assert (new.stage, new.reuses_verdict_id, new.duplicate_of_id) == (
        Stage.DISMISSED,
        old.verdict.pk,
        old.pk,
    )
    html = client.get(page(new)).content.decode()
    assert f"/verdicts/{old.verdict.pk}/" in html


def test_people_without_triage_rights_cannot_mark_duplicates(client):
    from tests.factories import UserFactory

    first = ticket_in(Stage.QUEUED, text="Unemployment rose to 9 percent in Ohio.")
    second = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    client.force_login(UserFactory(role="API client", is_staff=True))
    client.post(page(second), {"action": "duplicate", "target": first.pk, "version": 0})
    assert Ticket.objects.get(pk=second.pk).stage == Stage.NEW


def test_an_editor_maps_a_publishers_rating_words_through_the_admin(client, editor):
    from reviews.models import ExternalRatingMap
    from tests.reviews.factories import rating

    client.force_login(editor)
    response = client.post(
        reverse("admin:reviews_externalratingmap_add"),
        {"publisher": "Checker", "rating_text": "Pants on Fire", "rating": rating("false").pk},
    )
    assert response.status_code == 302
    assert ExternalRatingMap.objects.get().rating.slug == "false"
    assert client.get(reverse("admin:claims_externalfactcheck_changelist")).status_code == 200
    assert client.get(reverse("admin:claims_externalfactcheck_add")).status_code == 403


def test_the_vote_panel_shows_precedent_and_stores_whether_the_vote_followed_it(client, editor):
    from reviews.models import Vote

    old = published("Unemployment rose to 9 percent in Ohio.")
    review = ticket_in(Stage.IN_REVIEW, text="Unemployment rose to 9 percent in Ohio.")
    claim_match(claim_id=review.claim_id)
    client.force_login(editor)
    html = client.get(page(review)).content.decode()
    precedent = html.split('id="precedent"')[1].split("</div>")[0]
    assert f"/verdicts/{old.verdict.pk}/" in precedent
    assert old.verdict.published_revision.rating.label in precedent
    response = client.post(
        page(review),
        {
            "action": "vote",
            "rating": review.verdict.current_revision.rating_id,
            "note": "",
            "followed_precedent": "no",
            "version": review.version,
        },
    )
    assert response.status_code == 302
    vote = Vote.objects.get(revision=review.verdict.current_revision, editor=editor)
    assert vote.followed_precedent is False
    event = Event.objects.get(ticket=review, action="vote")
    assert event.data["followed_precedent"] is False
    assert "departed from precedent" in client.get(page(review)).content.decode()
