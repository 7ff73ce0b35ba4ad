"""Each role may take exactly the actions the issue's permission matrix gives it."""

import pytest

from reviews.errors import InvalidTransition, NotAllowed
from reviews.models import Event
from reviews.workflow import Stage
from tests.factories import UserFactory
from tests.reviews.actions import ACT
from tests.reviews.factories import new_editor, new_fact_checker, ticket_in

S = Stage
# A stage each action is allowed from, so that only the person decides the outcome.
STAGE_FOR = {
    "queue": S.NEW,
    "dismiss": S.NEW,
    "reopen": S.DISMISSED,
    "take": S.QUEUED,
    "assign": S.QUEUED,
    "save_draft": S.RESEARCHING,
    "submit": S.RESEARCHING,
    "vote": S.IN_REVIEW,
    "request_changes": S.IN_REVIEW,
    "publish": S.APPROVED,
    "open_correction": S.PUBLISHED,
    "retract": S.PUBLISHED,
}
FACT_CHECKER_ACTIONS = {"queue", "dismiss", "reopen", "take", "save_draft", "submit"}
MATRIX = {
    "fact-checker": FACT_CHECKER_ACTIONS,
    "editor": set(STAGE_FOR),
    "api client": set(),
    "anonymous": set(),
}
CASES = [(role, action) for role in MATRIX for action in STAGE_FOR]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action"), CASES, ids=[f"{r}-{a}" for r, a in CASES])
def test_each_role_may_take_exactly_its_actions(role, action, people):
    person = people[role]
    stage = STAGE_FOR[action]
    # A fact-checker works on their own ticket: the matrix gives them their own draft only.
    assignee = person if role == "fact-checker" and stage == S.RESEARCHING else None
    ticket = ticket_in(stage, assignee=assignee)
    if action in MATRIX[role]:
        ACT[action](ticket, person)
        # Every action names its audit event after itself.
        assert Event.objects.filter(ticket=ticket, action=action, actor=person).exists()
    else:
        with pytest.raises(NotAllowed):
            ACT[action](ticket, person)
        ticket.refresh_from_db()
        assert ticket.stage == stage
        assert not Event.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_a_fact_checker_cannot_edit_a_draft_assigned_to_someone_else(checker):
    ticket = ticket_in(S.RESEARCHING, assignee=new_fact_checker())
    with pytest.raises(NotAllowed, match="only the assignee or an editor"):
        ACT["save_draft"](ticket, checker)
    with pytest.raises(NotAllowed, match="only the assignee or an editor"):
        ACT["submit"](ticket, checker)


@pytest.mark.django_db
def test_a_fact_checker_cannot_take_a_ticket_someone_holds(checker):
    ticket = ticket_in(S.QUEUED)
    ACT["take"](ticket, new_fact_checker())
    with pytest.raises(InvalidTransition):
        ACT["take"](ticket, checker)


@pytest.mark.django_db
def test_the_refusal_names_who_may_act(checker):
    with pytest.raises(NotAllowed, match="Only editors can publish this verdict"):
        ACT["publish"](ticket_in(S.APPROVED), checker)


@pytest.mark.django_db
def test_an_inactive_editor_can_do_nothing():
    ticket = ticket_in(S.APPROVED)
    with pytest.raises(NotAllowed):
        ACT["publish"](ticket, new_editor(is_active=False))


@pytest.mark.django_db
def test_a_superuser_may_act_as_an_editor():
    ticket = ticket_in(S.APPROVED)
    ACT["publish"](ticket, UserFactory(username="root", is_superuser=True))
    ticket.refresh_from_db()
    assert ticket.stage == S.PUBLISHED
