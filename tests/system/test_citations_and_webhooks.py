"""Shared sources under worker kills, and a slow webhook subscriber while the desk publishes."""

from __future__ import annotations

import random
import signal
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.claims.httpserver import reply
from tests.claims.sourcing import REPORT_HTML
from tests.system.conftest import FAST_RECOVERY
from tests.system.desk import TO_REVIEW, desk_client, drive, ingest, key_client, piece, transition
from tests.system.stack import wait_until

pytestmark = pytest.mark.system

ARTICLES, URLS, PER_ARTICLE = 60, 300, 8


def test_sixty_pieces_citing_three_hundred_shared_urls_under_worker_kills_all_get_passages(
    stack, desk, origin
):
    tag = uuid.uuid4().hex[:8]

    def slowish(request):
        # Long enough for fetches to finish while later pieces are being ingested.
        time.sleep(0.05)
        reply(request, body=REPORT_HTML)

    urls = []
    for n in range(URLS):
        path = f"/shared/{tag}/{n}"
        origin.route(path, slowish)
        urls.append(origin.url(path))
    chosen = random.Random(11)  # a fixed, reproducible choice of links
    payloads = [piece(chosen.sample(urls, PER_ARTICLE), tag=tag) for _ in range(ARTICLES)]

    def send(payload) -> int:
        with key_client(stack.base_url, desk["ingest_key"], timeout=120) as cms:
            return ingest(cms, payload).status_code

    kills = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(send, payload) for payload in payloads]
        for done, future in enumerate(futures, start=1):
            assert future.result() == 201
            if done in (20, 40):
                # A fetch worker dies mid-run, taking its in-flight fetches with it.
                stack.processes["fetcher"].stop(signal.SIGKILL)
                stack.restart("fetcher")
                kills += 1
    assert kills == 2

    ids = [pk for (pk,) in stack.rows("SELECT id FROM claims_source WHERE url = ANY(%s)", urls)]
    wait_until(
        lambda: (
            not stack.scalar(
                "SELECT count(*) FROM claims_source WHERE id = ANY(%s) "
                "AND state IN ('pending', 'fetching')",
                ids,
            )
        ),
        timeout=600,
        what="every shared source fetched",
    )
    citations, fetched, without_passages = stack.rows(
        "SELECT count(*), count(*) FILTER (WHERE s.state = 'fetched'), "
        "count(*) FILTER (WHERE s.state = 'fetched' AND NOT EXISTS ("
        "  SELECT 1 FROM claims_passage p "
        "  WHERE p.claim_id = c.claim_id AND p.snapshot_id = s.last_snapshot_id)) "
        "FROM claims_citation c JOIN claims_source s ON s.id = c.source_id "
        "WHERE s.id = ANY(%s)",
        ids,
    )[0]
    assert citations == ARTICLES * PER_ARTICLE
    assert fetched == citations, stack.rows(
        "SELECT state, count(*) FROM claims_source WHERE id = ANY(%s) GROUP BY state", ids
    )
    assert without_passages == 0


def new_approved_claims(stack, desk, origin, count: int) -> list[int]:
    """Ingest `count` pieces and take one claim of each to approved; return their ids."""
    tag = uuid.uuid4().hex[:8]
    origin.route(f"/webhooks/{tag}", lambda request: reply(request, body=REPORT_HTML))
    claim_ids = []
    with key_client(stack.base_url, desk["ingest_key"]) as cms:
        for n in range(count):
            response = ingest(cms, piece([origin.url(f"/webhooks/{tag}")], tag=f"{tag}{n}"))
            assert response.status_code == 201, response.text
            claim_ids.append(response.json()["claims"][0]["id"])
    with (
        desk_client(stack.base_url, desk["fact_checkers"][0]["session"]) as fact_checker,
        desk_client(stack.base_url, desk["editors"][0]["session"]) as editor,
    ):
        for claim_id in claim_ids:
            drive(fact_checker, claim_id, *TO_REVIEW)
            vote = transition(editor, claim_id, "vote", approve=True)
            assert vote.status_code == 200, vote.text
    return claim_ids


def test_publishing_while_one_subscriber_is_slow_waits_for_nothing_and_delivers_at_recovery(
    stack, desk, origin
):
    claim_ids = new_approved_claims(stack, desk, origin, 6)
    recovered = threading.Event()
    held: list[str] = []
    lock = threading.Lock()

    def slow_subscriber(request):
        # Down in the slow way: every POST hangs until the subscriber recovers.
        with lock:
            held.append(request.headers["X-Desk-Delivery"])
        recovered.wait(120)
        reply(request, status=204, body=b"")

    origin.route("/webhook", slow_subscriber)
    try:
        with desk_client(stack.base_url, desk["editors"][0]["session"], timeout=30) as editor:
            # Each publication owes the slow subscriber a delivery; none may wait for its POST.
            for claim_id in claim_ids:
                published = transition(editor, claim_id, "publish")
                assert published.status_code == 200, published.text
        verdicts = [
            stack.scalar(
                "SELECT v.id FROM reviews_verdict v JOIN reviews_ticket t ON t.id = v.ticket_id "
                "WHERE t.claim_id = %s",
                claim_id,
            )
            for claim_id in claim_ids
        ]
        assert (
            stack.scalar(
                "SELECT count(*) FROM reviews_ticket WHERE claim_id = ANY(%s) "
                "AND stage = 'published'",
                claim_ids,
            )
            == 6
        )
        deliveries = {
            str(uuid_)
            for (uuid_,) in stack.rows(
                "SELECT uuid FROM reviews_webhookdelivery WHERE verdict_id = ANY(%s)", verdicts
            )
        }
        assert len(deliveries) == len(verdicts)
        # All six POSTs are in flight at once: none waits for another to the same subscriber.
        wait_until(
            lambda: deliveries <= set(held),
            timeout=60,
            what=f"all six deliveries in flight (held: {held})",
        )
        recovered_at = stack.scalar("SELECT now()")
        recovered.set()

        def delivered():
            return stack.rows(
                "SELECT state, attempts, delivered_at FROM reviews_webhookdelivery "
                "WHERE verdict_id = ANY(%s)",
                verdicts,
            )

        wait_until(
            lambda: {state for state, _a, _at in delivered()} == {"delivered"},
            timeout=60,
            what="every delivery delivered",
        )
    finally:
        recovered.set()
        origin.route("/webhook", lambda request: reply(request, status=204, body=b""))
    rows = delivered()
    assert len(rows) == len(verdicts)
    # Each went out on its first attempt, so none had to wait for the sweeper ...
    assert {attempts for _state, attempts, _at in rows} == {1}
    # ... and all were delivered within one sweep interval of the subscriber recovering.
    sweep = float(FAST_RECOVERY["WEBHOOK_SWEEP_INTERVAL_SECONDS"])
    latest = max(at for _state, _attempts, at in rows)
    assert (latest - recovered_at).total_seconds() < sweep
