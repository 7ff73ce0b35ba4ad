"""The review desk's services: every write by the admin, the API and the jobs goes through here."""

from reviews.services.attachments import evidence_attach, evidence_detach
from reviews.services.discussion import comment_add
from reviews.services.intake import article_receive
from reviews.services.publication import (
    correction_open,
    rating_save,
    verdict_publish,
    verdict_retract,
    verdicts_publish_due,
)
from reviews.services.record import (
    evidence_pin,
    evidence_pin_span,
    evidence_unpin,
    source_refetch,
)
from reviews.services.tagging import ticket_set_tags
from reviews.services.tickets import (
    ticket_assign,
    ticket_dismiss,
    ticket_queue,
    ticket_reopen,
    ticket_take,
    tickets_open,
)
from reviews.services.verdicts import (
    verdict_request_changes,
    verdict_save_draft,
    verdict_submit,
    vote_cast,
)
from reviews.services.webhooks import subscription_resume

__all__ = [
    "article_receive",
    "comment_add",
    "correction_open",
    "evidence_attach",
    "evidence_detach",
    "evidence_pin",
    "evidence_pin_span",
    "evidence_unpin",
    "rating_save",
    "source_refetch",
    "subscription_resume",
    "ticket_assign",
    "ticket_dismiss",
    "ticket_queue",
    "ticket_reopen",
    "ticket_set_tags",
    "ticket_take",
    "tickets_open",
    "verdict_publish",
    "verdict_request_changes",
    "verdict_retract",
    "verdict_save_draft",
    "verdict_submit",
    "verdicts_publish_due",
    "vote_cast",
]
