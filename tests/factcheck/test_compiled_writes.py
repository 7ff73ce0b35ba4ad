"""A write compiled once stores, for each call's values, what the ORM's own write would have."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import FetchAttempt, Passage, Snapshot, Source
from factcheck.compiled import Insert, Update, run_compiled, run_compiled_together
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

PASSAGE_COLUMNS = ("snapshot_id", "claim_id", "rank", "score", "start", "end", "text")


def _source(n: int) -> Source:
    url = f"https://news.example/compiled/{n}"
    return Source.objects.create(url=url, normalized_url=url)


def _snapshot(source: Source, sha256: str, *, published=None) -> Snapshot:
    return Snapshot.objects.create(
        source=source,
        sha256=sha256,
        final_url=source.url,
        status=200,
        content_type="text/html",
        size=10,
        body=f"snapshots/{source.pk}/{sha256}.gz",
        text="Some text.",
        published=published,
    )


def _passages(**columns):
    count = len(columns["text"])
    return Insert(
        [Passage(**{name: values[i] for name, values in columns.items()}) for i in range(count)],
        ignore_conflicts=True,
    )


def _snapshot_upsert(*, source, sha256, now, published, text):
    snapshot = Snapshot(
        source_id=source,
        sha256=sha256,
        final_url="https://news.example/final",
        status=200,
        content_type="text/html",
        fetched_at=now,
        last_seen_at=now,
        size=len(text),
        body=f"snapshots/{sha256}.gz",
        text=text,
        published=published,
    )
    return Insert(
        [snapshot],
        returning=("id", "fetched_at", "last_seen_at", "text", "published"),
        update_conflicts=("last_seen_at",),
        unique_fields=("source", "sha256"),
    )


def _lease(*, source, token, now):
    return Update(
        Source.objects.filter(pk=source, state=Source.State.PENDING),
        {"state": Source.State.FETCHING, "lease_token": token, "attempts": F("attempts") + 1},
        returning=("id", "lease_token", "attempts", "updated_at"),
    )


def _named(*, pattern):
    # A string the ORM rewrites (into a LIKE pattern): it cannot be a stand-in.
    return Update(Source.objects.filter(url__contains=pattern), {"state_reason": "matched"})


def test_a_compiled_insert_stores_the_rows_bulk_create_would_for_any_number_of_rows():
    snapshot = _snapshot(_source(1), "a" * 64)
    claims = [ClaimFactory(article=ArticleFactory()) for _ in range(3)]
    for count in (1, 3, 2, 3):  # one row, then several (an UNNEST on PostgreSQL), again
        rows = [
            {
                "snapshot_id": snapshot.pk,
                "claim_id": claims[i].pk,
                "rank": count * 10 + i,
                "score": 0.5 / (i + 1),
                "start": i,
                "end": i + 7,
                "text": f"passage {count}/{i}, with a 'quote'",
            }
            for i in range(count)
        ]
        columns = {name: [row[name] for row in rows] for name in PASSAGE_COLUMNS}
        with CaptureQueriesContext(connection) as queries:
            written = run_compiled("test-passages", _passages, **columns)
        assert written == count and len(queries) == 1
        stored = Passage.objects.filter(rank__gte=count * 10, rank__lt=count * 10 + 10)
        assert sorted(stored.values(*PASSAGE_COLUMNS), key=lambda r: r["rank"]) == rows
        # The same rows again clash on (snapshot, claim, rank) and are skipped.
        assert run_compiled("test-passages", _passages, **columns) == 0
        Passage.objects.filter(rank__gte=count * 10, rank__lt=count * 10 + 10).delete()


def test_a_compiled_upsert_returns_the_stored_row_whether_new_or_seen_again():
    source = _source(2)
    first = timezone.now() - timedelta(days=1)
    new = run_compiled(
        "test-upsert",
        _snapshot_upsert,
        source=source.pk,
        sha256="b" * 64,
        now=first,
        published=date(2024, 3, 5),
        text="First text.",
    )
    later = first + timedelta(hours=5)
    again = run_compiled(
        "test-upsert",
        _snapshot_upsert,
        source=source.pk,
        sha256="b" * 64,
        now=later,
        published=date(2025, 1, 1),
        text="Other text.",
    )

    stored = Snapshot.objects.get(source=source)
    assert new == [
        {
            "id": stored.pk,
            "fetched_at": first,
            "last_seen_at": first,
            "text": "First text.",
            "published": date(2024, 3, 5),
        }
    ]
    assert again == [{**new[0], "last_seen_at": later}]
    assert (stored.fetched_at, stored.last_seen_at, stored.text) == (first, later, "First text.")
    assert stored.published == date(2024, 3, 5)
    assert stored.body.name == f"snapshots/{'b' * 64}.gz"


def test_a_compiled_update_binds_each_calls_values_and_returns_the_rows_it_changed():
    sources = [_source(n) for n in (3, 4)]
    now = timezone.now()
    tokens = [uuid.uuid4(), uuid.uuid4()]
    for source, token in zip(sources, tokens, strict=True):
        (row,) = run_compiled("test-lease", _lease, source=source.pk, token=token, now=now)
        assert row["id"] == source.pk and row["lease_token"] == token and row["attempts"] == 1
        stored = Source.objects.get(pk=source.pk)
        assert (stored.state, stored.lease_token, stored.attempts) == ("fetching", token, 1)
    # No longer pending: nothing changes, nothing is returned.
    assert run_compiled("test-lease", _lease, source=sources[0].pk, token=tokens[1], now=now) == []
    assert Source.objects.get(pk=sources[0].pk).lease_token == tokens[0]


def test_statements_sent_together_run_in_order_and_return_what_each_would_alone():
    source = _source(5)
    token = uuid.uuid4()

    def attempt(*, source, now):
        return Insert([FetchAttempt(source_id=source, started_at=now)], returning=("id",))

    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        leased, started, leased_again = run_compiled_together(
            [
                ("test-lease", _lease, {"source": source.pk, "token": token, "now": now}),
                ("test-attempt", attempt, {"source": source.pk, "now": now}),
                ("test-lease", _lease, {"source": source.pk, "token": token, "now": now}),
            ]
        )
    assert len(queries) == 3
    assert [row["id"] for row in leased] == [source.pk] and leased_again == []
    assert FetchAttempt.objects.get(pk=started[0]["id"]).started_at == now


def test_a_value_the_orm_rewrites_is_sent_the_orms_own_way_each_time():
    for n in (6, 7):
        _source(n)
    assert run_compiled("test-contains", _named, pattern="compiled/6") == 1
    assert run_compiled("test-contains", _named, pattern="compiled/7") == 1
    assert run_compiled("test-contains", _named, pattern="compiled/8") == 0
    assert set(Source.objects.filter(state_reason="matched").values_list("url", flat=True)) == {
        "https://news.example/compiled/6",
        "https://news.example/compiled/7",
    }
