"""A read compiled once returns, for each request's values, what the ORM would have read."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factcheck.compiled import values_compiled, values_compiled_together
from reviews.api.pagination import SyncPagination
from reviews.api.views import public_verdicts
from reviews.fingerprints import verdicts_dependencies, verdicts_dependencies_compiled
from reviews.models import Verdict
from reviews.representation import verdict_rows
from tests.api.verdicts import published_verdict

pytestmark = pytest.mark.django_db


def _page(*, now, when, pk):
    return verdict_rows(SyncPagination.after(public_verdicts(now=now), when, pk))[:3]


def _by_ids(*, ids):
    return Verdict.objects.filter(pk__in=ids).order_by("pk").values("pk", "updated_at")


def test_a_compiled_read_binds_each_requests_own_moment_and_cursor():
    verdicts = [published_verdict(evidence=False) for _ in range(5)]
    ordered = list(Verdict.objects.order_by("updated_at", "pk").values_list("updated_at", "pk"))
    now = timezone.now()
    positions = [(None, None), ordered[0], ordered[2], ordered[-1]]
    for _ in range(2):  # compiled on the first pass, reused (and prepared) on the second
        for when, pk in positions:
            expected = list(_page(now=now, when=when, pk=pk))
            got = values_compiled("test-page", _page, now=now, when=when, pk=pk)
            assert got == expected
    # A moment before the pieces were published: an article under embargo then is left out.
    article = verdicts[0].ticket.claim.article
    article.embargo_until = now + timedelta(days=1)
    article.save(update_fields=["embargo_until"])
    got = values_compiled("test-page", _page, now=now, when=None, pk=None)
    assert got == list(_page(now=now, when=None, pk=None))
    assert verdicts[0].pk not in [row["id"] for row in got]


def test_a_compiled_read_takes_lists_of_any_length_in_one_query():
    ids = [published_verdict(evidence=False).pk for _ in range(4)]
    for chosen in (ids[:1], ids, ids[1:3], [ids[3], ids[0]]):
        with CaptureQueriesContext(connection) as queries:
            got = values_compiled("test-ids", _by_ids, ids=chosen)
        assert got == list(_by_ids(ids=chosen))
        assert len(queries) == 1


def test_reads_sent_together_return_what_each_would_alone():
    ids = [published_verdict(evidence=False).pk for _ in range(3)]
    now = timezone.now()
    reads = [
        ("test-ids", _by_ids, {"ids": ids[:2]}),
        ("test-page", _page, {"now": now, "when": None, "pk": None}),
        ("test-ids", _by_ids, {"ids": ids}),
    ]
    with CaptureQueriesContext(connection) as queries:
        together = values_compiled_together(reads)
    assert together == [list(build(**arguments)) for _, build, arguments in reads]
    assert len(queries) == 3


def test_compiled_dependencies_move_with_a_change_as_the_orm_ones_do():
    verdict = published_verdict()
    now = timezone.now()

    def compiled():
        return verdicts_dependencies_compiled(
            "test-dependencies",
            lambda **at: SyncPagination.after(public_verdicts(**at), None, None).filter(),
            limit=51,
            now=now,
        )

    def direct():
        queryset = SyncPagination.after(public_verdicts(now=now), None, None)
        return verdicts_dependencies(queryset, limit=51)

    before = compiled()
    assert before.rows == direct().rows and before.digest() == direct().digest()
    rating = verdict.published_revision.rating
    rating.label = "A new wording"
    rating.save()
    after = compiled()
    assert after.rows == direct().rows
    assert after.digest() != before.digest()
