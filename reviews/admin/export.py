"""Write audit events as CSV, for a desk's annual transparency assessment."""

import csv
import json

from django.http import StreamingHttpResponse
from django.utils import timezone

from reviews.models import Event
from reviews.spreadsheet import spreadsheet_cell

HEADER = [
    "event",
    "at",
    "ticket",
    "claim",
    "claim text",
    "article",
    "actor",
    "action",
    "from",
    "to",
    "note",
    "details",
]


class _Echo:
    def write(self, value):
        return value


def event_row(event: Event) -> list[str]:
    """Return the CSV row of one event (with its ticket, claim, article and actor loaded)."""
    claim = event.ticket.claim
    return [
        spreadsheet_cell(v)
        for v in [
            event.pk,
            timezone.localtime(event.created_at).isoformat(),
            event.ticket_id,
            claim.pk,
            claim.text,
            claim.article.title,
            event.actor.get_username() if event.actor else "(the desk)",
            event.get_action_display(),
            event.get_from_stage_display(),
            event.get_to_stage_display(),
            event.note,
            json.dumps(event.data, ensure_ascii=False, sort_keys=True) if event.data else "",
        ]
    ]


def events_csv_response(events, *, filename: str) -> StreamingHttpResponse:
    """Stream `events` as a CSV download, a chunk of rows at a time."""
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(HEADER)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(event_row(event))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
