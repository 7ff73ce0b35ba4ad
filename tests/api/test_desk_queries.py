"""The desk's claim endpoints read in a number of queries that does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.models import Citation
from reviews.models import Verdict, Vote
from reviews.workflow import Stage
from tests.api.verdicts import with_evidence
from tests.reviews.factories import new_editor, ticket_in

pytestmark = pytest.mark.django_db


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured)


def editor_client() -> APIClient:
    client = APIClient()
    client.force_login(new_editor())
    # The first request also loads the session and the editor's permissions; measure the rest.
    client.get("/api/v1/claims/")
    return client


def test_the_claim_list_costs_the_same_for_1_and_50_claims():
    client = editor_client()
    ticket_in(Stage.IN_REVIEW)
    one = queries(client, "/api/v1/claims/")

    for stage in [Stage.NEW, Stage.RESEARCHING, Stage.PUBLISHED, Stage.CORRECTING] * 12 + [
        Stage.APPROVED
    ]:
        ticket_in(stage)
    fifty = queries(client, "/api/v1/claims/")

    assert len(client.get("/api/v1/claims/", {"page_size": 50}).json()["results"]) == 50
    assert fifty == one


def claim_in_review(*, votes: int, sources: int):
    """Return a ticket in review with `votes` approvals so far and `sources` pinned sources."""
    ticket = ticket_in(Stage.IN_REVIEW)
    verdict = Verdict.objects.get(ticket=ticket)
    verdict.published_revision = verdict.current_revision
    for _ in range(sources):
        evidence = with_evidence(verdict)
        Citation.objects.create(
            claim=ticket.claim, source=evidence.source, href=evidence.source.url
        )
    for _ in range(votes):
        Vote.objects.create(revision=verdict.current_revision, editor=new_editor(), approve=True)
    return ticket


def test_a_claims_detail_costs_the_same_however_much_it_cites_pins_and_collects_votes(settings):
    # The rules read the votes, the authors and the correction: in review they all apply.
    settings.REVIEW_APPROVALS_REQUIRED = 5
    client = editor_client()
    small = claim_in_review(votes=0, sources=0)
    large = claim_in_review(votes=3, sources=8)

    before = queries(client, f"/api/v1/claims/{small.claim_id}/")
    after = queries(client, f"/api/v1/claims/{large.claim_id}/")

    detail = client.get(f"/api/v1/claims/{large.claim_id}/").json()
    assert len(detail["citations"]) == 8
    assert len(detail["evidence"]) == 8
    assert {"vote", "request_changes", "save_draft"} <= set(detail["allowed_actions"])
    assert after == before
    # One Facts per request: each rule's reads happen once, not once per action.
    assert after <= 10, after
