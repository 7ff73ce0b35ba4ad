"""The desk's claim endpoints read in a number of queries that does not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.models import Citation
from reviews.models import Verdict
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


def test_a_claims_detail_costs_the_same_however_much_it_cites_and_pins():
    client = editor_client()
    small = ticket_in(Stage.PUBLISHED)
    with_evidence(Verdict.objects.get(ticket=small))
    large = ticket_in(Stage.PUBLISHED)
    verdict = Verdict.objects.get(ticket=large)
    for _ in range(8):
        evidence = with_evidence(verdict)
        Citation.objects.create(claim=large.claim, source=evidence.source, href=evidence.source.url)

    before = queries(client, f"/api/v1/claims/{small.claim_id}/")
    after = queries(client, f"/api/v1/claims/{large.claim_id}/")

    detail = client.get(f"/api/v1/claims/{large.claim_id}/").json()
    assert len(detail["citations"]) == 8
    assert len(detail["evidence"]) == 8
    assert {"retract", "open_correction"} <= set(detail["allowed_actions"])
    assert after == before
    # One Facts per request: the rules read the votes, authors and correction once each.
    assert after <= 12, after
