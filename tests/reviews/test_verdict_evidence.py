"""A verdict revision records the pinned evidence it relies on, and only its own claim's."""

import pytest

from claims.models import Evidence, Source
from reviews import services
from reviews.errors import ReviewError
from reviews.models import VerdictRevision
from reviews.workflow import Stage
from tests.factories import ClaimFactory
from tests.reviews.factories import rating, ticket_in


def pinned(claim, quote: str) -> Evidence:
    source, _ = Source.objects.get_or_create(
        normalized_url="https://records.example/budget",
        defaults={"url": "https://records.example/budget"},
    )
    return Evidence.objects.create(
        claim=claim, source=source, quote=quote, stance=Evidence.Stance.SUPPORTS
    )


@pytest.mark.django_db
def test_a_revision_keeps_the_evidence_it_was_written_with():
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    first = pinned(ticket.claim, "The ledger shows 4 million dollars.")
    second = pinned(ticket.claim, "The minutes confirm the vote.")
    revision = services.verdict_save_draft(
        ticket=ticket,
        by=ticket.assignee,
        rating=rating("true"),
        summary="Correct.",
        explanation="The ledger and the minutes agree.",
        evidence=[first, second],
    )
    assert {copy.pinned for copy in revision.evidence.all()} == {first, second}
    assert sorted(copy.quote for copy in revision.evidence.all()) == sorted(
        [first.quote, second.quote]
    )


@pytest.mark.django_db
def test_changing_only_the_evidence_makes_a_new_revision_and_leaves_the_old_one_alone():
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    first = pinned(ticket.claim, "The ledger shows 4 million dollars.")
    second = pinned(ticket.claim, "The minutes confirm the vote.")
    kwargs = dict(ticket=ticket, rating=rating("true"), summary="Correct.", explanation="Agreed.")
    r1 = services.verdict_save_draft(by=ticket.assignee, evidence=[first], **kwargs)
    ticket.refresh_from_db()
    r2 = services.verdict_save_draft(by=ticket.assignee, evidence=[first, second], **kwargs)
    assert r2.number == r1.number + 1
    assert [copy.pinned for copy in r1.evidence.all()] == [first]
    assert {copy.pinned for copy in r2.evidence.all()} == {first, second}


@pytest.mark.django_db
def test_a_changed_note_on_the_same_pin_is_a_change_worth_a_revision():
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    first = pinned(ticket.claim, "The ledger shows 4 million dollars.")
    kwargs = dict(ticket=ticket, rating=rating("true"), summary="Correct.", explanation="Agreed.")
    r1 = services.verdict_save_draft(by=ticket.assignee, evidence=[first], **kwargs)
    first.note = "Page 12 of the ledger."
    first.save()
    ticket.refresh_from_db()

    r2 = services.verdict_save_draft(by=ticket.assignee, evidence=[first], **kwargs)

    assert r2.number == r1.number + 1
    assert [c.note for c in r1.evidence.all()] == [""]
    assert [c.note for c in r2.evidence.all()] == ["Page 12 of the ledger."]


@pytest.mark.django_db
def test_evidence_pinned_to_another_claim_is_refused():
    ticket = ticket_in(Stage.RESEARCHING, draft=False)
    elsewhere = pinned(ClaimFactory(), "Unrelated.")
    with pytest.raises(ReviewError, match="another claim"):
        services.verdict_save_draft(
            ticket=ticket,
            by=ticket.assignee,
            rating=rating("true"),
            summary="Correct.",
            explanation="Agreed.",
            evidence=[elsewhere],
        )
    assert not VerdictRevision.objects.filter(verdict__ticket=ticket).exists()
