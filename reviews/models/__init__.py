"""Store what the desk decided: tickets, verdicts, revisions, votes, corrections, events."""

from reviews.models.api import (
    ClientKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from reviews.models.attachments import RevisionAttachment
from reviews.models.discussion import Comment
from reviews.models.intake import Intake
from reviews.models.matches import ClaimMatch, ExternalRatingMap, MatchRun
from reviews.models.tickets import Event, Notification, StageSpell, Ticket
from reviews.models.verdicts import (
    Correction,
    Rating,
    RevisionEvidence,
    RevisionLink,
    Verdict,
    VerdictRevision,
    Vote,
)

__all__ = [
    "ClaimMatch",
    "ClientKey",
    "Comment",
    "Correction",
    "Event",
    "ExternalRatingMap",
    "Intake",
    "MatchRun",
    "Notification",
    "Rating",
    "RevisionAttachment",
    "RevisionEvidence",
    "RevisionLink",
    "StageSpell",
    "Ticket",
    "Verdict",
    "VerdictRevision",
    "Vote",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
