"""Measure how long claims took to publish, and spent in each stage, inside the database.

The time a claim spent in each stage comes from one GROUP BY over its trail, and only the
ranks either side of the median and the 90th percentile come back, so the cost does not grow
with rows sent to Python. The quantile is interpolated between those
ranks exactly as `stats.quantile` does.
"""

from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction

from reviews.analytics.stats import Spread
from reviews.models import Event, Ticket

# The pseudo-stage under which the database returns the time from ingest to publication.
TOTAL = "_total"
# Quantiles as (numerator, denominator), so that the database finds floor((n - 1) * q) with
# integer division, the same on PostgreSQL and SQLite.
QUANTILES = {"median": (1, 2), "p90": (9, 10)}
# Memory PostgreSQL may use for this one query's sorts and hash tables (a year of 100,000
# events needs about 20 MB); the setting ends with the transaction.
WORK_MEM = "48MB"


def _epoch(moment: str) -> str:
    """Return SQL for `moment` in seconds on a fixed scale: differences of two are durations."""
    if connection.vendor == "postgresql":
        return f"date_part('epoch', {moment})"
    # SQLite keeps datetimes as text; julianday() reads them as days (to about 20 µs).
    return f"(julianday({moment}) * 86400.0)"


@contextmanager
def _roomy_transaction():
    """On PostgreSQL, let the query sort and group the year's spans in memory, not on disk."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        yield


def _ranks() -> str:
    wanted = []
    for num, den in QUANTILES.values():
        low = f"((n - 1) * {num} / {den})"
        wanted += [low, f"{low} + 1"]
    return ", ".join(wanted)


def spreads(first_publications) -> dict[str, Spread]:
    """Return the spread of time in each stage until first publication, and of the whole.

    `first_publications` is the queryset of the events that first made each verdict public
    (`figures.first_publications`); its SQL becomes the query's first step. A ticket is in
    `new` from when it was opened, and each event ends the time in its `from_stage`.
    """
    pub_sql, pub_params = (
        first_publications.order_by().values("ticket_id", "created_at").query.sql_with_params()
    )
    events, tickets = Event._meta.db_table, Ticket._meta.db_table
    # Time in a stage is the sum of the moments the claim left it minus the moments it entered
    # it: no window over the trail, one pass (each event read as an exit and an entry) and a
    # GROUP BY. A ticket enters `new` when opened.
    # Every value is a parameter: the f-string adds only this module's constants, table names
    # and Django's compiled SQL for the first publications.
    sql = f"""
        WITH pub (ticket_id, published_at) AS ({pub_sql}),
        moves (ticket_id, stage, seconds) AS (
            SELECT e.ticket_id,
                   CASE WHEN side.sign = 1 THEN e.from_stage ELSE e.to_stage END,
                   side.sign * {_epoch("e.created_at")}
            FROM {events} e
            JOIN pub ON pub.ticket_id = e.ticket_id
            CROSS JOIN (SELECT 1 AS sign UNION ALL SELECT -1) side
            WHERE e.created_at <= pub.published_at
              AND (side.sign = 1 OR e.created_at < pub.published_at)
            UNION ALL
            SELECT pub.ticket_id, 'new', -{_epoch("t.created_at")}
            FROM pub JOIN {tickets} t ON t.id = pub.ticket_id
        ),
        per_claim (ticket_id, stage, seconds) AS (
            SELECT ticket_id, stage, SUM(seconds) FROM moves GROUP BY ticket_id, stage
            UNION ALL
            SELECT pub.ticket_id, '{TOTAL}',
                   {_epoch("pub.published_at")} - {_epoch("t.created_at")}
            FROM pub JOIN {tickets} t ON t.id = pub.ticket_id
        ),
        ranked AS (
            SELECT stage, seconds,
                   ROW_NUMBER() OVER (PARTITION BY stage ORDER BY seconds) - 1 AS rank,
                   COUNT(*) OVER (PARTITION BY stage) AS n
            FROM per_claim
        )
        SELECT stage, n, rank, seconds FROM ranked WHERE rank IN ({_ranks()})
    """  # noqa: S608
    with _roomy_transaction(), connection.cursor() as cursor:
        cursor.execute(sql, pub_params)
        names = [column[0] for column in cursor.description]  # DB-API: (name, type, ...)
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    by_stage: dict[str, dict] = defaultdict(dict)
    counts: dict[str, int] = {}
    for row in rows:
        by_stage[row["stage"]][row["rank"]] = float(row["seconds"])
        counts[row["stage"]] = row["n"]
    return {
        stage: Spread(
            count=counts[stage],
            median=_interpolate(values, counts[stage], QUANTILES["median"]),
            p90=_interpolate(values, counts[stage], QUANTILES["p90"]),
        )
        for stage, values in by_stage.items()
    }


def _interpolate(values: dict[int, float], n: int, q: tuple[int, int]) -> float:
    num, den = q
    low = (n - 1) * num // den
    fraction = (n - 1) * num / den - low
    high = values.get(low + 1, values[low])
    return values[low] + fraction * (high - values[low])
