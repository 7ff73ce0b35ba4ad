"""Fetch workers killed, stopped for a deploy or handed a message twice: each fetch happens once."""

import json
import os
import signal
import uuid
from pathlib import Path

import pytest
import redis as redis_client

from tests.claims.httpserver import reply
from tests.claims.sourcing import REPORT_HTML
from tests.system.conftest import Gate
from tests.system.desk import ingest, key_client, piece
from tests.system.stack import wait_until

pytestmark = pytest.mark.system


def gated_sources(origin, count: int) -> tuple[Gate, list[str]]:
    """Serve `count` new pages that answer only once the gate opens."""
    gate = Gate()
    tag = uuid.uuid4().hex[:8]
    urls = []
    for n in range(count):

        def handler(request, gate=gate):
            gate.hold()
            reply(request, body=REPORT_HTML)

        path = f"/gated/{tag}/{n}"
        origin.route(path, handler)
        urls.append(origin.url(path))
    return gate, urls


def ingest_citing(stack, desk, urls: list[str], **headers) -> list[int]:
    """Ingest one piece citing `urls` through the API; return the ids of their sources."""
    with key_client(stack.base_url, desk["ingest_key"]) as cms:
        response = ingest(cms, piece(urls), **headers)
    assert response.status_code == 201, response.text
    return [stack.scalar("SELECT id FROM claims_source WHERE url = %s", url) for url in urls]


def states(stack, ids: list[int]) -> dict[str, int]:
    rows = stack.rows(
        "SELECT state, count(*) FROM claims_source WHERE id = ANY(%s) GROUP BY state", ids
    )
    return dict(rows)


def assert_each_fetched_once(stack, origin, ids: list[int]) -> None:
    """Every source is fetched, with one snapshot and one successful attempt."""
    assert states(stack, ids) == {"fetched": len(ids)}
    per_source = stack.rows(
        "SELECT s.id, count(DISTINCT snap.id), count(a.id) FILTER (WHERE a.outcome = 'succeeded') "
        "FROM claims_source s LEFT JOIN claims_snapshot snap ON snap.source_id = s.id "
        "LEFT JOIN claims_fetchattempt a ON a.source_id = s.id "
        "WHERE s.id = ANY(%s) GROUP BY s.id ORDER BY s.id",
        ids,
    )
    assert [(snapshots, succeeded) for _id, snapshots, succeeded in per_source] == [(1, 1)] * len(
        ids
    )


def test_a_request_id_follows_the_request_into_the_fetch_jobs_it_schedules(stack, desk, origin):
    origin.route("/traced", lambda request: reply(request, body=REPORT_HTML))
    request_id = f"sys-{uuid.uuid4().hex}"

    [source] = ingest_citing(stack, desk, [origin.url("/traced")], **{"X-Request-ID": request_id})

    wait_until(
        lambda: states(stack, [source]) == {"fetched": 1}, timeout=60, what="the traced fetch"
    )
    records = [
        json.loads(line)
        for line in stack.processes["fetcher"].log(500_000).splitlines()
        if line.startswith("{") and request_id in line
    ]
    finished = [
        record
        for record in records
        if record["name"] == "celery.app.trace" and "claims.fetch_source" in record["message"]
    ]
    assert [record["request_id"] for record in finished] == [request_id], records
    assert stack.processes["web"].log_contains(f'"request_id": "{request_id}"')


def test_a_fetch_worker_killed_mid_fetch_and_restarted_fetches_every_source_once(
    stack, desk, origin
):
    gate, urls = gated_sources(origin, 6)
    ids = ingest_citing(stack, desk, urls)
    wait_until(lambda: gate.arrived >= 6, timeout=60, what="six fetches in flight")
    assert states(stack, ids) == {"fetching": 6}

    stack.processes["fetcher"].stop(signal.SIGKILL)
    gate.released.set()
    stack.restart("fetcher")

    # Nothing acknowledges the lost messages: the leases run out and the sweeper requeues them.
    wait_until(
        lambda: states(stack, ids) == {"fetched": 6}, timeout=120, what="every source fetched"
    )
    assert_each_fetched_once(stack, origin, ids)
    abandoned = stack.scalar(
        "SELECT count(*) FROM claims_fetchattempt WHERE source_id = ANY(%s) "
        "AND outcome = 'abandoned'",
        ids,
    )
    assert abandoned == 6


def pool_processes(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_a_pool_process_killed_mid_fetch_is_replaced_and_its_fetch_completes_once(
    stack, desk, origin
):
    # The same fetch queue served by a prefork pool, whose tasks run in child processes.
    stack.processes["fetcher"].stop()
    prefork = stack.launch(
        "fetcher-prefork",
        "celery -A factcheck worker -Q fetch --pool prefork --concurrency 1 -n prefork@%h -l INFO",
        **stack.env_for["fetcher"],
    )
    try:
        stack.wait_worker_ready(prefork)
        gate, urls = gated_sources(origin, 1)
        [source] = ingest_citing(stack, desk, urls)
        wait_until(lambda: gate.arrived >= 1, timeout=60, what="the fetch in flight")
        [child] = pool_processes(prefork.pid)

        os.kill(child, signal.SIGKILL)
        gate.released.set()

        # The lost message comes back at once (reject on worker lost) and finds the dead
        # attempt's lease; when the lease runs out the sweeper queues the source again.
        wait_until(
            lambda: states(stack, [source]) == {"fetched": 1},
            timeout=120,
            what="the source fetched",
        )
        assert prefork.log_contains(f"source {source} is fetching; nothing to fetch")
        assert prefork.alive() and pool_processes(prefork.pid) != [child]
    finally:
        gate.released.set()
        prefork.stop()
        stack.restart("fetcher")

    assert_each_fetched_once(stack, origin, [source])
    outcomes = stack.rows(
        "SELECT outcome FROM claims_fetchattempt WHERE source_id = %s ORDER BY id", source
    )
    assert outcomes == [("abandoned",), ("succeeded",)]


def test_a_fetch_worker_stopped_for_a_deploy_requeues_what_it_held(stack, desk, origin):
    # More sources than threads: eight run (prefetch one per thread, acked late), twelve wait.
    gate, urls = gated_sources(origin, 20)
    ids = ingest_citing(stack, desk, urls)
    wait_until(lambda: gate.arrived >= 8, timeout=60, what="every fetch thread busy")

    fetcher = stack.processes["fetcher"]
    fetcher.send(signal.SIGTERM)
    # A warm shutdown lets the running fetches finish and hands back what it had not started.
    gate.released.set()
    fetcher.wait(timeout=60)
    # What it had started it finished; what it had not started is still waiting for the next one.
    assert states(stack, ids) == {"fetched": 8, "pending": 12}
    stack.restart("fetcher")

    wait_until(
        lambda: states(stack, ids) == {"fetched": 20}, timeout=120, what="every source fetched"
    )
    assert_each_fetched_once(stack, origin, ids)
    assert not stack.scalar(
        "SELECT count(*) FROM claims_fetchattempt WHERE source_id = ANY(%s) "
        "AND outcome <> 'succeeded'",
        ids,
    )


def test_the_same_fetch_message_delivered_twice_at_once_makes_one_snapshot(stack, desk, origin):
    gate, urls = gated_sources(origin, 4)
    stack.processes["fetcher"].stop()
    ids = ingest_citing(stack, desk, urls)
    broker = redis_client.Redis.from_url(stack.redis.url(0))
    waiting = broker.lrange("fetch", 0, -1)
    assert len(waiting) == 4
    # Byte for byte the same messages again, as a broker's redelivery would hand them out.
    broker.lpush("fetch", *waiting)

    stack.restart("fetcher")
    fetcher = stack.processes["fetcher"]
    wait_until(
        lambda: (
            gate.arrived >= 4
            and all(
                fetcher.log_contains(f"source {pk} is fetching; nothing to fetch") for pk in ids
            )
        ),
        timeout=60,
        what="both copies of every message taken at once",
    )
    gate.released.set()

    wait_until(
        lambda: states(stack, ids) == {"fetched": 4}, timeout=60, what="every source fetched"
    )
    assert_each_fetched_once(stack, origin, ids)
    assert gate.arrived == 4
