"""Editors vote on the current revision: never on their own, a panel's majority carries."""

import pytest

from reviews import services
from reviews.errors import InvalidTransition, NotAllowed, ReviewError
from reviews.models import Event, Vote
from reviews.workflow import Stage
from tests.reviews.factories import new_editor, rating, ticket_in


def save_draft(ticket, by, summary="Revised after the editor's note."):
    return services.verdict_save_draft(
        ticket=ticket,
        by=by,
        rating=rating("mostly-false"),
        summary=summary,
        explanation="The 2023 accounts put it at 2.1 million dollars.",
    )


@pytest.fixture
def panel(settings):
    """A PolitiFact-style desk: three voters, two approvals carry."""
    settings.REVIEW_APPROVALS_REQUIRED = 2
    settings.REVIEW_PANEL_SIZE = 3
    return [new_editor(username=f"judge{n}") for n in range(4)]


@pytest.mark.django_db
def test_an_editor_cannot_approve_their_own_verdict(editor):
    ticket = ticket_in(Stage.RESEARCHING, assignee=editor)
    services.verdict_submit(ticket=ticket, by=editor)
    with pytest.raises(NotAllowed, match="another editor must vote"):
        services.vote_cast(ticket=ticket, by=editor, approve=True)
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_an_editor_who_revised_the_draft_cannot_vote_on_it(editor, checker):
    ticket = ticket_in(Stage.IN_REVIEW, assignee=checker)
    save_draft(ticket, editor)
    with pytest.raises(NotAllowed):
        services.vote_cast(ticket=ticket, by=editor, approve=True)


@pytest.mark.django_db
def test_one_approval_publishes_nothing_by_itself_but_approves_on_a_default_desk(editor):
    ticket = ticket_in(Stage.IN_REVIEW)
    vote = services.vote_cast(ticket=ticket, by=editor, approve=True, note="Solid.")
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED
    assert vote.rating == ticket.verdict.current_revision.rating
    assert ticket.verdict.published_revision is None


@pytest.mark.django_db
def test_the_panel_approves_only_on_the_second_approval(panel):
    ticket = ticket_in(Stage.IN_REVIEW)
    services.vote_cast(ticket=ticket, by=panel[0], approve=True)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.IN_REVIEW
    services.vote_cast(ticket=ticket, by=panel[1], approve=True, rating=rating("half-true"))
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED
    votes = Event.objects.filter(ticket=ticket, action="vote").order_by("id")
    assert [(e.to_stage, e.data["approvals"]) for e in votes] == [
        (Stage.IN_REVIEW, 1),
        (Stage.APPROVED, 2),
    ]


@pytest.mark.django_db
def test_dissent_on_the_rating_stays_on_the_record(panel):
    ticket = ticket_in(Stage.IN_REVIEW)
    services.vote_cast(ticket=ticket, by=panel[0], approve=True)
    services.vote_cast(
        ticket=ticket, by=panel[1], approve=True, rating=rating("half-true"), note="Harsh."
    )
    dissent = Vote.objects.get(editor=panel[1])
    assert (dissent.rating.slug, dissent.note) == ("half-true", "Harsh.")


@pytest.mark.django_db
def test_an_edit_after_one_approval_resets_the_count(panel, checker):
    ticket = ticket_in(Stage.IN_REVIEW, assignee=checker)
    services.vote_cast(ticket=ticket, by=panel[0], approve=True)
    revision = save_draft(ticket, checker)
    services.vote_cast(ticket=ticket, by=panel[1], approve=True)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.IN_REVIEW
    assert revision.votes.count() == 1
    # The first judge votes again on the new revision, which then carries.
    services.vote_cast(ticket=ticket, by=panel[0], approve=True)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.APPROVED
    assert Vote.objects.filter(editor=panel[0]).count() == 2
    assert Event.objects.get(ticket=ticket, action="save_draft").data["discarded_votes"] == 1


@pytest.mark.django_db
def test_requesting_changes_in_review_sends_it_back_and_records_the_vote_against(panel):
    ticket = ticket_in(Stage.IN_REVIEW)
    services.vote_cast(ticket=ticket, by=panel[0], approve=True)
    services.verdict_request_changes(ticket=ticket, by=panel[1], note="Cite the accounts.")
    ticket.refresh_from_db()
    assert ticket.stage == Stage.CHANGES_REQUESTED
    event = Event.objects.filter(ticket=ticket).latest("id")
    assert (event.action, event.note, event.to_stage) == (
        "request_changes",
        "Cite the accounts.",
        Stage.CHANGES_REQUESTED,
    )
    against = Vote.objects.get(editor=panel[1])
    assert (against.approve, against.note) == (False, "Cite the accounts.")


@pytest.mark.django_db
def test_an_author_requesting_changes_casts_no_vote(editor):
    ticket = ticket_in(Stage.IN_REVIEW)
    revision = ticket.verdict.current_revision
    revision.author = editor
    revision.save()
    services.verdict_request_changes(ticket=ticket, by=editor, note="Let me redo it.")
    ticket.refresh_from_db()
    assert ticket.stage == Stage.CHANGES_REQUESTED
    assert not Vote.objects.filter(editor=editor).exists()


@pytest.mark.django_db
def test_a_vote_only_approves_and_points_to_request_changes(editor):
    ticket = ticket_in(Stage.IN_REVIEW)
    with pytest.raises(ReviewError, match="request changes with a note"):
        services.vote_cast(ticket=ticket, by=editor, approve=False, note="No.")
    ticket.refresh_from_db()
    assert ticket.stage == Stage.IN_REVIEW
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_there_is_no_separate_reject_transition():
    ticket = ticket_in(Stage.IN_REVIEW)
    names = {t.name for t in ticket.get_all_stage_transitions()}
    assert "reject" not in names
    assert "request_changes" in names


@pytest.mark.django_db
def test_an_editor_votes_once_per_revision(panel):
    ticket = ticket_in(Stage.IN_REVIEW)
    services.vote_cast(ticket=ticket, by=panel[0], approve=True)
    with pytest.raises(InvalidTransition, match="already voted"):
        services.vote_cast(ticket=ticket, by=panel[0], approve=True)


@pytest.mark.django_db
def test_a_full_panel_takes_no_fourth_vote(settings, panel):
    settings.REVIEW_APPROVALS_REQUIRED = 3
    ticket = ticket_in(Stage.IN_REVIEW)
    for judge in panel[:2]:
        services.vote_cast(ticket=ticket, by=judge, approve=True)
    settings.REVIEW_PANEL_SIZE = 2
    with pytest.raises(InvalidTransition, match="panel of 2 has already voted"):
        services.vote_cast(ticket=ticket, by=panel[2], approve=True)


@pytest.mark.django_db
def test_saving_an_unchanged_draft_is_refused_so_votes_are_not_lost(editor, checker):
    ticket = ticket_in(Stage.IN_REVIEW, assignee=checker)
    save_draft(ticket, checker)
    with pytest.raises(InvalidTransition, match="Nothing changed"):
        save_draft(ticket, checker)


@pytest.mark.django_db
def test_every_edit_makes_a_new_revision_and_keeps_the_old_one(checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    first = ticket.verdict.current_revision
    second = save_draft(ticket, checker, summary="Second take.")
    third = save_draft(ticket, checker, summary="Third take.")
    first.refresh_from_db()
    assert [first.number, second.number, third.number] == [1, 2, 3]
    assert first.summary == "The council spent 2.1 million dollars, not 4 million."
    ticket.verdict.refresh_from_db()
    assert ticket.verdict.current_revision == third


@pytest.mark.django_db
def test_submitting_without_a_draft_is_refused(checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker, draft=False)
    with pytest.raises(InvalidTransition, match="Save a draft"):
        services.verdict_submit(ticket=ticket, by=checker)
