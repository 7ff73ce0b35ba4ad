"""Pinning a passage as evidence needs the permission, the right claim and a real stance."""

import pytest
from django.contrib.auth.models import Permission

from claims.errors import ClaimsError
from claims.models import Evidence, Passage
from claims.services import evidence_pin, evidence_unpin, source_fetch
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings")]


def user_with(*codenames: str):
    user = UserFactory()
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def passage(server) -> Passage:
    server.route("/report", page(REPORT_HTML))
    claim = bridge_claim()
    source_fetch(source_id=cite(server.url("/report"), claim).pk)
    return Passage.objects.filter(claim=claim).order_by("rank").first()


def test_pinning_again_changes_the_stance_instead_of_duplicating(passage):
    user = user_with("add_evidence")
    evidence_pin(claim=passage.claim, passage=passage, stance="supports", by=user)

    evidence = evidence_pin(claim=passage.claim, passage=passage, stance="context", by=user)

    assert Evidence.objects.get() == evidence
    assert evidence.stance == "context"
    assert evidence.source == passage.snapshot.source and evidence.snapshot == passage.snapshot


def test_a_passage_ranked_for_another_claim_is_refused(passage):
    with pytest.raises(ClaimsError, match="ranked for claim"):
        evidence_pin(
            claim=bridge_claim(), passage=passage, stance="supports", by=user_with("add_evidence")
        )


def test_an_unknown_stance_is_refused(passage):
    with pytest.raises(ClaimsError, match="choose one of supports, contradicts, context"):
        evidence_pin(
            claim=passage.claim, passage=passage, stance="agrees", by=user_with("add_evidence")
        )


def test_pinning_and_unpinning_need_their_permissions(passage):
    with pytest.raises(ClaimsError, match="cannot pin"):
        evidence_pin(claim=passage.claim, passage=passage, stance="supports", by=UserFactory())
    evidence = evidence_pin(
        claim=passage.claim, passage=passage, stance="supports", by=user_with("add_evidence")
    )

    with pytest.raises(ClaimsError, match="cannot unpin"):
        evidence_unpin(evidence=evidence, by=user_with("add_evidence"))
    evidence_unpin(evidence=evidence, by=user_with("delete_evidence"))

    assert not Evidence.objects.exists()
