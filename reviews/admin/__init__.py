"""Register the review desk in the admin: tickets, the desk's records, the API's clients."""

from reviews.admin.api import ClientKeyAdmin, WebhookDeliveryAdmin, WebhookSubscriptionAdmin
from reviews.admin.intake import IntakeAdmin
from reviews.admin.matching_records import ExternalRatingMapAdmin
from reviews.admin.records import EventAdmin, NotificationAdmin, RatingAdmin
from reviews.admin.tickets import TicketAdmin

__all__ = [
    "ClientKeyAdmin",
    "EventAdmin",
    "ExternalRatingMapAdmin",
    "IntakeAdmin",
    "NotificationAdmin",
    "RatingAdmin",
    "TicketAdmin",
    "WebhookDeliveryAdmin",
    "WebhookSubscriptionAdmin",
]
