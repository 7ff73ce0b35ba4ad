"""A fact-checker pins any span of an archived copy's text or a paragraph from the ticket page."""

import pytest
from django.urls import reverse

from claims.models import Citation, Evidence
from reviews.models import Event, VerdictRevision
from reviews.workflow import Stage
from tests.pages.test_verdict_page import archived
from tests.reviews.factories import rating, ticket_in

TEXT = (
    "The council met on Monday.\n\n"
    "The audit found the bridge cost 2.1 million dollars in 2023, not the 4 million claimed.\n\n"
    "Repairs are planned for the spring, the clerk said."
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def cited(ticket, url="https://ledger.example/audit", text=TEXT):
    snapshot = archived(url, text)
    Citation.objects.create(claim=ticket.claim, source=snapshot.source, href="x")
    return snapshot


def pin(client, ticket, snapshot, start, end, **more):
    data = {"action": "pin_span", "snapshot": snapshot.pk, "start": start, "end": end}
    return client.post(page(ticket), {"stance": "contradicts", **data, **more})


@pytest.mark.django_db
def test_the_page_shows_each_paragraph_of_the_archived_text_with_its_offsets(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    snapshot = cited(ticket)
    client.force_login(checker)
    html = client.get(page(ticket)).content.decode()
    second = TEXT.index("The audit")
    assert f'data-start="{second}" data-end="{TEXT.index(" claimed.") + 9}"' in html
    assert 'name="action" value="pin_span"' in html
    assert f'name="snapshot" value="{snapshot.pk}"' in html
    assert "reviews/pin-span.js" in html


@pytest.mark.django_db
def test_a_selected_span_is_pinned_with_its_stance_note_and_offsets(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    snapshot = cited(ticket)
    client.force_login(checker)
    start = TEXT.index("2.1 million")
    end = TEXT.index(" in 2023")
    # Spaces around a selection are trimmed, and the quote is the stored text, not the post's.
    response = pin(client, ticket, snapshot, start - 1, end + 1, note="Half, not 4.")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.quote, evidence.start, evidence.end) == ("2.1 million dollars", start, end)
    assert (evidence.stance, evidence.note, evidence.passage) == (
        "contradicts",
        "Half, not 4.",
        None,
    )
    assert (evidence.snapshot, evidence.source) == (snapshot, snapshot.source)
    event = Event.objects.get(ticket=ticket, action="pin")
    assert (event.data["start"], event.data["end"]) == (start, end)

    # Pinning the same span again changes its stance; it is not pinned twice.
    pin(client, ticket, snapshot, start, end, stance="context")
    assert Evidence.objects.get().stance == "context"

    # A revision relying on it keeps the offsets.
    ticket.refresh_from_db()
    client.post(
        page(ticket),
        {
            "action": "save_draft",
            "version": ticket.version,
            "rating": rating("false").pk,
            "summary": "It cost about half as much.",
            "explanation": "The audit puts it at 2.1 million dollars.",
            "evidence": [evidence.pk],
        },
    )
    copy = VerdictRevision.objects.get(verdict__ticket=ticket).evidence.get()
    assert (copy.quote, copy.start, copy.end) == ("2.1 million dollars", start, end)


@pytest.mark.django_db
def test_a_whole_paragraph_can_be_pinned(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    snapshot = cited(ticket)
    client.force_login(checker)
    start = TEXT.index("Repairs")
    assert pin(client, ticket, snapshot, start, len(TEXT), stance="context").status_code == 302
    assert Evidence.objects.get().quote == "Repairs are planned for the spring, the clerk said."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (10, 10_000, "are not a span of its"),
        (30, 20, "are not a span of its"),
        (26, 28, "only spaces"),
    ],
)
def test_offsets_outside_the_stored_text_are_a_form_error_not_a_500(
    client, checker, start, end, message
):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    snapshot = cited(ticket)
    client.force_login(checker)
    response = pin(client, ticket, snapshot, start, end)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_missing_or_negative_offsets_are_a_form_error(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    snapshot = cited(ticket)
    client.force_login(checker)
    response = client.post(
        page(ticket),
        {"action": "pin_span", "snapshot": snapshot.pk, "start": "-3", "stance": "supports"},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_a_snapshot_the_claim_does_not_cite_cannot_be_pinned(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    other = archived("https://elsewhere.example/", TEXT)
    client.force_login(checker)
    response = pin(client, ticket, other, 0, 10)
    assert response.status_code == 400
    assert "not of a source this claim cites" in response.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_more_candidates_are_ranked_on_demand(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    words = ticket.claim.text.split()[:3]
    text = "\n\n".join(f"Paragraph {i} mentions {' '.join(words)}." for i in range(8))
    cited(ticket, text=text)
    client.force_login(checker)
    plain = client.get(page(ticket)).content.decode()
    assert "Show more candidates" in plain
    assert "desk-candidates" not in plain
    more = client.get(page(ticket) + "?candidates=more").content.decode()
    assert more.count('class="snapshot-para candidate"') == 8
