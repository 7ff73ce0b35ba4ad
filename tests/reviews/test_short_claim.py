"""The short claim: suggested from the assertion, at most 75 characters, needed to publish."""

import pytest

from reviews import services
from reviews.errors import InvalidTransition, ReviewError
from reviews.models import VerdictRevision
from reviews.shortclaim import SHORT_CLAIM_MAX, suggest_short_claim
from reviews.workflow import Stage
from tests.reviews.factories import rating, ticket_in

LONG = (
    "Microsoft poured more than thirteen billion dollars into OpenAI and built its entire AI "
    "strategy around the company's models"
)


def test_the_suggestion_keeps_a_short_assertion_and_cuts_a_long_one_at_a_word():
    assert (
        suggest_short_claim("  The council spent   4 million.  ") == "The council spent 4 million."
    )
    suggestion = suggest_short_claim(LONG)
    assert len(suggestion) <= SHORT_CLAIM_MAX
    assert suggestion.endswith("…")
    assert LONG.startswith(suggestion[:-1])
    assert suggest_short_claim("x" * 200) == "x" * 74 + "…"


def draft(ticket, **kwargs):
    return services.verdict_save_draft(
        ticket=ticket,
        by=ticket.assignee,
        rating=rating("false"),
        summary="It was 2.1 million.",
        explanation="The accounts say so.",
        **kwargs,
    )


@pytest.mark.django_db
def test_a_short_claim_over_75_characters_is_refused_and_nothing_is_saved():
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    with pytest.raises(ReviewError, match="75 characters"):
        draft(ticket, short_claim="x" * 76)
    assert not VerdictRevision.objects.filter(verdict__ticket=ticket).exists()


@pytest.mark.django_db
def test_a_first_appearance_must_be_a_web_address():
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    with pytest.raises(ReviewError, match="http:// or https://"):
        draft(ticket, short_claim="Council spent $4m", first_appearance_url="javascript:alert(1)")
    revision = draft(
        ticket, short_claim="Council spent $4m", first_appearance_url="https://radio.example/a"
    )
    assert revision.first_appearance_url == "https://radio.example/a"
    assert revision.short_claim == "Council spent $4m"


@pytest.mark.django_db
def test_publishing_without_a_short_claim_is_refused_with_what_to_do(editor):
    ticket = ticket_in(Stage.APPROVED)
    VerdictRevision.objects.filter(verdict__ticket=ticket).update(short_claim="")
    with pytest.raises(InvalidTransition, match="Write the short claim"):
        services.verdict_publish(ticket=ticket, by=editor)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED


@pytest.mark.django_db
def test_the_api_publish_answers_409_with_the_reason(client, editor):
    ticket = ticket_in(Stage.APPROVED)
    VerdictRevision.objects.filter(verdict__ticket=ticket).update(short_claim="")
    client.force_login(editor)
    response = client.post(
        f"/api/v1/claims/{ticket.claim_id}/transitions/",
        {"action": "publish", "expected_version": ticket.version},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "Write the short claim" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_the_admin_publish_button_says_why_it_was_refused(client, editor):
    ticket = ticket_in(Stage.APPROVED)
    VerdictRevision.objects.filter(verdict__ticket=ticket).update(short_claim="")
    client.force_login(editor)
    page = client.get(f"/admin/reviews/ticket/{ticket.pk}/change/")
    assert "needed before publishing" in page.content.decode()
    response = client.post(
        f"/admin/reviews/ticket/{ticket.pk}/change/",
        {"action": "publish", "version": ticket.version},
    )
    assert response.status_code == 409
    assert "Write the short claim" in response.content.decode()


@pytest.mark.django_db
def test_the_verdict_form_suggests_the_short_claim_from_the_assertion(client):
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    client.force_login(ticket.assignee)
    html = client.get(f"/admin/reviews/ticket/{ticket.pk}/change/").content.decode()
    assert 'name="short_claim"' in html
    assert f'value="{suggest_short_claim(ticket.claim.text)}"' in html
    assert 'maxlength="75"' in html


@pytest.mark.django_db
def test_a_cut_off_suggestion_is_a_hint_never_the_value_that_would_pass_the_publish_check(client):
    ticket = ticket_in(Stage.RESEARCHING, draft=False, text=LONG)
    client.force_login(ticket.assignee)
    html = client.get(f"/admin/reviews/ticket/{ticket.pk}/change/").content.decode()
    field = html.split('name="short_claim"')[1].split(">")[0]
    assert f'placeholder="{suggest_short_claim(LONG)}"' in field
    assert "value=" not in field
