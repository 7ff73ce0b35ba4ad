"""Register the review desk in the admin: the ticket list and page, and the desk's records."""

from reviews.admin.records import EventAdmin, NotificationAdmin, RatingAdmin
from reviews.admin.tickets import TicketAdmin

__all__ = ["EventAdmin", "NotificationAdmin", "RatingAdmin", "TicketAdmin"]
