"""Call each workflow service with valid arguments, so matrix tests can try every action."""

from datetime import timedelta

from django.utils import timezone

from reviews import services
from tests.reviews.factories import new_fact_checker, rating


def _assign(ticket, by):
    return services.ticket_assign(
        ticket=ticket,
        by=by,
        assignee=new_fact_checker(),
        due_at=timezone.now() + timedelta(days=3),
    )


def _save_draft(ticket, by):
    return services.verdict_save_draft(
        ticket=ticket,
        by=by,
        rating=rating("half-true"),
        summary="The figure is right, the year is not.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="The accounts show the sum was spent in 2022, not 2023.",
    )


ACT = {
    "queue": lambda t, u: services.ticket_queue(ticket=t, by=u),
    "dismiss": lambda t, u: services.ticket_dismiss(ticket=t, by=u, reason="duplicate"),
    "reopen": lambda t, u: services.ticket_reopen(ticket=t, by=u),
    "take": lambda t, u: services.ticket_take(ticket=t, by=u),
    "assign": _assign,
    "save_draft": _save_draft,
    "submit": lambda t, u: services.verdict_submit(ticket=t, by=u),
    "vote": lambda t, u: services.vote_cast(ticket=t, by=u, approve=True),
    "request_changes": lambda t, u: services.verdict_request_changes(
        ticket=t, by=u, note="Cite the 2023 accounts."
    ),
    "publish": lambda t, u: services.verdict_publish(
        ticket=t, by=u, correction_note="We first gave the wrong year."
    ),
    "open_correction": lambda t, u: services.correction_open(
        ticket=t, by=u, note="A reader sent the 2022 accounts."
    ),
    "retract": lambda t, u: services.verdict_retract(
        ticket=t, by=u, reason="The accounts we relied on were forged."
    ),
}
