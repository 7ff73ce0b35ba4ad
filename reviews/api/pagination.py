"""Page through verdicts by (updated_at, id), so a syncing client never misses or repeats one."""

import base64
import binascii
import json
from datetime import UTC, datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from factcheck.ids import as_id

CURSOR_PARAM = "cursor"
PAGE_SIZE_PARAM = "page_size"


def query_number(request, name: str, *, default: int, low: int, high: int) -> int:
    """Return the query parameter `name` as a whole number from `low` to `high` (or `default`
    if it is absent); anything else is a 400 naming the parameter, never silently the default.

    Only ASCII digits count: int() reads "١" as 1 and str.isdigit() takes "²".
    """
    raw = request.query_params.get(name)
    if raw is None:
        return default
    digits = raw.isascii() and raw.isdigit() and len(raw) <= len(str(high))
    if not digits or not low <= int(raw) <= high:
        raise ValidationError({name: [f"Give a whole number from {low} to {high}."]})
    return int(raw)


def encode_cursor(updated_at: datetime, pk: int) -> str:
    """Return the opaque cursor that resumes just after the row (`updated_at`, `pk`)."""
    raw = json.dumps([updated_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> tuple[datetime, int]:
    """Return the position a cursor names; refuse anything this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        stamp, pk = json.loads(raw)
        when = datetime.fromisoformat(stamp)
        if when.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        if not 0 <= pk < 2**63:
            raise ValueError
        # The database compares in UTC: year 1 at +01:00 or 9999-12-31 at -01:00 has no UTC
        # equivalent, and would fail in the query rather than here.
        when = when.astimezone(UTC)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise ValidationError(
            {CURSOR_PARAM: ["Not a cursor this API handed out; follow the next or resume link."]}
        ) from None
    return when, pk


class SyncPagination(BasePagination):
    """Keyset pagination over a queryset ordered by (updated_at, id).

    Each page says `next` (more rows now) and `resume` (where to poll later, even at the end),
    so a client that follows `next` until it is null, then polls `resume`, sees every change
    exactly once per change. The services serialize the changes the public sees, so updated_at
    order is commit order and a cursor never passes a row still being written.
    """

    def page_size(self, request) -> int:
        return query_number(
            request,
            PAGE_SIZE_PARAM,
            default=settings.API_PAGE_SIZE,
            low=1,
            high=settings.API_MAX_PAGE_SIZE,
        )

    def read_position(self, request) -> tuple[datetime, int] | None:
        """Return (and remember) the position the request's cursor names, if any."""
        raw = request.query_params.get(CURSOR_PARAM)
        self.position = decode_cursor(raw) if raw else None
        return self.position

    @staticmethod
    def after(queryset: QuerySet, when: datetime | None, pk: int | None) -> QuerySet:
        """Return the rows after the position (`when`, `pk`) (all if None), in sync order."""
        if when is not None:
            # The first condition bounds a range scan of the (updated_at, id) index, so a deep
            # page costs what the first does; the second drops the rows at or before the cursor.
            queryset = queryset.filter(updated_at__gte=when).filter(
                Q(updated_at__gt=when) | Q(updated_at=when, pk__gt=pk)
            )
        return queryset.order_by("updated_at", "pk")

    def positioned(self, queryset: QuerySet, request) -> QuerySet:
        """Return the rows from the cursor's position on, in (updated_at, id) order."""
        when, pk = self.read_position(request) or (None, None)
        return self.after(queryset, when, pk)

    def window_size(self, request) -> int:
        """Return how many rows a page reads: one more than it shows, to know if more follow."""
        return self.page_size(request) + 1

    def paginate_queryset(self, queryset, request, view=None):
        """Return a page of `queryset`'s rows: flat rows carrying `updated_at` and `id`."""
        window = self.positioned(queryset, request)[: self.window_size(request)]
        return self.take(list(window), request)

    def take(self, rows: list[dict], request) -> list[dict]:
        """Return the page among a window's rows (read after the cursor), and note what follows."""
        self.request = request
        size = self.page_size(request)
        self.has_next = len(rows) > size
        self.rows = rows[:size]
        return self.rows

    def _link(self, position) -> str:
        url = self.request.build_absolute_uri()
        if position is None:
            return remove_query_param(url, CURSOR_PARAM)
        return replace_query_param(url, CURSOR_PARAM, encode_cursor(*position))

    def get_paginated_response(self, data):
        last = (self.rows[-1]["updated_at"], self.rows[-1]["id"]) if self.rows else self.position
        return Response(
            {
                "next": self._link(last) if self.has_next else None,
                "resume": self._link(last),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "resume", "results"],
            "properties": {
                "next": {**link, "nullable": True, "description": "The next page, if any."},
                "resume": {**link, "description": "Poll this later to get what changed."},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": CURSOR_PARAM,
                "in": "query",
                "required": False,
                "description": "Opaque position from a next or resume link.",
                "schema": {"type": "string"},
            },
            {
                "name": PAGE_SIZE_PARAM,
                "in": "query",
                "required": False,
                "description": f"Rows per page (default {settings.API_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            },
        ]


class StaffPagination(CursorPagination):
    """Page through the desk's claims in id order."""

    ordering = "id"
    page_size = 50
    page_size_query_param = PAGE_SIZE_PARAM
    max_page_size = 200

    def get_page_size(self, request) -> int:
        """Return the page size asked for; DRF's own would fall back to 50 on "abc" or "0" and
        clamp 10000 to 200 silently, so any of those is a 400 naming page_size instead."""
        return query_number(
            request, PAGE_SIZE_PARAM, default=self.page_size, low=1, high=self.max_page_size
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == PAGE_SIZE_PARAM:
                parameter["description"] = f"Rows per page (default {self.page_size})."
                maximum = self.max_page_size
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": maximum}
        return parameters

    def decode_cursor(self, request):
        """Return the cursor's position, refusing one that names no id (DRF's 404, as for any
        cursor this API did not hand out), rather than failing in the query."""
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and as_id(position) is None:
            raise NotFound(self.invalid_cursor_message)
        return cursor
