"""A deep sync page reads the (updated_at, id) index from its cursor on, like the first page."""

import pytest
from django.db import connection, transaction

from reviews.api.pagination import SyncPagination, encode_cursor
from reviews.api.views import public_verdicts
from reviews.representation import verdict_rows
from tests.api.verdicts import published_verdict

pytestmark = pytest.mark.django_db


class _Request:
    def __init__(self, cursor: str):
        self.query_params = {"cursor": cursor}


@pytest.mark.postgres
def test_a_deep_cursor_page_starts_its_index_scan_at_the_cursor():
    verdicts = [published_verdict(evidence=False) for _ in range(3)]
    middle = verdicts[1]
    middle.refresh_from_db()
    cursor = encode_cursor(middle.updated_at, middle.pk)
    page = SyncPagination().positioned(verdict_rows(public_verdicts()), _Request(cursor))
    with transaction.atomic(), connection.cursor() as db:
        # With sequential scans ruled out, the plan shows how the index is read: bounded by the
        # cursor's time (a range), not read from its start and filtered row by row.
        db.execute("SET LOCAL enable_seqscan = off")
        plan = page[:51].explain()
    assert "verdict_sync_idx" in plan
    index_scan = plan[plan.index("verdict_sync_idx") :].split("\n")
    assert any("Index Cond" in line and "updated_at >=" in line for line in index_scan[:3]), plan
