"""Measure how long claims took to publish, and spent in each stage, from their stays.

The transition step writes one `StageSpell` per stay of a ticket in a stage, so the time a
claim spent in a stage is one GROUP BY over its spells, never a pass over its whole trail.
The median and the 90th percentile are `stats.quantile` (linear interpolation between closest
ranks): PostgreSQL's `percentile_cont` computes exactly that in the database; on SQLite the
per-claim times come back and `stats.quantile` computes it in Python.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction

from reviews.analytics.stats import Spread, quantile
from reviews.models import StageSpell, Ticket

# The pseudo-stage under which the database returns the time from ingest to publication.
TOTAL = "_total"
MEDIAN, P90 = 0.5, 0.9
# Memory PostgreSQL may use for this one query's sorts and hash tables (a year of 100,000
# events needs a few MB); the setting ends with the transaction.
WORK_MEM = "32MB"


def _epoch(moment: str) -> str:
    """Return SQL for `moment` in seconds on a fixed scale: differences of two are durations."""
    if connection.vendor == "postgresql":
        return f"date_part('epoch', {moment})"
    # SQLite keeps datetimes as text; julianday() reads them as days (to about 20 µs).
    return f"(julianday({moment}) * 86400.0)"


@contextmanager
def _roomy_transaction():
    """On PostgreSQL, let the query sort and group the year's stays in memory, not on disk."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        yield


def spreads(first_publications) -> dict[str, Spread]:
    """Return the spread of time in each stage until first publication, and of the whole.

    `first_publications` is the queryset of the events that first made each verdict public
    (`figures.first_publications`); its SQL becomes the query's first step. A claim's time in a
    stage is the sum of its stays there that began before that publication.
    """
    pub_sql, pub_params = (
        first_publications.order_by().values("ticket_id", "created_at").query.sql_with_params()
    )
    spells, tickets = StageSpell._meta.db_table, Ticket._meta.db_table
    # Every value is a parameter: the f-string adds only this module's constants, table names
    # and Django's compiled SQL for the first publications.
    per_claim = f"""
        WITH pub (ticket_id, published_at) AS ({pub_sql}),
        per_claim (stage, seconds) AS (
            SELECT s.stage,
                   SUM({_epoch("COALESCE(s.left_at, pub.published_at)")}
                       - {_epoch("s.entered_at")})
            FROM {spells} s
            JOIN pub ON pub.ticket_id = s.ticket_id
            WHERE s.entered_at < pub.published_at
            GROUP BY s.ticket_id, s.stage
            UNION ALL
            SELECT '{TOTAL}', {_epoch("pub.published_at")} - {_epoch("t.created_at")}
            FROM pub JOIN {tickets} t ON t.id = pub.ticket_id
        )
    """  # noqa: S608
    if connection.vendor == "postgresql":
        sql = f"""{per_claim}
            SELECT stage, COUNT(*),
                   percentile_cont({MEDIAN}) WITHIN GROUP (ORDER BY seconds),
                   percentile_cont({P90}) WITHIN GROUP (ORDER BY seconds)
            FROM per_claim GROUP BY stage
        """  # noqa: S608
        with _roomy_transaction(), connection.cursor() as cursor:
            cursor.execute(sql, pub_params)
            return {
                stage: Spread(count=n, median=float(median), p90=float(p90))
                for stage, n, median, p90 in cursor.fetchall()
            }
    with connection.cursor() as cursor:
        cursor.execute(f"{per_claim} SELECT stage, seconds FROM per_claim", pub_params)  # noqa: S608
        by_stage: dict[str, list[float]] = defaultdict(list)
        for stage, seconds in cursor.fetchall():
            by_stage[stage].append(float(seconds))
    return {
        stage: Spread(count=len(values), median=quantile(values, MEDIAN), p90=quantile(values, P90))
        for stage, values in by_stage.items()
    }
