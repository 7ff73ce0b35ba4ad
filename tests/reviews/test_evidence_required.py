"""A verdict that cites no evidence is flagged on the vote and publish forms, and refused on demand.

REVIEW_REQUIRE_EVIDENCE off (the default): the forms warn. On: the rules refuse to approve or
publish such a revision, in the admin and in the API alike.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from reviews.models import Ticket, Verdict, Vote
from reviews.rules import NO_EVIDENCE_WARNING
from reviews.services import verdicts_publish_due
from reviews.workflow import Stage
from tests.api.verdicts import with_evidence
from tests.reviews.factories import ticket_in

pytestmark = pytest.mark.django_db


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def cite_evidence(ticket) -> None:
    """Make the ticket's current revision rely on one archived passage."""
    verdict = Verdict.objects.get(ticket=ticket)
    # with_evidence copies onto the revision it is handed as the published one; it saves nothing.
    verdict.published_revision = verdict.current_revision
    with_evidence(verdict)


def form_html(html: str, action: str) -> str:
    """Return the markup of the form that posts `action`."""
    marker = f'name="action" value="{action}"'
    assert marker in html, f"no {action} form on the page"
    start = html.rindex("<form", 0, html.index(marker))
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize(
    ("stage", "action"), [(Stage.IN_REVIEW, "vote"), (Stage.APPROVED, "publish")]
)
def test_the_form_warns_when_the_revision_cites_no_evidence(client, editor, stage, action):
    bare, sourced = ticket_in(stage), ticket_in(stage)
    cite_evidence(sourced)
    client.force_login(editor)

    warned = form_html(client.get(page(bare)).content.decode(), action)
    quiet = form_html(client.get(page(sourced)).content.decode(), action)

    assert NO_EVIDENCE_WARNING in warned
    assert NO_EVIDENCE_WARNING not in quiet


def test_only_the_forms_that_vouch_for_the_revision_warn(client, editor):
    ticket = ticket_in(Stage.IN_REVIEW)
    client.force_login(editor)

    html = client.get(page(ticket)).content.decode()

    assert NO_EVIDENCE_WARNING in form_html(html, "vote")
    assert NO_EVIDENCE_WARNING not in form_html(html, "request_changes")
    assert html.count(NO_EVIDENCE_WARNING) == 1


def test_without_the_setting_a_revision_with_no_evidence_is_still_approved_and_published(
    client, editor
):
    ticket = ticket_in(Stage.IN_REVIEW)
    client.force_login(editor)

    client.post(page(ticket), {"action": "vote", "version": ticket.version})
    ticket.refresh_from_db()
    client.post(page(ticket), {"action": "publish", "version": ticket.version})

    ticket.refresh_from_db()
    assert ticket.stage == Stage.PUBLISHED


def test_with_the_setting_approving_a_revision_with_no_evidence_is_refused(
    client, editor, settings
):
    settings.REVIEW_REQUIRE_EVIDENCE = True
    ticket = ticket_in(Stage.IN_REVIEW)
    client.force_login(editor)

    response = client.post(page(ticket), {"action": "vote", "version": ticket.version})

    assert response.status_code == 409
    html = response.content.decode()
    assert "Cannot approve this revision: it cites no evidence" in html
    assert "requires at least one piece of evidence" in html
    ticket.refresh_from_db()
    assert ticket.stage == Stage.IN_REVIEW
    assert not Vote.objects.filter(editor=editor).exists()


def test_with_the_setting_a_revision_with_no_evidence_can_still_be_sent_back(
    client, editor, settings
):
    settings.REVIEW_REQUIRE_EVIDENCE = True
    ticket = ticket_in(Stage.IN_REVIEW)
    client.force_login(editor)

    response = client.post(
        page(ticket),
        {
            "action": "request_changes",
            "note": "Pin the council's accounts.",
            "version": ticket.version,
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.stage == Stage.CHANGES_REQUESTED


def test_with_the_setting_a_revision_with_evidence_is_approved_and_published(
    client, editor, settings
):
    settings.REVIEW_REQUIRE_EVIDENCE = True
    ticket = ticket_in(Stage.IN_REVIEW)
    cite_evidence(ticket)
    client.force_login(editor)

    client.post(page(ticket), {"action": "vote", "version": ticket.version})
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED
    client.post(page(ticket), {"action": "publish", "version": ticket.version})

    ticket.refresh_from_db()
    assert ticket.stage == Stage.PUBLISHED


def test_with_the_setting_publishing_a_revision_with_no_evidence_is_refused(
    client, editor, settings
):
    # Approved before the desk turned the setting on.
    ticket = ticket_in(Stage.APPROVED)
    settings.REVIEW_REQUIRE_EVIDENCE = True
    client.force_login(editor)

    shown = client.get(page(ticket)).content.decode()
    response = client.post(page(ticket), {"action": "publish", "version": ticket.version})

    assert 'name="action" value="publish"' not in shown
    assert "none — readers will see no quoted source, only the piece’s own links" in shown
    assert response.status_code == 409
    assert "Cannot publish this revision: it cites no evidence" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED
    assert Verdict.objects.get(ticket=ticket).published_revision_id is None


def test_with_the_setting_a_verdict_already_scheduled_still_publishes_when_the_embargo_lifts(
    settings,
):
    ticket = ticket_in(Stage.SCHEDULED)
    settings.REVIEW_REQUIRE_EVIDENCE = True

    assert verdicts_publish_due() == 1
    ticket.refresh_from_db()
    assert ticket.stage == Stage.PUBLISHED


@pytest.mark.parametrize("required", [False, True])
def test_the_ticket_page_reads_evidence_without_an_extra_query(client, editor, settings, required):
    settings.REVIEW_REQUIRE_EVIDENCE = required
    bare, sourced = ticket_in(Stage.APPROVED), ticket_in(Stage.APPROVED)
    cite_evidence(sourced)
    client.force_login(editor)
    client.get(page(bare))

    with CaptureQueriesContext(connection) as without_evidence:
        client.get(page(bare))
    with CaptureQueriesContext(connection) as with_one:
        client.get(page(sourced))

    assert len(without_evidence) == len(with_one)
    # The revisions' own query says whether each cites evidence; nothing asks again.
    asked = [
        q["sql"]
        for q in with_one
        if q["sql"].startswith('SELECT 1 AS "a" FROM "reviews_revisionevidence"')
    ]
    assert asked == []


def api_act(user, ticket, action: str, **params):
    client = APIClient()
    client.force_login(user)
    ticket = Ticket.objects.get(pk=ticket.pk)
    return client.post(
        f"/api/v1/claims/{ticket.claim_id}/transitions/",
        {"action": action, "expected_version": ticket.version, **params},
        format="json",
    )


@pytest.mark.parametrize(
    ("stage", "action", "params", "verb"),
    [
        (Stage.IN_REVIEW, "vote", {"approve": True}, "approve"),
        (Stage.APPROVED, "publish", {}, "publish"),
    ],
)
def test_with_the_setting_the_api_refuses_a_revision_with_no_evidence_with_409(
    editor, settings, stage, action, params, verb
):
    settings.REVIEW_REQUIRE_EVIDENCE = True
    bare, sourced = ticket_in(stage), ticket_in(stage)
    cite_evidence(sourced)

    refused = api_act(editor, bare, action, **params)
    accepted = api_act(editor, sourced, action, **params)

    assert refused.status_code == 409
    assert f"Cannot {verb} this revision: it cites no evidence" in refused.content.decode()
    assert Ticket.objects.get(pk=bare.pk).stage == stage
    assert accepted.status_code == 200, accepted.content
    assert Ticket.objects.get(pk=sourced.pk).stage != stage


def test_without_the_setting_the_api_publishes_a_revision_with_no_evidence(editor):
    ticket = ticket_in(Stage.APPROVED)

    response = api_act(editor, ticket, "publish")

    assert response.status_code == 200, response.content
    assert response.json()["ticket"]["stage"] == "published"
