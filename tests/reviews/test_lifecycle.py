"""One claim from the sample piece goes new → published → corrected through the admin's forms."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from reviews import selectors, services
from reviews.models import Event, Ticket
from reviews.workflow import Stage
from tests.reviews.factories import SAMPLE_CLAIM, rating, sample_claim

CHANGELIST = reverse("admin:reviews_ticket_changelist")


class Desk:
    """Act on one ticket through the admin, as the person logged in, with the page's own forms."""

    def __init__(self, client, ticket, capture):
        self.client = client
        self.ticket = ticket
        self.capture = capture
        self.url = reverse("admin:reviews_ticket_change", args=[ticket.pk])

    def as_(self, user) -> "Desk":
        self.client.force_login(user)
        return self

    def post(self, action: str, **fields):
        """Open the ticket page, find the form of `action` on it, and post it."""
        page = self.client.get(self.url)
        assert page.status_code == 200
        html = page.content.decode()
        form = re.search(
            rf'<input type="hidden" name="action" value="{action}">(.*?)</form>', html, re.S
        )
        assert form, f"the page offers no {action!r} form"
        version = re.search(r'name="version" value="(\d+)"', form.group(1)).group(1)
        with self.capture(execute=True):
            response = self.client.post(self.url, {"action": action, "version": version, **fields})
        assert response.status_code == 302, response.content.decode()[-2000:]
        return self.client.get(response["Location"])

    def stage(self) -> Stage:
        return Ticket.objects.get(pk=self.ticket.pk).stage


@pytest.mark.django_db
def test_a_claim_from_the_sample_piece_is_published_then_corrected_through_the_admin(
    client, checker, editor, editor2, django_capture_on_commit_callbacks
):
    claim = sample_claim()
    assert claim.article.plain_text[claim.start : claim.end] == SAMPLE_CLAIM
    services.tickets_open(claims=[claim])
    ticket = claim.ticket
    desk = Desk(client, ticket, django_capture_on_commit_callbacks)

    # Triage from the list, as the desk does: a real changelist action post.
    client.force_login(checker)
    listed = client.get(CHANGELIST)
    assert SAMPLE_CLAIM[:40] in listed.content.decode()
    client.post(
        CHANGELIST,
        {"action": "queue_selected", "_selected_action": [ticket.pk], "confirm": "yes"},
    )
    assert desk.stage() == Stage.QUEUED

    page = desk.as_(checker).post("take")
    assert "<mark>Microsoft poured more than thirteen billion dollars into OpenAI</mark>" in (
        page.content.decode()
    )
    desk.post(
        "save_draft",
        rating=rating("mostly-true").pk,
        summary="Microsoft committed about $13 billion, much of it as cloud computing credits.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="Microsoft's filings and its 2023 announcement describe a multiyear, "
        "multibillion-dollar investment; reporting puts the total near $13 billion.",
    )
    desk.post("submit", note="Ready for review.")
    assert desk.stage() == Stage.IN_REVIEW

    desk.as_(editor).post("vote", rating=rating("mostly-true").pk, note="")
    assert desk.stage() == Stage.APPROVED
    desk.post("publish")
    assert desk.stage() == Stage.PUBLISHED
    (public,) = selectors.verdicts_published()
    first = public.published_revision
    assert (first.number, first.rating.slug) == (1, "mostly-true")

    desk.post("open_correction", note="The $13 billion was committed, not all paid in.")
    assert desk.stage() == Stage.CORRECTING
    assert selectors.verdicts_published().get().published_revision == first

    desk.as_(checker).post(
        "save_draft",
        rating=rating("half-true").pk,
        summary="Microsoft committed up to $13 billion; only part of it had been paid in.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="Filings show tranches tied to milestones; not all had been paid.",
    )
    assert selectors.verdicts_published().get().published_revision == first
    desk.post("submit")
    desk.as_(editor2).post("vote", rating=rating("half-true").pk, note="")
    assert selectors.verdicts_published().get().published_revision == first
    page = desk.as_(editor).post(
        "publish", correction_note="We first said the full $13 billion had been invested."
    )
    assert desk.stage() == Stage.PUBLISHED

    public = selectors.verdicts_published().get()
    assert (public.published_revision.number, public.published_revision.rating.slug) == (
        2,
        "half-true",
    )
    assert [c.public_note for c in public.published_corrections] == [
        "We first said the full $13 billion had been invested."
    ]

    expected = [
        ("queue", checker, Stage.NEW, Stage.QUEUED),
        ("take", checker, Stage.QUEUED, Stage.RESEARCHING),
        ("save_draft", checker, Stage.RESEARCHING, Stage.RESEARCHING),
        ("submit", checker, Stage.RESEARCHING, Stage.IN_REVIEW),
        ("vote", editor, Stage.IN_REVIEW, Stage.APPROVED),
        ("publish", editor, Stage.APPROVED, Stage.PUBLISHED),
        ("open_correction", editor, Stage.PUBLISHED, Stage.CORRECTING),
        ("save_draft", checker, Stage.CORRECTING, Stage.CORRECTING),
        ("submit", checker, Stage.CORRECTING, Stage.IN_REVIEW),
        ("vote", editor2, Stage.IN_REVIEW, Stage.APPROVED),
        ("publish", editor, Stage.APPROVED, Stage.PUBLISHED),
    ]
    events = Event.objects.filter(ticket=ticket).order_by("created_at", "id")
    assert [(e.action, e.actor, e.from_stage, e.to_stage) for e in events] == expected
    # Every event is on the timeline of the claim's page, in order.
    html = page.content.decode()
    shown = re.findall(r'class="timeline-event timeline-\w+" data-action="(\w+)"', html)
    assert shown == [action for action, *_rest in expected]
    assert "We first said the full $13 billion had been invested." in html
    assert "The $13 billion was committed, not all paid in." in html

    kinds = [m.subject.split(":")[0].removeprefix("[Fact-check desk] ") for m in mail.outbox]
    assert "Review requested" in kinds
    assert "Published" in kinds
    assert "Correction requested" in kinds
