"""Declare each desk action once: its transition, words, admin form, API input and service.

The admin's ticket page and bulk actions, the API's transitions endpoint and its schema, the
rules and the tests iterate over ACTIONS, in the spirit of Wagtail's Task.get_actions,
get_form_for_action and on_action. Adding an action means adding its transition in
reviews/workflow.py, its service in reviews/services/ and one entry here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from reviews import forms, rules
from reviews.api import action_inputs as inputs
from reviews.errors import ReviewError
from reviews.models import Ticket


@dataclass(frozen=True)
class Action:
    """One desk action: what it is called, what it runs, and how each interface offers it."""

    # The one name of the act: admin posts, API requests, audit events and tests use it.
    name: str
    # Completes "Only editors can …" and "Cannot …: the ticket is …".
    verb: str
    # The button on the ticket page.
    label: str
    # What the ticket page says once it is done.
    done: str
    # The admin's form; its arguments() are the service's keyword arguments.
    form: type[forms.ActionFormBase]
    # The API's input; its arguments() are the service's keyword arguments.
    api_input: type[inputs.ActionInput]
    # The function in reviews.services that performs it.
    service: str
    # What the rules check beyond the stage and the permission (reviews/rules.py).
    check: Callable | None = None
    # The ticket page renders the form with this template rather than as a plain button form.
    admin_template: str | None = None
    # The ticket page shows the form in the verdict's section, under the verdict it edits,
    # rather than at the top with the other actions ("What you can do now").
    beside_verdict: bool = False
    # Takes back what the public sees: the ticket page marks its button as dangerous.
    undoes_publication: bool = False
    # The ticket list's bulk action: its wording in the action bar, and how it reads its
    # arguments from the bar (a TicketListActionForm); None when the list does not offer it.
    bulk: str | None = None
    bulk_arguments: Callable | None = None
    # Vouches for the current revision: its form warns when the revision cites no evidence.
    vouches_for_revision: bool = False

    @property
    def transition(self) -> str:
        """Return the declared transition (reviews/workflow.py) that decides stages and role."""
        return self.name

    def perform(self, *, ticket: Ticket, by, expected_version: int | None, arguments: dict):
        """Run the action through its service: the one call every interface makes."""
        # Imported on use: the services check each step against this registry.
        from reviews import services

        run = getattr(services, self.service)
        return run(ticket=ticket, by=by, expected_version=expected_version, **arguments)


def _nothing_more(bar) -> dict:
    return {}


def _reason_chosen(bar) -> dict:
    if not bar.cleaned_data["reason"]:
        raise ReviewError("Choose the reason for dismissing them.")
    return {"reason": bar.cleaned_data["reason"]}


def _assignee_chosen(bar) -> dict:
    if bar.cleaned_data["assignee"] is None:
        raise ReviewError("Choose whom to assign them to.")
    return {"assignee": bar.cleaned_data["assignee"], "due_at": bar.due_at()}


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            name="queue",
            verb="queue this claim",
            label="Queue for research",
            done="Queued for research.",
            form=forms.NoteForm,
            api_input=inputs.NoteInput,
            service="ticket_queue",
            bulk="Queue selected claims for research",
            bulk_arguments=_nothing_more,
        ),
        Action(
            name="dismiss",
            verb="dismiss this claim",
            label="Dismiss",
            done="Dismissed.",
            form=forms.DismissForm,
            api_input=inputs.DismissInput,
            service="ticket_dismiss",
            bulk="Dismiss selected claims (choose a reason)",
            bulk_arguments=_reason_chosen,
        ),
        Action(
            name="reopen",
            verb="reopen this claim",
            label="Reopen",
            done="Reopened: the claim is back in triage.",
            form=forms.NoteForm,
            api_input=inputs.NoteInput,
            service="ticket_reopen",
        ),
        Action(
            name="take",
            verb="take this ticket",
            label="Take it",
            done="The ticket is yours.",
            form=forms.PlainActionForm,
            api_input=inputs.ActionInput,
            service="ticket_take",
            check=rules.check_take,
        ),
        Action(
            name="assign",
            verb="assign this ticket",
            label="Assign",
            done="Assigned.",
            form=forms.AssignForm,
            api_input=inputs.AssignInput,
            service="ticket_assign",
            bulk="Assign selected tickets (choose who)",
            bulk_arguments=_assignee_chosen,
        ),
        Action(
            name="save_draft",
            verb="edit this verdict",
            label="Save draft",
            done="Saved a new revision of the verdict.",
            form=forms.VerdictForm,
            api_input=inputs.SaveDraftInput,
            service="verdict_save_draft",
            check=rules.check_author_or_editor,
            admin_template="admin/reviews/ticket/verdict_form.html",
            beside_verdict=True,
        ),
        Action(
            name="submit",
            verb="submit this verdict for review",
            label="Submit for review",
            done="Submitted for review.",
            form=forms.NoteForm,
            api_input=inputs.NoteInput,
            service="verdict_submit",
            check=rules.check_submit,
        ),
        Action(
            name="vote",
            verb="vote on this verdict",
            label="Approve",
            done="Your approval is on the record.",
            form=forms.VoteForm,
            api_input=inputs.VoteInput,
            service="vote_cast",
            check=rules.check_vote,
            admin_template="admin/reviews/ticket/vote_form.html",
            vouches_for_revision=True,
        ),
        Action(
            # The one way to send a verdict back; in review it also records the editor's
            # dissenting vote on the current revision.
            name="request_changes",
            verb="request changes",
            label="Request changes: send it back",
            done="Sent back with your note.",
            form=forms.RequiredNoteForm,
            api_input=inputs.RequiredNoteInput,
            service="verdict_request_changes",
        ),
        Action(
            name="publish",
            verb="publish this verdict",
            label="Publish",
            done="Published: readers see the verdict now.",
            form=forms.PublishForm,
            api_input=inputs.PublishInput,
            service="verdict_publish",
            check=rules.check_publish,
            vouches_for_revision=True,
        ),
        Action(
            name="open_correction",
            verb="request a correction",
            label="Request correction",
            done="Reopened for a correction; the published verdict stays public meanwhile.",
            form=forms.RequiredNoteForm,
            api_input=inputs.RequiredNoteInput,
            service="correction_open",
        ),
        Action(
            name="retract",
            verb="retract this verdict",
            label="Retract",
            done="Retracted.",
            form=forms.RetractForm,
            api_input=inputs.RetractInput,
            service="verdict_retract",
            undoes_publication=True,
        ),
    ]
}


def require(name: str, *, ticket: Ticket, user, facts: rules.Facts | None = None) -> None:
    """Raise NotAllowed or InvalidTransition unless `user` may take action `name` on `ticket`."""
    rules.require(ACTIONS[name], ticket=ticket, user=user, facts=facts or rules.Facts(ticket))


def allowed_actions(*, ticket: Ticket, user, facts: rules.Facts | None = None) -> list[str]:
    """Return the names of the actions `user` may take on `ticket` now, in the desk's order."""
    facts = facts or rules.Facts(ticket)
    allowed = []
    for action in ACTIONS.values():
        try:
            rules.require(action, ticket=ticket, user=user, facts=facts)
        except ReviewError:
            continue
        allowed.append(action.name)
    return allowed
