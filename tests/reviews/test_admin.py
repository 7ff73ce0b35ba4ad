"""The admin shows a desk its tickets and offers only the actions allowed now, via the services."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Event, Ticket
from reviews.workflow import Stage
from tests.reviews.factories import TicketFactory, rating, ticket_in

CHANGELIST = reverse("admin:reviews_ticket_changelist")


def page(ticket):
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def offered_actions(response) -> set[str]:
    html = response.content.decode()
    return {name for name in _ALL if f'name="action" value="{name}"' in html}


_ALL = [
    "queue",
    "dismiss",
    "reopen",
    "take",
    "assign",
    "save_draft",
    "submit",
    "vote",
    "request_changes",
    "publish",
    "open_correction",
    "retract",
]


@pytest.mark.django_db
def test_the_ticket_list_shows_claim_stage_assignee_and_rating(client, editor):
    ticket = ticket_in(Stage.IN_REVIEW)
    client.force_login(editor)
    response = client.get(CHANGELIST)
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.claim.text[:40] in html
    assert 'class="stage-badge stage-in_review"' in html
    assert 'class="rating-badge rating-false"' in html
    assert ticket.assignee.username in html


@pytest.mark.django_db
def test_the_ticket_list_runs_the_same_number_of_queries_for_many_tickets(client, editor):
    client.force_login(editor)
    ticket_in(Stage.IN_REVIEW)
    client.get(CHANGELIST)
    with CaptureQueriesContext(connection) as few:
        client.get(CHANGELIST)
    for stage in [Stage.PUBLISHED, Stage.RESEARCHING, Stage.NEW] * 5:
        ticket_in(stage)
    with CaptureQueriesContext(connection) as many:
        response = client.get(CHANGELIST)
    assert response.context["cl"].result_count == 16
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_ticket_page_runs_the_same_number_of_queries_however_long_the_trail(
    client, editor, checker
):
    client.force_login(editor)
    ticket = ticket_in(Stage.QUEUED)
    services.ticket_take(ticket=ticket, by=checker)

    def draft(n):
        services.verdict_save_draft(
            ticket=ticket,
            by=checker,
            rating=rating("false"),
            summary=f"Take {n}.",
            explanation="The accounts say otherwise.",
        )

    draft(0)
    client.get(page(ticket))
    with CaptureQueriesContext(connection) as short:
        client.get(page(ticket))
    for n in range(1, 7):
        services.ticket_assign(ticket=ticket, by=editor, assignee=checker)
        draft(n)
    with CaptureQueriesContext(connection) as long:
        response = client.get(page(ticket))
    assert len(response.context["timeline"]) == 14
    assert len(response.context["revisions"]) == 7
    assert len(long) == len(short)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("stage", "role", "expected"),
    [
        (Stage.NEW, "fact-checker", {"queue", "dismiss"}),
        (Stage.NEW, "editor", {"queue", "dismiss", "assign"}),
        (Stage.QUEUED, "fact-checker", {"dismiss", "take"}),
        (Stage.IN_REVIEW, "fact-checker", set()),
        (Stage.IN_REVIEW, "editor", {"assign", "save_draft", "vote", "request_changes"}),
        (Stage.APPROVED, "fact-checker", set()),
        (Stage.APPROVED, "editor", {"assign", "request_changes", "publish"}),
        (Stage.PUBLISHED, "editor", {"assign", "open_correction", "retract"}),
        (Stage.RETRACTED, "editor", set()),
        (Stage.PUBLISHED, "api client", None),
    ],
)
def test_the_ticket_page_offers_only_the_actions_allowed_now(client, people, stage, role, expected):
    ticket = ticket_in(stage)
    client.force_login(people[role])
    response = client.get(page(ticket))
    if expected is None:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert offered_actions(response) == expected


@pytest.mark.django_db
def test_the_author_is_not_offered_a_vote_on_their_own_verdict(client, editor):
    ticket = ticket_in(Stage.IN_REVIEW, assignee=editor)
    client.force_login(editor)
    assert "vote" not in offered_actions(client.get(page(ticket)))


@pytest.mark.django_db
def test_the_verdict_form_shows_the_scales_definitions(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    html = client.get(page(ticket)).content.decode()
    for step in ("Mostly false", "Unverifiable"):
        assert step in html
    assert rating("half-true").definition in html
    assert rating("misleading").definition in html


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_a_clear_message(client, checker, editor):
    ticket = TicketFactory()
    client.force_login(editor)
    services.ticket_queue(ticket=ticket, by=checker)
    response = client.post(
        page(ticket), {"action": "dismiss", "version": 0, "reason": "opinion", "note": ""}
    )
    assert response.status_code == 409
    assert "Someone else changed this ticket" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.stage == Stage.QUEUED


@pytest.mark.django_db
def test_a_refused_action_answers_forbidden_and_changes_nothing(client, checker):
    ticket = ticket_in(Stage.APPROVED)
    client.force_login(checker)
    response = client.post(page(ticket), {"action": "publish", "version": 0})
    assert response.status_code == 403
    assert "Only editors can publish" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED


@pytest.mark.django_db
def test_an_invalid_form_keeps_the_input_and_saves_nothing(client, editor):
    ticket = ticket_in(Stage.IN_REVIEW)
    client.force_login(editor)
    response = client.post(page(ticket), {"action": "request_changes", "version": 0, "note": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_bulk_triage_queues_what_it_can_and_reports_the_rest(client, checker):
    new = TicketFactory.create_batch(3)
    published = ticket_in(Stage.PUBLISHED)
    client.force_login(checker)
    response = client.post(
        CHANGELIST,
        {
            "action": "queue_selected",
            "_selected_action": [t.pk for t in [*new, published]],
            "confirm": "yes",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "3 queued." in text
    assert f"#{published.pk}: Cannot queue this claim" in text
    assert Ticket.objects.filter(stage=Stage.QUEUED).count() == 3


@pytest.mark.django_db
def test_bulk_dismissal_needs_a_reason(client, checker):
    tickets = TicketFactory.create_batch(2)
    client.force_login(checker)
    selected = [t.pk for t in tickets]
    response = client.post(
        CHANGELIST, {"action": "dismiss_selected", "_selected_action": selected}, follow=True
    )
    assert "Choose the reason" in response.content.decode()
    assert not Ticket.objects.filter(stage=Stage.DISMISSED).exists()
    client.post(
        CHANGELIST,
        {
            "action": "dismiss_selected",
            "_selected_action": selected,
            "reason": "duplicate",
            "confirm": "yes",
        },
    )
    assert set(Ticket.objects.values_list("dismiss_reason", flat=True)) == {"duplicate"}


@pytest.mark.django_db
def test_bulk_assignment_assigns_with_a_due_date(client, editor, checker):
    tickets = TicketFactory.create_batch(2)
    client.force_login(editor)
    client.post(
        CHANGELIST,
        {
            "action": "assign_selected",
            "_selected_action": [t.pk for t in tickets],
            "assignee": checker.pk,
            "due_on": "2030-05-17",
            "confirm": "yes",
        },
    )
    for ticket in Ticket.objects.all():
        assert (ticket.assignee, ticket.stage) == (checker, Stage.RESEARCHING)
        assert ticket.due_at.date().isoformat() == "2030-05-17"


@pytest.mark.django_db
def test_fact_checkers_are_not_offered_bulk_assignment(client, checker):
    TicketFactory()
    client.force_login(checker)
    response = client.get(CHANGELIST)
    actions = dict(response.context["action_form"].fields["action"].choices)
    assert "queue_selected" in actions
    assert "assign_selected" not in actions


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [("work=mine", {"mine"}), ("work=overdue", {"late"}), ("rating=false", {"mine", "late"})],
)
def test_the_list_filters_the_desks_work(client, checker, query, expected):
    tickets = {
        "mine": ticket_in(Stage.RESEARCHING, assignee=checker),
        "late": ticket_in(Stage.IN_REVIEW),
        "new": TicketFactory(),
    }
    Ticket.objects.filter(pk=tickets["late"].pk).update(due_at=timezone.now() - timedelta(days=1))
    client.force_login(checker)
    response = client.get(f"{CHANGELIST}?{query}")
    shown = {t.pk for t in response.context["cl"].result_list}
    assert shown == {tickets[name].pk for name in expected}


@pytest.mark.django_db
def test_the_audit_trail_exports_as_csv(client, editor, checker):
    ticket = TicketFactory()
    services.ticket_assign(
        ticket=ticket, by=editor, assignee=checker, note='=HYPERLINK("http://evil.example")'
    )
    services.verdict_save_draft(
        ticket=ticket, by=checker, rating=rating("false"), summary="Wrong.", explanation="Yes."
    )
    client.force_login(editor)
    response = client.post(
        reverse("admin:reviews_event_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Event.objects.values_list("pk", flat=True)),
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["event", "at", "ticket"]
    assert [row[7] for row in rows[1:]] == ["assigned", "saved a draft of the verdict"]
    assert rows[2][6] == checker.username
    # A note that a spreadsheet would run as a formula is written as text.
    assert rows[1][10] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.django_db
def test_the_rating_colours_are_served_as_a_stylesheet(client, editor):
    client.force_login(editor)
    response = client.get(reverse("admin:reviews_rating_css"))
    assert response["Content-Type"] == "text/css"
    css = response.content.decode()
    # Each badge also gets the text colour that stays readable on it.
    assert ".rating-badge.rating-true { background-color: #1b7f3b; color: #ffffff; }" in css


@pytest.mark.django_db
def test_a_bulk_action_asks_to_confirm_and_runs_only_when_confirmed(client, checker):
    import re

    tickets = TicketFactory.create_batch(3)
    client.force_login(checker)
    chosen = {
        "action": "dismiss_selected",
        "_selected_action": [t.pk for t in tickets],
        "reason": "out_of_scope",
    }
    page = client.post(CHANGELIST, chosen).content.decode()
    assert "will act on 3 tickets" in page
    assert not Ticket.objects.filter(stage=Stage.DISMISSED).exists()

    # Press "Yes, do it": post the confirmation page's own form.
    form = page.split('<form method="post">', 1)[1].split("</form>", 1)[0]
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form):
        fields.setdefault(name, []).append(value)
    assert fields["confirm"] == ["yes"] and fields["reason"] == ["out_of_scope"]
    client.post(CHANGELIST, fields)
    assert set(Ticket.objects.values_list("stage", "dismiss_reason")) == {
        (Stage.DISMISSED, "out_of_scope")
    }


@pytest.mark.django_db
def test_the_dismiss_form_on_the_ticket_page_has_no_reason_chosen_in_advance(client, checker):
    ticket = TicketFactory()
    client.force_login(checker)
    page = client.get(reverse("admin:reviews_ticket_change", args=[ticket.pk])).content.decode()
    select = page.split('name="reason"', 1)[1].split("</select>", 1)[0]
    assert "selected" not in select.split("</option>", 1)[1]
    assert "— choose a reason —" in select


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("embargoed", "said"),
    [(False, "Published: readers see the verdict now."), (True, "Scheduled, not yet public")],
)
def test_publishing_from_the_ticket_page_says_which_happened(client, editor, embargoed, said):
    embargo = timezone.now() + timedelta(days=2) if embargoed else None
    ticket = ticket_in(Stage.APPROVED, embargo_until=embargo)
    client.force_login(editor)
    url = reverse("admin:reviews_ticket_change", args=[ticket.pk])
    page = client.post(
        url, {"action": "publish", "version": ticket.version}, follow=True
    ).content.decode()
    assert said in page
    ticket.refresh_from_db()
    assert ticket.stage == (Stage.SCHEDULED if embargoed else Stage.PUBLISHED)


@pytest.mark.django_db
def test_the_ticket_page_loads_the_scripts_of_the_forms_it_offers(client, editor):
    client.force_login(editor)

    queued = client.get(page(ticket_in(Stage.QUEUED))).content.decode()
    dismissed = client.get(page(ticket_in(Stage.DISMISSED))).content.decode()

    # Assigning offers a date and time picker; a dismissed ticket offers no assignment.
    assert "admin/js/calendar.js" in queued
    assert "admin/js/calendar.js" not in dismissed


@pytest.mark.django_db
def test_only_the_retract_button_is_marked_as_dangerous(client, editor):
    client.force_login(editor)

    html = client.get(page(ticket_in(Stage.PUBLISHED))).content.decode()

    assert html.count("desk-danger") == 1
    assert 'class="button desk-danger">Retract</button>' in html


@pytest.mark.django_db
def test_a_revision_sent_back_must_change_before_it_is_submitted_again(client, checker, editor):
    ticket = ticket_in(Stage.IN_REVIEW, assignee=checker)
    client.force_login(editor)
    sent = client.post(
        page(ticket),
        {"action": "request_changes", "version": ticket.version, "note": "Cite the accounts."},
    )
    assert sent.status_code == 302
    ticket.refresh_from_db()
    assert ticket.stage == Stage.CHANGES_REQUESTED
    client.force_login(checker)
    assert "submit" not in offered_actions(client.get(page(ticket)))
    # Submitting the same revision again would leave the editor, who voted on it, no action.
    refused = client.post(page(ticket), {"action": "submit", "version": ticket.version})
    assert refused.status_code == 409
    assert "save a new draft that answers their note" in refused.content.decode()
    ticket.refresh_from_db()
    assert ticket.stage == Stage.CHANGES_REQUESTED
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("mostly-false"),
        summary="The 2023 accounts say 2.1 million dollars.",
        explanation="Cited the accounts as asked.",
    )
    ticket.refresh_from_db()
    assert "submit" in offered_actions(client.get(page(ticket)))
    assert (
        client.post(page(ticket), {"action": "submit", "version": ticket.version}).status_code
        == 302
    )
    client.force_login(editor)
    ticket.refresh_from_db()
    assert {"vote", "request_changes"} <= offered_actions(client.get(page(ticket)))
