"""Page the admin's long lists without counting every row on every page view."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    """Count an unfiltered list over a large PostgreSQL table from the planner's estimate.

    A COUNT(*) reads the whole table (or its index) on every page view: at a million tickets
    that is most of a changelist's time. Over ESTIMATE_ABOVE rows the page count comes from
    pg_class.reltuples (kept by autovacuum's ANALYZE), so the last page may be a little off;
    a filtered or searched list, and any list on another database, is counted exactly.
    """

    # Above this many rows (the planner's estimate) an unfiltered list shows the estimate.
    estimate_above = 10_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet) or not _unfiltered(rows):
            return super().count
        connection = connections[rows.db]
        if connection.vendor != "postgresql":
            return super().count
        table = connection.ops.quote_name(rows.model._meta.db_table)
        # One query either way: PostgreSQL runs the CASE's sub-select (an init plan) only when
        # the estimate is small or missing (-1 before the first ANALYZE). The table name is the
        # model's, quoted.
        sql = (
            "SELECT CASE WHEN c.reltuples > %s THEN c.reltuples::bigint"  # noqa: S608
            f" ELSE (SELECT COUNT(*) FROM {table}) END FROM pg_class c WHERE c.oid = %s::regclass"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.estimate_above, table])
            (estimate,) = cursor.fetchone()
        return int(estimate)


def _unfiltered(rows: QuerySet) -> bool:
    """Return True if `rows` is every row of its table (joins to required rows aside)."""
    query = rows.query
    return not (
        query.where
        or query.distinct
        or query.combinator
        or query.low_mark
        or query.high_mark is not None
        or query.group_by
    )
