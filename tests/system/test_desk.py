"""The desk under contention and attack: racing approvals, SSRF via the API, oversized bodies."""

from __future__ import annotations

import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from reviews.services.webhooks import signature_valid
from tests.claims.httpserver import page, redirect, reply
from tests.claims.sourcing import REPORT_HTML
from tests.claims.test_fetching_ssrf import SSRF_CORPUS
from tests.system.desk import TO_REVIEW, desk_client, drive, ingest, key_client, piece, ticket
from tests.system.stack import wait_until

pytestmark = pytest.mark.system

RACERS = 50


def new_claim(stack, desk, origin, urls=None) -> int:
    tag = uuid.uuid4().hex[:8]
    if urls is None:
        origin.route(f"/desk/{tag}", page(REPORT_HTML))
        urls = [origin.url(f"/desk/{tag}")]
    with key_client(stack.base_url, desk["ingest_key"]) as cms:
        response = ingest(cms, piece(urls, tag=tag))
    assert response.status_code == 201, response.text
    return response.json()["claims"][0]["id"]


def race(stack, desk, claim_id: int, body: dict) -> list[int]:
    """Send `body` as a transition from every editor at once; return the statuses."""
    clients = [desk_client(stack.base_url, editor["session"]) for editor in desk["editors"]]
    start = threading.Barrier(len(clients))

    def send(client) -> int:
        start.wait(timeout=60)
        with client:
            return client.post(f"/api/v1/claims/{claim_id}/transitions/", json=body).status_code

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(send, clients))


def test_fifty_editors_approving_and_publishing_at_once_make_one_transition_each(
    stack, desk, origin
):
    origin.route("/webhook", lambda request: reply(request, body=b""))
    claim_id = new_claim(stack, desk, origin)
    with desk_client(stack.base_url, desk["fact_checkers"][0]["session"]) as fact_checker:
        drive(fact_checker, claim_id, *TO_REVIEW)
        version = ticket(fact_checker, claim_id)["version"]
    ticket_id = stack.scalar("SELECT id FROM reviews_ticket WHERE claim_id = %s", claim_id)

    votes = race(
        stack, desk, claim_id, {"action": "vote", "approve": True, "expected_version": version}
    )
    publishes = race(stack, desk, claim_id, {"action": "publish", "expected_version": version + 1})

    assert sorted(votes) == [200] + [409] * (RACERS - 1)
    assert sorted(publishes) == [200] + [409] * (RACERS - 1)
    events = stack.rows(
        "SELECT action, from_stage, to_stage FROM reviews_event WHERE ticket_id = %s "
        "AND action IN ('vote', 'publish') ORDER BY id",
        ticket_id,
    )
    assert events == [("vote", "in_review", "approved"), ("publish", "approved", "published")]
    assert (
        stack.scalar(
            "SELECT count(*) FROM reviews_vote v JOIN reviews_verdict d "
            "ON d.current_revision_id = v.revision_id WHERE d.ticket_id = %s",
            ticket_id,
        )
        == 1
    )
    verdict_id = stack.scalar("SELECT id FROM reviews_verdict WHERE ticket_id = %s", ticket_id)
    wait_until(
        lambda: stack.scalar(
            "SELECT count(*) FROM reviews_webhookdelivery WHERE verdict_id = %s "
            "AND state = 'delivered'",
            verdict_id,
        ),
        timeout=60,
        what="the webhook delivered",
    )
    assert stack.rows(
        "SELECT event, state FROM reviews_webhookdelivery WHERE verdict_id = %s", verdict_id
    ) == [("verdict.published", "delivered")]
    mine = [
        request
        for request in origin.received
        if request.path == "/webhook" and json.loads(request.body)["verdict"]["id"] == verdict_id
    ]
    assert len(mine) == 1
    assert signature_valid(
        desk["webhook"]["secret"], mine[0].headers["x-desk-signature"], mine[0].body
    )


def test_the_ssrf_corpus_cited_through_the_api_is_refused_or_blocked_and_never_fetched(
    stack, desk, origin
):
    claim_id = new_claim(stack, desk, origin)
    answers = {}
    with desk_client(stack.base_url, desk["fact_checkers"][0]["session"]) as fact_checker:
        for url, why in SSRF_CORPUS:
            response = fact_checker.post(f"/api/v1/claims/{claim_id}/citations/", json={"url": url})
            answers[url] = (response.status_code, response.json(), why)

    refused = {url for url, (status, _body, _why) in answers.items() if status == 400}
    accepted = {url for url, (status, _body, _why) in answers.items() if status == 201}
    assert refused | accepted == set(answers)
    for url in refused:
        _status, body, why = answers[url]
        assert why in body["error"]["message"], (url, body)
    # Only a public address on a forbidden port gets past the door; the fetcher refuses it.
    assert accepted == {url for url, why in SSRF_CORPUS if "port" in why}
    accepted_ids = [answers[url][1]["id"] for url in accepted]
    sources = lambda: stack.rows(  # noqa: E731
        "SELECT s.id, s.state FROM claims_source s JOIN claims_citation c ON c.source_id = s.id "
        "WHERE c.id = ANY(%s)",
        accepted_ids,
    )
    wait_until(
        lambda: {state for _id, state in sources()} == {"blocked"},
        timeout=60,
        what="the accepted URLs blocked by the fetcher",
    )
    assert_blocked_without_snapshot(stack, [pk for pk, _state in sources()])
    assert stack.scalar(
        "SELECT count(*) FROM claims_citation WHERE claim_id = %s", claim_id
    ) == 1 + len(accepted)


def assert_blocked_without_snapshot(stack, source_ids: list[int]) -> None:
    outcomes = stack.rows(
        "SELECT source_id, outcome, reason FROM claims_fetchattempt WHERE source_id = ANY(%s)",
        source_ids,
    )
    assert sorted(source_id for source_id, _o, _r in outcomes) == sorted(source_ids)
    assert {(outcome, reason) for _id, outcome, reason in outcomes} == {("blocked", "blocked")}
    assert not stack.scalar(
        "SELECT count(*) FROM claims_snapshot WHERE source_id = ANY(%s)", source_ids
    )


def test_the_ssrf_corpus_behind_redirects_from_a_cited_page_is_blocked_and_never_fetched(
    stack, desk, origin
):
    tag = uuid.uuid4().hex[:8]
    paths = []
    for n, (url, _why) in enumerate(SSRF_CORPUS):
        path = f"/hop/{tag}/{n}"
        origin.route(path, redirect(url))
        paths.append(path)
    seen_before = len(origin.received)

    new_claim(stack, desk, origin, urls=[origin.url(path) for path in paths])

    ids = [
        stack.scalar("SELECT id FROM claims_source WHERE url = %s", origin.url(path))
        for path in paths
    ]
    assert None not in ids
    states = lambda: stack.rows(  # noqa: E731
        "SELECT id, state, state_reason FROM claims_source WHERE id = ANY(%s) ORDER BY id", ids
    )
    done = wait_until(
        lambda: all(state in {"blocked", "failed"} for _id, state, _why in states()) and states(),
        timeout=90,
        what="every redirect refused",
    )
    # An ambiguous (octal) host in a Location header is refused as an invalid redirect before
    # any lookup; every other destination is refused as blocked.
    refused_as_invalid = [why for _id, state, why in done if state == "failed"]
    assert all(why.startswith("bad_redirect:") for why in refused_as_invalid), done
    assert len(refused_as_invalid) <= 1
    outcomes = stack.rows(
        "SELECT outcome, reason FROM claims_fetchattempt WHERE source_id = ANY(%s)", ids
    )
    assert len(outcomes) == len(ids)
    assert set(outcomes) <= {("blocked", "blocked"), ("failed", "bad_redirect")}
    assert not stack.scalar("SELECT count(*) FROM claims_snapshot WHERE source_id = ANY(%s)", ids)
    # One request per cited page, the redirect itself; nothing came back here under another name.
    hits = [request.path for request in origin.received[seen_before:]]
    assert sorted(hits) == sorted(paths)


def test_a_body_over_the_limit_is_refused_with_413_json_by_the_web_process(stack, desk):
    huge = "The council spent 4.2 million dollars. " * 150_000
    with key_client(stack.base_url, desk["ingest_key"]) as cms:
        response = ingest(cms, {"title": "Too long", "body": huge})

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not stack.scalar("SELECT count(*) FROM claims_article WHERE title = 'Too long'")
