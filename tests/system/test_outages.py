"""Redis lost and back empty, PostgreSQL restarted under load: clean failures, nothing lost."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML
from tests.system.desk import TO_REVIEW, desk_client, drive, ingest, key_client, piece, transition
from tests.system.stack import wait_until

pytestmark = pytest.mark.system

# A request that takes this long has hung: the outage must never make a client wait so long.
HANG = 15.0


@dataclass
class Outcomes:
    """What every request of a background client got: statuses, and errors that are not HTTP."""

    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    slowest: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, call) -> httpx.Response | None:
        try:
            response = call()
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            return None
        with self.lock:
            self.statuses[response.status_code] += 1
            self.slowest = max(self.slowest, response.elapsed.total_seconds())
        return response

    def count(self, *codes: int) -> int:
        with self.lock:
            return sum(self.statuses[code] for code in codes)


def sources_of(stack, titles: list[str]) -> list[tuple[int, str]]:
    return stack.rows(
        "SELECT DISTINCT s.id, s.state FROM claims_source s "
        "JOIN claims_citation c ON c.source_id = s.id JOIN claims_claim cl ON cl.id = c.claim_id "
        "JOIN claims_article a ON a.id = cl.article_id WHERE a.title = ANY(%s) ORDER BY s.id",
        titles,
    )


def test_redis_lost_during_ingestion_and_back_empty_loses_no_fetch_and_fails_no_request(
    stack, desk, origin
):
    tag = uuid.uuid4().hex[:8]
    origin.route(f"/redis/{tag}", page(REPORT_HTML))
    pieces = [
        piece([origin.url(f"/redis/{tag}?p={n}&l={i}") for i in range(2)], tag=tag)
        for n in range(12)
    ]
    outcomes = Outcomes()
    sent = threading.Semaphore(0)
    go_on = threading.Event()

    def cms() -> None:
        with key_client(stack.base_url, desk["ingest_key"], timeout=HANG) as client:
            for n, payload in enumerate(pieces):
                if n == 3:
                    go_on.wait(60)
                outcomes.record(lambda payload=payload: ingest(client, payload))
                sent.release()

    # A ticket to move while Redis is away: its submission e-mails the editors.
    claim_id = _new_claim(stack, desk, origin, tag)
    thread = threading.Thread(target=cms)
    thread.start()
    for _ in range(3):
        assert sent.acquire(timeout=60)

    stack.redis.stop()
    go_on.set()
    for _ in range(5):
        assert sent.acquire(timeout=60)
    with desk_client(stack.base_url, desk["fact_checkers"][0]["session"], timeout=HANG) as person:
        desk_outcomes = Outcomes()
        for action, fields in TO_REVIEW:
            desk_outcomes.record(lambda a=action, f=fields: transition(person, claim_id, a, **f))
        reader = Outcomes()
        reader.record(lambda: httpx.get(f"{stack.base_url}/api/v1/verdicts/", timeout=HANG))
    stack.redis.start()
    thread.join(timeout=120)

    assert outcomes.errors == [] and desk_outcomes.errors == [] and reader.errors == []
    print(f"slowest answers: {outcomes.slowest:.2f}s ingest, {desk_outcomes.slowest:.2f}s desk")
    assert outcomes.statuses == {201: 12}
    assert desk_outcomes.statuses == {200: len(TO_REVIEW)}
    assert reader.statuses == {200: 1}
    titles = [payload["title"] for payload in pieces]
    # Redis came back empty: the sweeper finds what is due in the database and queues it.
    # A worker that exited when Redis vanished is back, as its supervisor would bring it.
    wait_until(
        lambda: (
            not stack.supervise()
            and {state for _id, state in sources_of(stack, titles)} == {"fetched"}
        ),
        timeout=120,
        what="every cited source fetched",
    )
    assert len(sources_of(stack, titles)) == 24
    assert stack.scalar("SELECT count(*) FROM claims_article WHERE title = ANY(%s)", titles) == len(
        titles
    )
    assert (
        stack.scalar(
            "SELECT count(*) FROM claims_snapshot WHERE source_id = ANY(%s)",
            [pk for pk, _state in sources_of(stack, titles)],
        )
        == 24
    )


def _new_claim(stack, desk, origin, tag: str) -> int:
    with key_client(stack.base_url, desk["ingest_key"]) as cms:
        response = ingest(cms, piece([origin.url(f"/redis/{tag}?ticket")], tag=f"{tag}-t"))
    assert response.status_code == 201, response.text
    return response.json()["claims"][0]["id"]


def gunicorn_workers(master_pid: int) -> set[int]:
    """Return the pids of the gunicorn master's worker processes."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return {int(pid) for pid in children}


def test_postgres_restarted_under_load_fails_cleanly_and_recovers_without_a_web_restart(
    stack, desk, origin
):
    tag = uuid.uuid4().hex[:8]
    origin.route(f"/pg/{tag}", page(REPORT_HTML))
    # Something for readers to read: one published verdict on a piece of this test's own.
    with key_client(stack.base_url, desk["ingest_key"]) as cms:
        article = ingest(cms, piece([origin.url(f"/pg/{tag}?seed")], tag=tag)).json()
    slug, claim_id = article["article"]["slug"], article["claims"][0]["id"]
    drive(desk_client(stack.base_url, desk["fact_checkers"][0]["session"]), claim_id, *TO_REVIEW)
    drive(
        desk_client(stack.base_url, desk["editors"][0]["session"]),
        claim_id,
        ("vote", {"approve": True}),
        ("publish", {}),
    )
    web = stack.processes["web"]
    workers_before = gunicorn_workers(web.pid)
    outcomes = Outcomes()
    ingested: dict[str, int] = {}
    stop = threading.Event()

    def reader() -> None:
        with httpx.Client(base_url=stack.base_url, timeout=HANG) as client:
            while not stop.is_set():
                outcomes.record(lambda: client.get(f"/articles/{slug}/"))
                outcomes.record(lambda: client.get("/api/v1/verdicts/"))

    def cms() -> None:
        # A CMS that retries a piece until the desk has it: each must end stored exactly once.
        with key_client(stack.base_url, desk["ingest_key"], timeout=HANG) as client:
            n = 0
            while not stop.is_set():
                payload = piece([origin.url(f"/pg/{tag}?n={n}")], tag=f"{tag}-{n}")
                while not stop.is_set():
                    response = outcomes.record(lambda payload=payload: ingest(client, payload))
                    if response is not None and response.status_code in (200, 201):
                        ingested[payload["title"]] = response.json()["article"]["id"]
                        break
                n += 1

    threads = [threading.Thread(target=target) for target in (reader, reader, cms)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: outcomes.count(200, 201) >= 20, timeout=60, what="traffic flowing")
        stack.postgres.stop()
        wait_until(lambda: outcomes.count(503) >= 20, timeout=60, what="refusals in the outage")
        health = httpx.get(f"{stack.base_url}/healthz", timeout=HANG)
        stack.postgres.start()
        served = outcomes.count(200, 201)
        wait_until(
            lambda: outcomes.count(200, 201) >= served + 30, timeout=90, what="service to resume"
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)

    assert health.status_code == 503
    assert health.json()["checks"]["database"] == "down"
    assert outcomes.errors == []
    assert set(outcomes.statuses) <= {200, 201, 503}, outcomes.statuses
    assert web.alive() and gunicorn_workers(web.pid) == workers_before
    stored = dict(
        stack.rows(
            "SELECT title, count(*) FROM claims_article WHERE title = ANY(%s) GROUP BY title",
            list(ingested),
        )
    )
    assert stored == dict.fromkeys(ingested, 1)
