"""Newsroom tooling drives the desk through the same services as the admin."""

import pytest
from rest_framework.test import APIClient

from claims.models import Citation
from reviews.models import Event, Ticket
from reviews.workflow import Stage
from tests.factories import ClaimFactory
from tests.reviews.factories import new_editor, new_fact_checker, ticket_in

pytestmark = pytest.mark.django_db


def logged_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def act(client, ticket, action: str, **params):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return client.post(
        f"/api/v1/claims/{ticket.claim_id}/transitions/",
        {"action": action, "expected_version": ticket.version, **params},
        format="json",
    )


def test_claims_are_listed_with_their_stage_and_filtered_by_it():
    new, queued = ticket_in(Stage.NEW), ticket_in(Stage.QUEUED)
    client = logged_in(new_fact_checker())

    everything = client.get("/api/v1/claims/").json()["results"]
    only_queued = client.get("/api/v1/claims/", {"stage": "queued"}).json()["results"]

    assert {row["ticket"]["stage"] for row in everything} == {"new", "queued"}
    assert [row["id"] for row in only_queued] == [queued.claim_id]
    assert everything[0]["ticket"]["version"] == 0
    assert new.claim_id in {row["id"] for row in everything}


@pytest.mark.parametrize("position", ["abc", "%00", "²", str(2**70)])
def test_a_forged_cursor_naming_no_id_is_refused_not_a_500(position):
    import base64

    ticket_in(Stage.NEW)
    forged = base64.b64encode(f"p={position}".encode()).decode()

    response = logged_in(new_fact_checker()).get("/api/v1/claims/", {"cursor": forged})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("evidence", [2**63, 10**25])
def test_a_draft_relying_on_evidence_past_the_id_range_is_a_400(evidence):
    ticket = ticket_in(Stage.RESEARCHING)
    client = logged_in(new_editor())

    response = act(
        client,
        ticket,
        "save_draft",
        rating="false",
        summary="The figure is wrong.",
        explanation="The report gives another.",
        evidence=[evidence],
    )

    assert response.status_code == 400
    assert "evidence" in response.json()["error"]["fields"]


def test_a_claim_says_which_actions_its_viewer_may_take():
    ticket = ticket_in(Stage.APPROVED)

    as_checker = logged_in(new_fact_checker()).get(f"/api/v1/claims/{ticket.claim_id}/").json()
    as_editor = logged_in(new_editor()).get(f"/api/v1/claims/{ticket.claim_id}/").json()

    assert "publish" not in as_checker["allowed_actions"]
    assert {"publish", "request_changes"} <= set(as_editor["allowed_actions"])
    assert as_editor["draft"]["revision"] == 1


def test_a_claim_goes_from_new_to_published_through_the_api():
    checker, editor, editor2 = new_fact_checker(), new_editor(), new_editor()
    ticket = ticket_in(Stage.NEW)
    as_checker, as_editor, as_editor2 = logged_in(checker), logged_in(editor), logged_in(editor2)

    steps = [
        (as_checker, "queue", {}),
        (as_checker, "take", {}),
        (
            as_checker,
            "save_draft",
            {
                "rating": "false",
                "summary": "It was 2.1 million dollars.",
                "short_claim": "Council spent 4 million dollars on the bridge",
                "explanation": "The council's accounts say so.",
            },
        ),
        (as_checker, "submit", {}),
        (as_editor2, "vote", {"approve": True}),
        (as_editor, "publish", {}),
    ]
    for client, action, params in steps:
        response = act(client, ticket, action, **params)
        assert response.status_code == 200, (action, response.content)

    assert response.json()["ticket"]["stage"] == "published"
    public = APIClient().get("/api/v1/verdicts/").json()["results"]
    assert [row["summary"] for row in public] == ["It was 2.1 million dollars."]
    assert Event.objects.filter(ticket=ticket, action="publish", actor=editor).exists()


def test_a_stale_version_is_a_409_and_changes_nothing():
    ticket = ticket_in(Stage.NEW)
    client = logged_in(new_fact_checker())

    response = client.post(
        f"/api/v1/claims/{ticket.claim_id}/transitions/",
        {"action": "queue", "expected_version": 7},
        format="json",
    )

    assert response.status_code == 409
    assert "Someone else changed this ticket" in response.json()["error"]["message"]
    assert Ticket.objects.get(pk=ticket.pk).stage == Stage.NEW


def test_an_action_the_stage_does_not_allow_is_a_409_with_the_reason():
    ticket = ticket_in(Stage.NEW)

    response = act(logged_in(new_editor()), ticket, "publish")

    assert response.status_code == 409
    assert response.json()["error"]["message"].startswith("Cannot publish this verdict")


def test_an_action_beyond_the_role_is_a_403():
    ticket = ticket_in(Stage.PUBLISHED)

    response = act(logged_in(new_fact_checker()), ticket, "retract", reason="Forged.")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_allowed"


@pytest.mark.parametrize(
    ("stage", "action", "missing"),
    [
        (Stage.NEW, "dismiss", "reason"),
        (Stage.QUEUED, "assign", "assignee"),
        (Stage.RESEARCHING, "save_draft", "rating"),
        (Stage.IN_REVIEW, "request_changes", "note"),
        (Stage.PUBLISHED, "retract", "reason"),
    ],
)
def test_an_action_without_its_parameters_is_a_400(stage, action, missing):
    ticket = ticket_in(stage)

    response = act(logged_in(new_editor()), ticket, action)

    assert response.status_code == 400
    assert missing in response.json()["error"]["fields"]


def test_an_unknown_action_is_a_400():
    response = act(logged_in(new_editor()), ticket_in(Stage.NEW), "approve_everything")

    assert response.status_code == 400
    assert "action" in response.json()["error"]["fields"]


def test_an_editor_assigns_by_username_and_can_dismiss_with_a_reason():
    checker = new_fact_checker(username="maria")
    assigned, dismissed = ticket_in(Stage.QUEUED), ticket_in(Stage.NEW)
    editor = logged_in(new_editor())

    assert act(editor, assigned, "assign", assignee="maria").status_code == 200
    assert act(editor, dismissed, "dismiss", reason="opinion").status_code == 200

    assert Ticket.objects.get(pk=assigned.pk).assignee == checker
    assert Ticket.objects.get(pk=dismissed.pk).stage == Stage.DISMISSED


class TestCitations:
    def test_a_fact_checker_cites_a_url_for_a_claim(self):
        claim = ClaimFactory()
        client = logged_in(new_fact_checker())

        response = client.post(
            f"/api/v1/claims/{claim.pk}/citations/",
            {"url": "https://ledger.example/audit?utm_source=x"},
            format="json",
        )

        assert response.status_code == 201, response.content
        assert response.json()["normalized_url"] == "https://ledger.example/audit"
        assert Citation.objects.get().claim == claim

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("not a url", "cannot be cited"),
            ("ftp://files.example/x", "cannot be cited"),
            ("http://127.0.0.1/admin/", "127.0.0.1"),
            ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
            ("http://localhost:8000/", "localhost"),
            ("http://[::1]/", "::1"),
            ("http://exa mple.com/", "not a valid address"),
            ("http://exa\u3000mple.com/", "not a valid address"),
        ],
    )
    def test_a_bad_or_blocked_url_is_a_400_with_the_reason(self, url, reason):
        claim = ClaimFactory()

        response = logged_in(new_fact_checker()).post(
            f"/api/v1/claims/{claim.pk}/citations/", {"url": url}, format="json"
        )

        assert response.status_code == 400
        assert reason in response.json()["error"]["message"]
        assert not Citation.objects.exists()

    def test_citing_the_same_source_twice_is_a_400(self):
        claim = ClaimFactory()
        client = logged_in(new_fact_checker())
        url = f"/api/v1/claims/{claim.pk}/citations/"
        client.post(url, {"url": "https://ledger.example/a"}, format="json")

        response = client.post(url, {"url": "https://ledger.example/a"}, format="json")

        assert response.status_code == 400
        assert "already cites" in response.json()["error"]["message"]


def test_an_unknown_claim_is_a_404():
    response = logged_in(new_editor()).get("/api/v1/claims/99999999/")

    assert response.status_code == 404


def test_a_vote_approves_and_sending_back_is_request_changes():
    ticket = ticket_in(Stage.IN_REVIEW)
    editor = new_editor()
    client = logged_in(editor)

    refused = act(client, ticket, "vote", approve=False, note="No.")
    assert refused.status_code == 400
    assert "request_changes" in str(refused.json()["error"]["fields"]["approve"])
    ticket.refresh_from_db()
    assert ticket.stage == Stage.IN_REVIEW

    sent_back = act(client, ticket, "request_changes", note="Cite the audit.")
    assert sent_back.status_code == 200
    ticket.refresh_from_db()
    assert ticket.stage == Stage.CHANGES_REQUESTED
    event = Event.objects.filter(ticket=ticket).latest("id")
    assert (event.action, event.data.get("voted_against")) == ("request_changes", True)


def test_the_desks_answers_are_never_kept_by_a_shared_or_browser_cache():
    draft = ticket_in(Stage.IN_REVIEW)
    client = logged_in(new_editor())

    for url in (
        "/api/v1/claims/",
        f"/api/v1/claims/{draft.claim_id}/",
        f"/api/v1/claims/{draft.claim_id}/matches/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        control = response["Cache-Control"]
        assert "private" in control and "no-store" in control, url
