"""Discuss a ticket: comments that notify the people they @mention, and private notes."""

import re

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from reviews.errors import NotAllowed, ReviewError
from reviews.models import Comment, Event, Notification, Ticket
from reviews.models.discussion import PRIVATE_NOTES
from reviews.services import notifications

COMMENT_MAX = 5000
# "@name" at the start or after a space or bracket; an e-mail address is not a mention.
_MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*\w)")


def mentioned_usernames(body: str) -> list[str]:
    """Return the usernames `body` names with @username, each once, in order."""
    return list(dict.fromkeys(_MENTION.findall(body)))


def comment_add(*, ticket: Ticket, by, body: str, private: bool = False) -> Comment:
    """Add a comment to the ticket's discussion and notify the people it @mentions.

    Anyone on the desk who reads the ticket may comment; only editors write (and read) private
    notes, and a private note may mention only people who can read it. The audit trail records
    that a comment was written, never its text.
    """
    if by is None or not by.has_perm("reviews.add_comment"):
        raise NotAllowed("You cannot comment on tickets: ask an editor for a desk role.")
    if private and not by.has_perm(PRIVATE_NOTES):
        raise NotAllowed("Only editors write private notes; post it as a comment instead.")
    body = (body or "").strip()
    if not body:
        raise ReviewError("Write something before posting.")
    if len(body) > COMMENT_MAX:
        raise ReviewError(f"Keep a comment to {COMMENT_MAX} characters (it has {len(body)}).")
    mentioned = _mentioned_people(body, private=private)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        comment = Comment.objects.create(ticket=locked, author=by, body=body, private=private)
        comment.mentions.set(mentioned)
        event = Event.objects.create(
            ticket=locked,
            actor=by,
            action="comment",
            from_stage=locked.stage,
            to_stage=locked.stage,
            data={
                "comment": comment.pk,
                "mentions": [u.get_username() for u in mentioned],
                # Read by selectors.events_visible_to: the note's event is as private as it.
                **({"private": True} if private else {}),
            },
        )
        notifications.notify(
            event=event, kind=Notification.Kind.MENTIONED, recipients=mentioned, exclude=by
        )
    return comment


def _mentioned_people(body: str, *, private: bool) -> list:
    """Return the desk members `body` mentions; refuse a name nobody on the desk has."""
    names = mentioned_usernames(body)
    if not names:
        return []
    users = get_user_model()
    named = Q()
    for name in names:
        named |= Q(**{f"{users.USERNAME_FIELD}__iexact": name})
    found = {
        user.get_username().lower(): user for user in users.objects.filter(named, is_active=True)
    }
    people = []
    for name in names:
        user = found.get(name.lower())
        if user is None or not user.has_perm("reviews.view_ticket"):
            raise ReviewError(
                f"No one on the desk is called @{name}: check the spelling, or write the name "
                "without the @."
            )
        if private and not user.has_perm(PRIVATE_NOTES):
            raise ReviewError(
                f"@{name} cannot read private notes: mention them in a comment instead."
            )
        people.append(user)
    return people
