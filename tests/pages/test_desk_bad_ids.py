"""An id in a desk screen's query string or form that names no row is refused, never a 500."""

import pytest
from django.urls import reverse

from reviews.models import Rating
from reviews.workflow import Stage
from tests.reviews.factories import ticket_in

pytestmark = pytest.mark.django_db

# A superscript two is a digit to str.isdigit() but not to int(); the others pass int() but
# overflow the database's bigint (SQLite refuses to bind them at all).
NOT_IDS = ["²", "9" * 25, str(2**63), "9" * 5000]


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(
    "screen",
    [
        "admin:reviews_ticket_changelist?assignee__id__exact",
        "admin:reviews_ticket_changelist?claim__article__id__exact",
        "admin:claims_claim_changelist?article__id__exact",
    ],
)
def test_a_list_filtered_by_an_id_that_names_no_row_answers_without_a_500(
    client, checker, screen, value
):
    ticket_in(Stage.QUEUED)
    name, parameter = screen.split("?")
    client.force_login(checker)

    response = client.get(reverse(name), {parameter: value}, follow=True)

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["9" * 25, str(2**63), "9" * 5000])
def test_a_list_page_far_past_the_last_answers_without_a_500(client, checker, page):
    ticket_in(Stage.QUEUED)
    client.force_login(checker)

    response = client.get(reverse("admin:reviews_ticket_changelist"), {"p": page})

    assert response.status_code == 200


@pytest.mark.parametrize("action", ["duplicate", "reuse"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_a_match_posted_with_a_target_that_names_no_row_is_refused_with_a_message(
    client, editor, action, value
):
    ticket = ticket_in(Stage.NEW)
    page = reverse("admin:reviews_ticket_change", args=[ticket.pk])
    client.force_login(editor)

    response = client.post(
        page, {"action": action, "target": value, "version": ticket.version}, follow=True
    )

    assert response.status_code == 200
    assert "Choose " in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.stage == Stage.NEW


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_draft_posted_with_evidence_that_names_no_row_is_a_form_error(client, editor, value):
    ticket = ticket_in(Stage.RESEARCHING)
    page, version = reverse("admin:reviews_ticket_change", args=[ticket.pk]), ticket.version
    client.force_login(editor)

    response = client.post(
        page,
        {
            "action": "save_draft",
            "version": version,
            "rating": Rating.objects.order_by("order", "pk").first().pk,
            "summary": "The figure is right.",
            "explanation": "The report gives it.",
            "short_claim": "A figure",
            "evidence": [value],
        },
    )

    assert response.status_code == 400
    assert "is not a valid value" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.version == version


def test_the_research_link_of_a_claim_id_past_the_bigint_range_is_a_404(client, checker):
    client.force_login(checker)

    response = client.get(reverse("admin:reviews_ticket_research", args=[2**70]))

    assert response.status_code == 404


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(
    "screen, action",
    [
        ("admin:reviews_ticket_changelist", "queue_selected"),
        ("admin:reviews_ticket_changelist", "export_trail"),
        ("admin:reviews_intake_changelist", "remove_selected"),
        ("admin:claims_source_changelist", "fetch_now"),
    ],
)
def test_a_list_action_posted_with_a_selection_that_is_not_ids_does_nothing_and_says_so(
    client, editor, screen, action, value
):
    ticket = ticket_in(Stage.NEW)
    client.force_login(editor)

    response = client.post(
        reverse(screen),
        {"action": action, "_selected_action": [str(ticket.pk), value], "index": "0"},
        follow=True,
    )

    assert response.status_code == 200
    assert "not a row of this list" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.stage == Stage.NEW


def _every_registered_list():
    from django.contrib import admin

    return sorted(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        for model in admin.site._registry
    )


@pytest.mark.parametrize("value", ["²", str(2**64)])
@pytest.mark.parametrize("screen", _every_registered_list())
def test_every_admin_list_refuses_a_forged_selection_for_its_delete_action(
    admin_client, screen, value
):
    # Superuser-only lists (tags, webhook subscriptions, users...) included: the site adds the
    # check to every ModelAdmin it registers, so none can answer a 500 here.
    response = admin_client.post(
        reverse(screen),
        {"action": "delete_selected", "_selected_action": [value], "index": "0"},
        follow=True,
    )

    assert response.status_code == 200
    # A read-only list (snapshots, passages) offers no delete action: the post shows the list.
    if 'value="delete_selected"' in admin_client.get(reverse(screen)).content.decode():
        assert "not a row of this list" in response.content.decode()


def test_the_walk_covers_the_lists_the_desk_forgot_before():
    lists = _every_registered_list()

    assert "admin:claims_tag_changelist" in lists
    assert "admin:reviews_webhooksubscription_changelist" in lists
    assert "admin:auth_user_changelist" in lists
    assert len(lists) > 15
