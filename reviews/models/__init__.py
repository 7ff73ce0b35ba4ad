"""Store what the desk decided: tickets, verdicts, revisions, votes, corrections, events."""

from reviews.models.api import (
    ClientKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from reviews.models.matches import ClaimMatch, ExternalRatingMap, MatchRun
from reviews.models.tickets import Event, Notification, Ticket
from reviews.models.verdicts import Correction, Rating, Verdict, VerdictRevision, Vote

__all__ = [
    "ClaimMatch",
    "ClientKey",
    "Correction",
    "Event",
    "ExternalRatingMap",
    "MatchRun",
    "Notification",
    "Rating",
    "Ticket",
    "Verdict",
    "VerdictRevision",
    "Vote",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEvent",
    "WebhookSubscription",
]
