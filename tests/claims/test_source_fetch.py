"""Fetching a source archives it once, retries what may pass, and stops at once on what won't."""

import gzip
import hashlib
import threading
import time
import uuid
from datetime import date, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections as db_connections
from django.utils import timezone

from claims.models import Citation, FetchAttempt, Passage, Snapshot, Source
from claims.ranking import rank_passages_many
from claims.services import (
    TransientFetchError,
    retry_countdown,
    source_fetch,
    sources_fetch_now,
)
from claims.services import sources as sources_service
from claims.tasks import fetch_source
from tests.claims.httpserver import page, redirect, reply
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fetch_settings")]

State = Source.State
Outcome = FetchAttempt.Outcome


def sequence(*handlers):
    """Return a handler that answers with each handler in turn, then repeats the last."""
    calls = iter(handlers)
    last = handlers[-1]

    def handler(request):
        next(calls, last)(request)

    return handler


def test_a_fetched_source_is_archived_with_its_text_and_metadata(server):
    server.route("/report", page(REPORT_HTML))
    source = cite(server.url("/report"))

    source = source_fetch(source_id=source.pk)

    assert source.state == State.FETCHED and source.state_reason == ""
    assert source.lease_expires_at is None and source.next_attempt_at is None
    snapshot = source.last_snapshot
    assert snapshot.final_url == server.url("/report")
    assert snapshot.status == 200
    assert snapshot.content_type.startswith("text/html")
    assert snapshot.sha256 == hashlib.sha256(REPORT_HTML).hexdigest()
    with snapshot.body.open("rb") as archived:
        assert gzip.decompress(archived.read()) == REPORT_HTML
    assert snapshot.size == len(REPORT_HTML)
    assert "4.2 million dollars" in snapshot.text
    assert "<p>" not in snapshot.text
    assert snapshot.title == "Bridge audit finds overspend"
    assert snapshot.author == "Jane Reporter"
    assert snapshot.site_name == "The Ledger"
    assert snapshot.published == date(2024, 3, 5)
    (attempt,) = FetchAttempt.objects.filter(source=source)
    assert attempt.outcome == Outcome.SUCCEEDED and attempt.http_status == 200
    assert attempt.finished_at is not None and attempt.duration_ms is not None


def test_the_best_passages_are_stored_for_every_citing_claim(server):
    server.route("/report", page(REPORT_HTML))
    first, second = bridge_claim(), bridge_claim()
    source = cite(server.url("/report"), first)
    cite(server.url("/report"), second)

    source = source_fetch(source_id=source.pk)

    text = source.last_snapshot.text
    for claim in (first, second):
        passages = list(Passage.objects.filter(claim=claim).order_by("rank"))
        assert passages, "every citing claim gets its passages"
        assert "4.2 million dollars" in passages[0].text
        assert [p.rank for p in passages] == list(range(len(passages)))
        assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)
        assert all(text[p.start : p.end] == p.text for p in passages)


def test_the_same_content_fetched_twice_is_one_snapshot(server):
    server.route("/report", page(REPORT_HTML))
    source = cite(server.url("/report"))
    first = source_fetch(source_id=source.pk).last_snapshot

    sources_fetch_now(source_ids=[source.pk], schedule=False)
    again = source_fetch(source_id=source.pk)

    assert again.state == State.FETCHED
    assert Snapshot.objects.filter(source=source).count() == 1
    assert again.last_snapshot == first
    assert again.last_snapshot.last_seen_at > first.last_seen_at
    assert again.last_snapshot.fetched_at == first.fetched_at
    assert Snapshot.objects.get(pk=first.pk).last_seen_at == again.last_snapshot.last_seen_at
    assert len(server.received) == 2


def test_content_seen_again_ranks_only_the_claims_that_cite_it_since(server):
    server.route("/report", page(REPORT_HTML))
    first, later = bridge_claim(), bridge_claim()
    source = cite(server.url("/report"), first)
    source_fetch(source_id=source.pk)
    ranked = list(Passage.objects.filter(claim=first).values("pk", "rank", "text"))
    # A citation written straight to the table, as if no ranking had run for it yet.
    Citation.objects.create(claim=later, source=source, href=server.url("/report"))

    sources_fetch_now(source_ids=[source.pk], schedule=False)
    snapshot = source_fetch(source_id=source.pk).last_snapshot

    assert Snapshot.objects.filter(source=source).count() == 1
    assert list(Passage.objects.filter(claim=first).values("pk", "rank", "text")) == ranked
    assert Passage.objects.filter(claim=later, snapshot=snapshot).exists()


def test_what_a_fetch_stores_is_what_the_orm_reads_back(server):
    server.route("/report", page(REPORT_HTML))
    claims = [bridge_claim(), bridge_claim()]
    source = cite(server.url("/report"), claims[0])
    cite(server.url("/report"), claims[1])

    returned = source_fetch(source_id=source.pk)

    stored = Source.objects.get(pk=source.pk)
    fields = [f.attname for f in Source._meta.concrete_fields]
    assert {f: getattr(returned, f) for f in fields} == {f: getattr(stored, f) for f in fields}
    snapshot = stored.last_snapshot
    assert snapshot.fetched_at == snapshot.last_seen_at
    (attempt,) = FetchAttempt.objects.filter(source=source)
    assert (attempt.purpose, attempt.outcome, attempt.reason, attempt.message) == (
        FetchAttempt.Purpose.FETCH,
        Outcome.SUCCEEDED,
        "",
        "",
    )
    assert attempt.started_at <= snapshot.fetched_at <= attempt.finished_at
    top_k = settings.FETCH_PASSAGES_PER_CLAIM
    expected = rank_passages_many(snapshot.text, [claim.text for claim in claims], top_k=top_k)
    for claim, ranking in zip(claims, expected, strict=True):
        assert list(
            Passage.objects.filter(claim=claim, snapshot=snapshot)
            .order_by("rank")
            .values_list("rank", "score", "start", "end", "text")
        ) == [(rank, p.score, p.start, p.end, p.text) for rank, p in enumerate(ranking)]


def test_changed_content_becomes_a_new_snapshot_and_is_ranked_again(server):
    server.route(
        "/report",
        sequence(page(REPORT_HTML), page(REPORT_HTML.replace(b"4.2 million", b"5.1 million"))),
    )
    claim = bridge_claim()
    source = cite(server.url("/report"), claim)
    source_fetch(source_id=source.pk)
    sources_fetch_now(source_ids=[source.pk], schedule=False)

    source = source_fetch(source_id=source.pk)

    assert Snapshot.objects.filter(source=source).count() == 2
    assert "5.1 million" in source.last_snapshot.text
    assert Passage.objects.filter(claim=claim, snapshot=source.last_snapshot).exists()


def test_a_500_then_200_ends_fetched_after_two_recorded_attempts(server):
    server.route("/flaky", sequence(page(b"down", status=500), page(REPORT_HTML)))
    source = cite(server.url("/flaky"))

    with pytest.raises(TransientFetchError) as raised:
        source_fetch(source_id=source.pk)
    waiting = Source.objects.get(pk=source.pk)
    assert waiting.state == State.PENDING
    assert "500" in waiting.state_reason
    assert waiting.next_attempt_at > timezone.now()
    assert waiting.lease_expires_at is None
    assert raised.value.countdown > 0

    done = source_fetch(source_id=source.pk)

    assert done.state == State.FETCHED and done.attempts == 2
    attempts = list(FetchAttempt.objects.filter(source=source).order_by("started_at", "id"))
    assert [a.outcome for a in attempts] == [Outcome.RETRYING, Outcome.SUCCEEDED]
    assert [a.http_status for a in attempts] == [500, 200]
    assert attempts[0].reason == "http_5xx" and attempts[0].error_class == "FetchError"


def test_a_429_retry_after_sets_the_task_retry_countdown(server):
    server.route("/busy", page(b"slow down", status=429, headers=[("Retry-After", "120")]))
    source = cite(server.url("/busy"))

    retried = RuntimeError("retried")
    with (
        mock.patch.object(fetch_source, "retry", side_effect=retried) as retry,
        pytest.raises(RuntimeError, match="retried"),
    ):
        fetch_source.run(source_id=source.pk)

    countdown = retry.call_args.kwargs["countdown"]
    assert countdown >= 120
    source.refresh_from_db()
    assert source.state == State.PENDING
    assert source.next_attempt_at >= timezone.now() + timedelta(seconds=110)
    (attempt,) = FetchAttempt.objects.filter(source=source)
    assert attempt.outcome == Outcome.RETRYING and attempt.reason == "rate_limited"
    assert attempt.retry_in_seconds >= 120


def test_retries_back_off_exponentially_with_jitter(settings):
    settings.FETCH_RETRY_BACKOFF_SECONDS = 10
    settings.FETCH_RETRY_BACKOFF_MAX_SECONDS = 1000
    firsts = {retry_countdown(attempt=1) for _ in range(50)}
    thirds = [retry_countdown(attempt=3) for _ in range(50)]
    assert all(5 <= c <= 10 for c in firsts) and len(firsts) > 1
    assert all(20 <= c <= 40 for c in thirds)
    assert retry_countdown(attempt=20) <= 1000


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (page(b"gone", status=404), "http_404"),
        (page(b"gone for good", status=410), "http_410"),
        (page(b"%PDF-1.7", content_type="application/pdf"), "unsupported_type"),
    ],
)
def test_a_permanent_failure_stops_at_once_with_the_reason(server, route, reason):
    server.route("/missing", route)
    source = cite(server.url("/missing"))

    with mock.patch.object(fetch_source, "retry") as retry:
        state = fetch_source.run(source_id=source.pk)

    assert state == State.FAILED
    retry.assert_not_called()
    source.refresh_from_db()
    assert source.state_reason.startswith(reason)
    assert source.next_attempt_at is None and source.attempts == 1
    (attempt,) = FetchAttempt.objects.filter(source=source)
    assert attempt.outcome == Outcome.FAILED and attempt.reason == reason


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/report",
        "http://localhost:{port}/report",
        "http://10.1.2.3:{port}/",
        "http://[::1]:{port}/",
        "http://0x7f.1:{port}/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_non_public_destination_is_blocked_without_any_connection(
    server, settings, connections, url
):
    # Production settings: the test-only allowance is off.
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = False
    settings.FETCH_ALLOWED_PORTS = [80, 443, server.port]
    server.route("/report", page(REPORT_HTML))
    source = cite(url.format(port=server.port))

    source = source_fetch(source_id=source.pk)

    assert source.state == State.BLOCKED
    assert source.state_reason.startswith("blocked: ")
    assert source.next_attempt_at is None
    assert FetchAttempt.objects.get(source=source).outcome == Outcome.BLOCKED
    assert server.received == []
    assert not [address for address in connections if address[1] in (server.port, 80)]


def test_a_redirect_to_a_blocked_address_blocks_the_source(server):
    server.route("/hop", redirect("http://169.254.169.254/latest/meta-data/"))
    source = cite(server.url("/hop"))

    source = source_fetch(source_id=source.pk)

    assert source.state == State.BLOCKED
    assert "169.254.169.254" in source.state_reason
    assert Snapshot.objects.count() == 0


def test_transient_failures_give_up_after_the_attempt_limit(server, settings):
    settings.FETCH_MAX_ATTEMPTS = 2
    server.route("/down", page(b"down", status=503))
    source = cite(server.url("/down"))

    with pytest.raises(TransientFetchError):
        source_fetch(source_id=source.pk)
    source = source_fetch(source_id=source.pk)

    assert source.state == State.FAILED
    assert source.state_reason.startswith("gave up after 2 attempts")
    assert source.next_attempt_at is None
    outcomes = FetchAttempt.objects.filter(source=source).order_by("id")
    assert [a.outcome for a in outcomes] == [Outcome.RETRYING, Outcome.FAILED]


def test_in_process_a_transient_failure_waits_for_the_sweeper_instead_of_retrying(server, settings):
    # A wait far longer than the test takes, so "later" does not depend on the machine's load.
    settings.FETCH_RETRY_BACKOFF_SECONDS = 600
    server.route("/flaky", sequence(page(b"down", status=500), page(REPORT_HTML)))
    source = cite(server.url("/flaky"))

    result = fetch_source.apply(kwargs={"source_id": source.pk})

    assert result.get() == "pending"
    assert len(server.received) == 1
    source.refresh_from_db()
    assert source.state == State.PENDING and source.next_attempt_at > timezone.now()


def test_a_source_that_is_not_waiting_is_not_fetched_again(server):
    server.route("/report", page(REPORT_HTML))
    source = cite(server.url("/report"))
    source_fetch(source_id=source.pk)

    again = source_fetch(source_id=source.pk)

    assert again.state == State.FETCHED
    assert len(server.received) == 1
    assert FetchAttempt.objects.filter(source=source).count() == 1


def test_a_source_held_by_a_live_lease_is_left_alone(server):
    server.route("/report", page(REPORT_HTML))
    source = cite(server.url("/report"))
    Source.objects.filter(pk=source.pk).update(
        state=State.FETCHING, lease_expires_at=timezone.now() + timedelta(minutes=1)
    )

    assert source_fetch(source_id=source.pk).state == State.FETCHING
    assert server.received == []


def test_a_fetch_that_outlived_its_lease_writes_nothing(server, monkeypatch):
    server.route("/report", page(REPORT_HTML))
    source = cite(server.url("/report"))
    real_fetch = sources_service.fetch

    def fetch_while_taken_over(url, **kwargs):
        result = real_fetch(url, **kwargs)
        # Meanwhile the lease ran out and another attempt took the source.
        Source.objects.filter(pk=source.pk).update(lease_token=uuid.uuid4())
        return result

    monkeypatch.setattr(sources_service, "fetch", fetch_while_taken_over)
    source_fetch(source_id=source.pk)

    assert Snapshot.objects.count() == 0
    assert FetchAttempt.objects.get(source=source).outcome == Outcome.SUPERSEDED
    assert Source.objects.get(pk=source.pk).state == State.FETCHING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_message_delivered_twice_at_once_fetches_once(server):
    def slow(request):
        time.sleep(0.5)
        reply(request, body=REPORT_HTML)

    server.route("/report", slow)
    source = cite(server.url("/report"))
    results = []

    def deliver():
        try:
            results.append(source_fetch(source_id=source.pk).state)
        finally:
            db_connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [State.FETCHED, State.FETCHING]
    assert len(server.received) == 1
    assert Snapshot.objects.filter(source=source).count() == 1
    assert FetchAttempt.objects.filter(source=source).count() == 1


# The lease (one UPDATE ... RETURNING) and the attempt's insert, sent together (in a test, with
# their savepoint and its release: 4), then, sent together, the snapshot's upsert, the source's
# conditional update (which checks the lease), the attempt's outcome and the claims still to
# rank, and one insert of all their passages (with their savepoint and its release: 7). Was 12
# before the snapshot's look-up and insert became one upsert.
QUERIES_PER_FETCH = 11


@pytest.mark.parametrize("citing", [1, 12])
def test_a_fetch_costs_the_same_queries_however_many_claims_cite_it(
    server, citing, django_assert_num_queries
):
    server.route("/report", page(REPORT_HTML))
    claims = [bridge_claim() for _ in range(citing)]
    source = cite(server.url("/report"), claims[0])
    for claim in claims[1:]:
        cite(server.url("/report"), claim)

    with django_assert_num_queries(QUERIES_PER_FETCH):
        source = source_fetch(source_id=source.pk)

    assert source.state == State.FETCHED
    ranked = set(
        Passage.objects.filter(snapshot=source.last_snapshot).values_list("claim", flat=True)
    )
    assert ranked == {claim.pk for claim in claims}
    (attempt,) = FetchAttempt.objects.filter(source=source)
    assert attempt.outcome == Outcome.SUCCEEDED
