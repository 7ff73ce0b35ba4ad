"""Each desk action is declared once, and the admin, the API and the audit trail follow it."""

import ast
import inspect

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from reviews import services, workflow
from reviews.actions import ACTIONS
from reviews.models import Event, Ticket
from reviews.workflow import RESEARCH_EVENTS, Stage
from tests.reviews.actions import ACT
from tests.reviews.factories import TicketFactory, new_editor, ticket_in

# Written out here, not derived from the code: the names newsrooms' tooling depends on.
NAMES = [
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


def test_the_registry_names_every_act_once_in_the_desk_order():
    assert list(ACTIONS) == NAMES
    assert set(ACT) == set(ACTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_each_action_is_a_declared_transition_with_a_service_that_takes_its_inputs(name):
    action = ACTIONS[name]
    ticket = Ticket()
    assert name in {t.name for t in ticket.get_all_stage_transitions()}
    service = getattr(services, action.service)
    parameters = inspect.signature(service).parameters
    assert {"ticket", "by", "expected_version"} <= set(parameters)
    api_fields = set(action.api_input().fields) - {"expected_version"}
    assert api_fields <= set(parameters), api_fields - set(parameters)


def test_the_audit_trail_records_each_action_under_its_registry_name():
    recorded = dict(Event._meta.get_field("action").choices)
    assert set(ACTIONS) <= set(recorded)
    # Publication held by an embargo is recorded as such; votes that approve are votes; the
    # research steps change no stage and are declared beside the transitions.
    assert set(recorded) - set(ACTIONS) == {"schedule", *RESEARCH_EVENTS}


@pytest.mark.django_db
def test_the_schema_documents_each_action_with_its_own_fields():
    schema = APIClient().get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    request = schema["paths"]["/api/v1/claims/{id}/transitions/"]["post"]["requestBody"]
    body = request["content"]["application/json"]["schema"]
    transition = components[body["$ref"].rsplit("/", 1)[1]]

    assert transition["discriminator"]["propertyName"] == "action"
    assert sorted(transition["discriminator"]["mapping"]) == sorted(NAMES)
    save_draft = components["SaveDraftTransitionRequest"]
    assert {"rating", "summary", "explanation", "expected_version"} <= set(save_draft["required"])
    assert "approve" not in save_draft["properties"]
    vote = components["VoteTransitionRequest"]
    # A vote approves; the one way back is request_changes, which the schema points to.
    assert set(vote["required"]) == {"action", "expected_version"}
    assert "request_changes" in vote["properties"]["approve"]["description"]
    assert set(components["TakeTransitionRequest"]["properties"]) == {"action", "expected_version"}


@pytest.mark.django_db
def test_an_action_posted_with_another_actions_fields_is_refused_by_its_own_input(client):
    ticket = ticket_in(Stage.RESEARCHING)
    api = APIClient()
    api.force_login(new_editor())

    response = api.post(
        f"/api/v1/claims/{ticket.claim_id}/transitions/",
        {"action": "save_draft", "expected_version": ticket.version, "approve": True},
        format="json",
    )

    assert response.status_code == 400
    assert {"rating", "summary", "explanation"} <= set(response.json()["error"]["fields"])
    assert Ticket.objects.get(pk=ticket.pk).version == ticket.version


@pytest.mark.django_db
@pytest.mark.parametrize("action", [["save_draft"], {"name": "vote"}, None, 7])
def test_an_action_that_is_not_a_name_is_a_400(action):
    ticket = ticket_in(Stage.RESEARCHING)
    api = APIClient()
    api.force_login(new_editor())

    response = api.post(
        f"/api/v1/claims/{ticket.claim_id}/transitions/",
        {"action": action, "expected_version": ticket.version},
        format="json",
    )

    assert response.status_code == 400
    assert "action" in response.json()["error"]["fields"]


# The interfaces that dispatch actions: they must iterate over the registry, never name an act.
DISPATCHERS = [
    "reviews/admin/desk.py",
    "reviews/admin/tickets.py",
    "reviews/api/desk.py",
    "reviews/api/action_inputs.py",
]


@pytest.mark.parametrize("path", DISPATCHERS)
def test_no_dispatcher_names_an_action_itself(path):
    source = (settings.BASE_DIR / path).read_text()
    literals = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }

    assert not literals & set(ACTIONS)


def test_the_ticket_page_templates_name_no_action():
    folder = settings.BASE_DIR / "templates/admin/reviews/ticket"
    for template in folder.glob("*.html"):
        html = template.read_text()
        named = {
            name
            for name in ACTIONS
            if f'value="{name}"' in html or f"'{name}'" in html or f"{name}_form" in html
        }
        assert not named, (template.name, named)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["editor", "checker"])
def test_the_ticket_lists_bulk_actions_come_from_the_registry(client, role, request):
    TicketFactory()
    client.force_login(request.getfixturevalue(role))
    response = client.get("/admin/reviews/ticket/")
    choices = dict(response.context["action_form"].fields["action"].choices)
    offered = {name.removesuffix("_selected") for name in choices if name.endswith("_selected")}

    user = request.getfixturevalue(role)
    expected = {
        action.name
        for action in ACTIONS.values()
        if action.bulk and user.has_perm(workflow.permission(Ticket(), action.transition))
    }
    assert offered == expected
    # An editor may assign; a fact-checker triages but never assigns.
    assert ("assign" in offered) == (role == "editor")
