"""Say what each audit event recorded in words a desk reads, not the stored keys."""

from datetime import datetime

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from reviews.workflow import DismissReason


def _rating(slug: str) -> str:
    return slug.replace("-", " ").capitalize()


def _quoted(text: str, length: int = 120) -> str:
    return f"“{Truncator(text).chars(length)}”"


def _when(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "DATETIME_FORMAT")


def _reason(value: str) -> str:
    try:
        return str(DismissReason(value).label).lower()
    except ValueError:
        return str(value)


def _file_kind(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "an image"
    if content_type == "application/pdf":
        return "a PDF"
    return "a document"


def event_words(data: dict | None) -> list[str]:
    """Return the details of an event's `data` as short phrases, in a reading order.

    Identifiers only the database needs (evidence, passage, source and snapshot numbers) are
    left out; the rest reads as words: "revision 2", "rated Mostly true", "approval 1 of 2".
    """
    data = data or {}
    words = []
    if data.get("revision") is not None:
        words.append(f"revision {data['revision']}")
    if data.get("approve") is True:
        words.append(f"approval {data.get('approvals', '?')} of {data.get('required', '?')}")
    elif data.get("approve") is False or data.get("voted_against"):
        words.append("voted against")
    if data.get("rating"):
        words.append(f"rated {_rating(data['rating'])}")
    if data.get("summary"):
        words.append(f"summary {_quoted(data['summary'])}")
    if data.get("short_claim"):
        words.append(f"short claim {_quoted(data['short_claim'])}")
    if data.get("first_appearance"):
        words.append(f"first appeared at {data['first_appearance']}")
    if isinstance(data.get("evidence"), list):
        count = len(data["evidence"])
        words.append(
            "relies on no evidence"
            if count == 0
            else f"relies on {count} piece{'s' if count != 1 else ''} of evidence"
        )
    if data.get("discarded_votes"):
        count = data["discarded_votes"]
        words.append(f"{count} earlier vote{'s' if count != 1 else ''} no longer count")
    if data.get("followed_precedent") is True:
        words.append("followed precedent")
    elif data.get("followed_precedent") is False:
        words.append("departed from precedent")
    if data.get("stance"):
        words.append(f"as {data['stance']}")
    if data.get("start") is not None and data.get("end") is not None:
        words.append(f"characters {data['start']}–{data['end']} of the archived text")
    if data.get("quote"):
        words.append(_quoted(data["quote"]))
    if data.get("changed"):
        words.append("changed an earlier pin")
    if data.get("assignee"):
        words.append(f"to {data['assignee']}")
    if data.get("previous"):
        words.append(f"was {data['previous']}'s")
    if data.get("due_at"):
        words.append(f"due {_when(data['due_at'])}")
    if data.get("reason"):
        words.append(f"as {_reason(data['reason'])}")
    if data.get("was"):
        words.append(f"had been dismissed as {_reason(data['was'])}")
    if data.get("duplicate_of"):
        words.append(f"duplicate of #{data['duplicate_of']}")
    if data.get("correction"):
        words.append("with a correction")
    if data.get("mentions"):
        words.append("mentioning " + ", ".join(f"@{name}" for name in data["mentions"]))
    if data.get("added"):
        words.append("tagged " + ", ".join(data["added"]))
    if data.get("removed"):
        words.append("untagged " + ", ".join(data["removed"]))
    if data.get("renamed"):
        words.append(f"renamed the topic {data['renamed']['from']} to {data['renamed']['to']}")
    if data.get("type"):
        words.append(f"{_file_kind(data['type'])} of {filesizeformat(data.get('size') or 0)}")
    if data.get("caption"):
        words.append(_quoted(data["caption"]))
    if data.get("embargo_until"):
        words.append(f"held until {_when(data['embargo_until'])}")
    return words
