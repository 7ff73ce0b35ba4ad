"""Run the public API's hot reads compiled once: the ORM writes their SQL, the server plans it once.

Building and compiling a queryset with nine annotations costs the web process several
milliseconds, and PostgreSQL as much again to plan it, on every request. Here a read is built
once per shape with stand-in values (a time, an id, a list of ids), its SQL and parameters kept,
and each later request sends the same SQL with its own values in the stand-ins' places. On
PostgreSQL the statement is bound server-side, so the connection prepares it and the server plans
it once per connection (DATABASE_PREPARED_STATEMENTS turns that off behind a pooler that cannot
keep prepared statements). The queryset stays the one definition of the read: nothing here knows
what it selects.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from threading import Lock

from django.db import connections
from django.db.models import QuerySet

# Stand-ins no real row or request carries: ids beyond any sequence, times in the year 1001.
_FIRST_ID = 8_000_000_000_000_000_000
_FIRST_TIME = datetime(1001, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class _Slot:
    """Where a request's own value goes among the parameters: an argument (and its item)."""

    name: str
    index: int | None = None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # constants, and _Slots for the request's values
    names: tuple[str, ...]
    converters: tuple  # (position, converters, expression), as Django applies them


class _LostStandIn(Exception):
    pass


# A shape whose stand-ins do not survive compilation is run through the ORM each time.
_DIRECT = object()
_kept: dict[Hashable, object] = {}
_lock = Lock()


def _shape(value) -> Hashable:
    if isinstance(value, list | tuple):
        return ("list", len(value))
    return type(value).__name__ if value is not None else None


def _standins(arguments: dict) -> tuple[dict, dict]:
    """Return a stand-in for each argument, and which slot each stand-in value fills."""
    counter = iter(range(10**6))
    standins, slots = {}, {}

    def one(value, slot):
        n = next(counter)
        if isinstance(value, datetime):
            standin = _FIRST_TIME + timedelta(microseconds=n)
        elif isinstance(value, int) and not isinstance(value, bool):
            standin = _FIRST_ID + n
        else:
            raise TypeError(f"{slot.name}: only ids and times can be stand-ins, not {value!r}")
        slots[(type(standin), standin)] = slot
        return standin

    for name, value in arguments.items():
        if value is None:
            standins[name] = None
        elif isinstance(value, list | tuple):
            standins[name] = [one(item, _Slot(name, i)) for i, item in enumerate(value)]
        else:
            standins[name] = one(value, _Slot(name))
    return standins, slots


def _compile(build: Callable[..., QuerySet], arguments: dict, using: str) -> _Compiled:
    standins, slots = _standins(arguments)
    queryset = build(**standins)
    query = queryset.query
    compiler = query.get_compiler(using)
    sql, params = compiler.as_sql()
    placed = tuple(slots.get((type(p), p), p) for p in params)
    missing = set(slots.values()) - {p for p in placed if isinstance(p, _Slot)}
    if missing or any(isinstance(p, str) and p.startswith("1001-01-01") for p in placed):
        # A stand-in the ORM changed on the way (or dropped) cannot be replaced safely.
        raise _LostStandIn(sorted(map(str, missing)))
    # The row's names, in the order Django's own values() reads them.
    if query.selected:
        names = tuple(query.selected)
    else:
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = tuple(
        (position, convs, expression)
        for position, (convs, expression) in compiler.get_converters(fields).items()
    )
    return _Compiled(sql=sql, params=placed, names=names, converters=converters)


def _server_binding(connection) -> bool:
    options = connection.settings_dict.get("OPTIONS", {})
    return connection.vendor == "postgresql" and options.get("prepare_threshold") is not None


def _pipelines(connection) -> bool:
    if not _server_binding(connection):
        return False
    from psycopg import Pipeline

    # libpq 14 and later (psycopg's binary wheels bring their own).
    return Pipeline.is_supported()


def _cursor(connection):
    """Return a cursor that binds parameters on the server (so the statement is prepared)."""
    if not _server_binding(connection):
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = ServerBindingCursor(connection.connection)
    # Wrapped as Django wraps its own, so query logging and execute_wrappers see it.
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def _prepared(key: Hashable, build: Callable[..., QuerySet], using: str, arguments: dict):
    """Return the read's compiled form (or _DIRECT) and this request's parameters."""
    shape = (key, using, tuple((name, _shape(value)) for name, value in arguments.items()))
    compiled = _kept.get(shape)
    if compiled is None:
        try:
            compiled = _compile(build, arguments, using)
        except _LostStandIn:
            # A backend that rewrites parameters (SQLite writes times as text): no shortcut.
            compiled = _DIRECT
        with _lock:
            _kept[shape] = compiled
    if compiled is _DIRECT:
        return compiled, None
    params = [
        (
            p
            if not isinstance(p, _Slot)
            else arguments[p.name]
            if p.index is None
            else arguments[p.name][p.index]
        )
        for p in compiled.params
    ]
    return compiled, params


def _rows(compiled: _Compiled, rows: list, connection) -> list[dict]:
    names = compiled.names
    if compiled.converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for position, convs, expression in compiled.converters:
                for convert in convs:
                    row[position] = convert(row[position], expression, connection)
    return [dict(zip(names, row, strict=True)) for row in rows]


def values_compiled(
    key: Hashable, build: Callable[..., QuerySet], *, using: str = "default", **arguments
) -> list[dict]:
    """Return the rows of `build(**arguments)` (a values() queryset), compiled once per shape.

    `key` names the read; together with which arguments are None and each list's length it
    must determine the SQL (a LIMIT, which filters apply), since the values themselves are
    bound per request. Arguments are ids, aware times, or lists of ids.
    """
    (rows,) = values_compiled_together([(key, build, arguments)], using=using)
    return rows


def values_compiled_together(reads: list[tuple], *, using: str = "default") -> list[list[dict]]:
    """Return the rows of each (key, build, arguments) read, as `values_compiled` would.

    On PostgreSQL the reads are sent in one pipeline: one round trip for all of them.
    """
    connection = connections[using]
    prepared = [_prepared(key, build, using, arguments) for key, build, arguments in reads]
    direct = any(compiled is _DIRECT for compiled, _ in prepared)
    pipelined = len(reads) > 1 and not direct and _pipelines(connection)
    cursors = []
    try:
        if pipelined:
            connection.ensure_connection()
            # A failure shows when the pipeline ends: raise it as Django's error, as execute does.
            with connection.wrap_database_errors, connection.connection.pipeline():
                for compiled, params in prepared:
                    cursors.append(_cursor(connection))
                    cursors[-1].execute(compiled.sql, params)
            # Leaving the pipeline received every result: fetching sends nothing more.
            found = [cursor.fetchall() for cursor in cursors]
        else:
            found = []
            for (compiled, params), (_, build, arguments) in zip(prepared, reads, strict=True):
                if compiled is _DIRECT:
                    found.append(list(build(**arguments)))
                    continue
                cursors.append(_cursor(connection))
                cursors[-1].execute(compiled.sql, params)
                found.append(cursors[-1].fetchall())
    finally:
        for cursor in cursors:
            cursor.close()
    return [
        rows if compiled is _DIRECT else _rows(compiled, rows, connection)
        for (compiled, _), rows in zip(prepared, found, strict=True)
    ]
