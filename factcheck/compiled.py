"""Run hot statements compiled once: the ORM writes their SQL, the server plans it once.

Building and compiling a queryset costs the process a fraction of a millisecond to several
milliseconds (a read with nine annotations), and PostgreSQL as much again to plan it, every
time. Here a statement is built once per shape with stand-in values (an id, a time, a date, a
number, a string, a UUID, a list of them), its SQL and parameters kept, and each later call
sends the same SQL with its own values in the stand-ins' places. On PostgreSQL the statement is
bound server-side, so the connection prepares it and the server plans it once per connection
(DATABASE_PREPARED_STATEMENTS turns that off behind a pooler that cannot keep prepared
statements). The queryset, the update or the model instances stay the one definition of the
statement: nothing here knows what it reads or writes.

A statement is a values() queryset (its rows come back as dicts), an ``Update`` (the number of
rows changed, or the ``returning`` columns of each) or an ``Insert`` (likewise).
"""

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from threading import Lock
from uuid import UUID

from django.db import connections
from django.db.models import AutoField, Model, QuerySet
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery, UpdateQuery

# Stand-ins no real row or request carries: ids beyond any sequence, times and dates in the
# year 1001, numbers near the top of the float range, strings and UUIDs with a marker.
_FIRST_ID = 8_000_000_000_000_000_000
_FIRST_TIME = datetime(1001, 1, 1, tzinfo=UTC)
_FIRST_DAY = date(1001, 1, 1)
_STRING_MARK = "\x1estand-in "
_UUID_MARK = 0x5EED << 112
# The types a stand-in can take, the most specific first (a datetime is also a date).
_KINDS = (datetime, date, bool, int, float, str, UUID)


@dataclass(frozen=True)
class Update:
    """``queryset.update(**values)``, returning the ``returning`` columns of the changed rows."""

    queryset: QuerySet
    values: dict
    returning: tuple[str, ...] = ()


@dataclass(frozen=True)
class Insert:
    """``bulk_create(objs)``, returning the ``returning`` columns of the rows written.

    ``update_conflicts`` names the fields a row that clashes on ``unique_fields`` takes from
    the new one (so its columns are returned too); ``ignore_conflicts`` skips such a row.
    """

    objs: Sequence[Model]
    returning: tuple[str, ...] = ()
    ignore_conflicts: bool = False
    update_conflicts: tuple[str, ...] = ()
    unique_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Slot:
    """Where a call's own value goes among the parameters: an argument (and its item).

    ``wrap`` is the type the backend gave the stand-in (psycopg's Int8 for an id), given to the
    call's value too.
    """

    name: str
    index: int | None = None
    wrap: type | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # constants, _Slots for the call's values, lists of either (an UNNEST)
    names: tuple[str, ...]  # the columns of each row, if it returns rows
    converters: tuple  # (position, converters, expression), as Django applies them
    rowcount: bool  # a write without returning: its result is the count of rows changed


class _LostStandIn(Exception):
    pass


# A shape whose stand-ins do not survive compilation is built anew each time.
_DIRECT = object()
_kept: dict[Hashable, object] = {}
_lock = Lock()


def _kind(value) -> type | None:
    return next((kind for kind in _KINDS if isinstance(value, kind)), None)


def _shape(value) -> Hashable:
    if isinstance(value, list | tuple):
        return ("list", len(value))
    return type(value).__name__ if value is not None else None


def _standins(arguments: dict) -> tuple[dict, dict]:
    """Return a stand-in for each argument, and which slot each stand-in value fills."""
    counter = iter(range(1, 10**6))
    standins, slots = {}, {}

    def one(value, slot):
        n = next(counter)
        kind = _kind(value)
        if kind is datetime:
            standin = _FIRST_TIME + timedelta(microseconds=n)
        elif kind is date:
            standin = _FIRST_DAY + timedelta(days=n)
        elif kind is int:
            standin = _FIRST_ID + n
        elif kind is float:
            # Exactly representable, distinct, and far beyond any score or measure.
            standin = (1.0 + n * 2.0**-40) * 2.0**1000
        elif kind is str:
            standin = f"{_STRING_MARK}{n}\x1f"
        elif kind is UUID:
            standin = UUID(int=_UUID_MARK + n)
        else:
            raise TypeError(f"{slot.name}: no stand-in for {value!r}")
        slots[(kind, standin)] = slot
        return standin

    for name, value in arguments.items():
        if value is None:
            standins[name] = None
        elif isinstance(value, list | tuple):
            standins[name] = [one(item, _Slot(name, i)) for i, item in enumerate(value)]
        else:
            standins[name] = one(value, _Slot(name))
    return standins, slots


def _sql(statement, using: str) -> tuple[str, tuple, tuple[str, ...], tuple, bool]:
    """Return what the ORM would send for ``statement``: SQL, parameters, columns, converters."""
    connection = connections[using]
    if isinstance(statement, QuerySet):
        query = statement.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        # The row's names, in the order Django's own values() reads them.
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
        return sql, params, names, _converters(compiler, fields), False
    if isinstance(statement, Update):
        # As QuerySet.update() does (for a queryset not sliced nor ordered by an annotation).
        if statement.queryset.query.is_sliced:
            raise TypeError("Cannot update a query once a slice has been taken.")
        query = statement.queryset.query.chain(UpdateQuery)
        query.add_update_values(statement.values)
        query.clear_select_clause()
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        model = statement.queryset.model
        returned = [model._meta.get_field(name) for name in statement.returning]
        if returned:
            returning, _ = connection.ops.return_insert_columns(returned)
            sql = f"{sql} {returning}"
        columns = [f.get_col(model._meta.db_table) for f in returned]
        converters = _converters(compiler, columns)
        return sql, params, statement.returning, converters, not returned
    if isinstance(statement, Insert):
        return _insert_sql(statement, using)
    raise TypeError(f"cannot compile {statement!r}")


def _insert_sql(statement: Insert, using: str) -> tuple[str, tuple, tuple[str, ...], tuple, bool]:
    # As QuerySet.bulk_create() does, for one batch of one model.
    objs = list(statement.objs)
    model = type(objs[0])
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated]
    if not any(obj._is_pk_set() for obj in objs):
        fields = [f for f in fields if not isinstance(f, AutoField)]
    on_conflict = (
        OnConflict.IGNORE
        if statement.ignore_conflicts
        else OnConflict.UPDATE
        if statement.update_conflicts
        else None
    )
    query = InsertQuery(
        model,
        on_conflict=on_conflict,
        update_fields=[opts.get_field(name) for name in statement.update_conflicts],
        unique_fields=[opts.get_field(name) for name in statement.unique_fields],
    )
    query.insert_values(fields, objs, raw=False)
    compiler = query.get_compiler(using)
    returned = [opts.get_field(name) for name in statement.returning]
    compiler.returning_fields = returned or None
    statements = compiler.as_sql()
    if len(statements) != 1:
        raise _LostStandIn("the backend inserts these rows in several statements")
    ((sql, params),) = statements
    converters = _converters(compiler, [f.get_col(opts.db_table) for f in returned])
    return sql, params, statement.returning, converters, not returned


def _converters(compiler, expressions) -> tuple:
    return tuple(
        (position, convs, expression)
        for position, (convs, expression) in compiler.get_converters(expressions).items()
    )


def _place(param, slots: dict):
    """Return the slot a stand-in parameter fills, or the constant (a list item by item)."""
    if isinstance(param, list):
        return [_place(item, slots) for item in param]
    kind = _kind(param)
    slot = slots.get((kind, param))
    if slot is None:
        if isinstance(param, str) and (param.startswith("1001-") or _STRING_MARK in param):
            # A stand-in the ORM rewrote on the way (a time as text, a string in a pattern).
            raise _LostStandIn(param)
        return param
    wrap = type(param) if type(param) is not kind else None
    return _Slot(slot.name, slot.index, wrap)


def _slots_in(params) -> set:
    found = set()
    for param in params:
        if isinstance(param, list):
            found |= _slots_in(param)
        elif isinstance(param, _Slot):
            found.add(param)
    return found


def _compile(build: Callable, arguments: dict, using: str) -> _Compiled:
    standins, slots = _standins(arguments)
    sql, params, names, converters, rowcount = _sql(build(**standins), using)
    placed = tuple(_place(p, slots) for p in params)
    missing = set(slots.values()) - _slots_in(placed)
    if missing:
        # A stand-in the ORM changed on the way (or dropped) cannot be replaced safely.
        raise _LostStandIn(sorted(map(str, missing)))
    return _Compiled(sql, placed, names, converters, rowcount)


def _fill(param, arguments: dict):
    if isinstance(param, list):
        return [_fill(item, arguments) for item in param]
    if not isinstance(param, _Slot):
        return param
    value = arguments[param.name]
    if param.index is not None:
        value = value[param.index]
    return param.wrap(value) if param.wrap is not None else value


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


def _prepared(key: Hashable, build: Callable, using: str, arguments: dict):
    """Return the statement's compiled form (or _DIRECT) and this call's parameters."""
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
    return compiled, [_fill(p, arguments) for p in compiled.params]


def _result(compiled: _Compiled, cursor, connection):
    if compiled.rowcount:
        return cursor.rowcount
    rows = cursor.fetchall()
    names = compiled.names
    if compiled.converters:
        rows = [list(row) for row in rows]
        for row in rows:
            for position, convs, expression in compiled.converters:
                for convert in convs:
                    row[position] = convert(row[position], expression, connection)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _direct(build: Callable, arguments: dict, using: str):
    """Run the statement the ORM's usual way: built, compiled and sent with these values."""
    statement = build(**arguments)
    if isinstance(statement, QuerySet):
        return list(statement)
    connection = connections[using]
    sql, params, names, converters, rowcount = _sql(statement, using)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _result(_Compiled(sql, params, names, converters, rowcount), cursor, connection)


def run_compiled(key: Hashable, build: Callable, *, using: str = "default", **arguments):
    """Return the result of the statement ``build(**arguments)``, compiled once per shape.

    ``key`` names the statement; together with which arguments are None and each list's length
    it must determine the SQL (a LIMIT, which filters apply, how many rows an insert writes),
    since the values themselves are bound per call. Arguments are ids, numbers, strings, UUIDs,
    aware times, dates, or lists of them. A values() queryset returns its rows as dicts; an
    Update or an Insert the count of rows it wrote, or their ``returning`` columns as dicts.
    """
    (result,) = run_compiled_together([(key, build, arguments)], using=using)
    return result


def run_compiled_together(statements: list[tuple], *, using: str = "default") -> list:
    """Return the result of each (key, build, arguments) statement, as `run_compiled` would.

    They run in order; on PostgreSQL they are sent in one pipeline: one round trip for all of
    them (in a transaction, the first one's BEGIN too).
    """
    connection = connections[using]
    prepared = [_prepared(key, build, using, arguments) for key, build, arguments in statements]
    direct = any(compiled is _DIRECT for compiled, _ in prepared)
    pipelined = len(statements) > 1 and not direct and _pipelines(connection)
    cursors = []
    try:
        if pipelined:
            connection.ensure_connection()
            # A failure shows when the pipeline ends: raise it as Django's error, as execute does.
            with connection.wrap_database_errors, connection.connection.pipeline():
                for compiled, params in prepared:
                    cursors.append(_cursor(connection))
                    cursors[-1].execute(compiled.sql, params)
            # Leaving the pipeline received every result: reading them sends nothing more.
            return [
                _result(compiled, cursor, connection)
                for (compiled, _), cursor in zip(prepared, cursors, strict=True)
            ]
        found = []
        for (compiled, params), (_, build, arguments) in zip(prepared, statements, strict=True):
            if compiled is _DIRECT:
                found.append(_direct(build, arguments, using))
                continue
            cursors.append(_cursor(connection))
            cursors[-1].execute(compiled.sql, params)
            found.append(_result(compiled, cursors[-1], connection))
        return found
    finally:
        for cursor in cursors:
            cursor.close()


def values_compiled(
    key: Hashable, build: Callable[..., QuerySet], *, using: str = "default", **arguments
) -> list[dict]:
    """Return the rows of `build(**arguments)` (a values() queryset), compiled once per shape.

    See `run_compiled` for what determines a shape and what the arguments may be.
    """
    return run_compiled(key, build, using=using, **arguments)


def values_compiled_together(reads: list[tuple], *, using: str = "default") -> list[list[dict]]:
    """Return the rows of each (key, build, arguments) read, as `values_compiled` would.

    On PostgreSQL the reads are sent in one pipeline: one round trip for all of them.
    """
    return run_compiled_together(reads, using=using)
