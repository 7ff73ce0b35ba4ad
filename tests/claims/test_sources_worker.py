"""With a real thread-pool worker on real Redis, every cited source ends fetched exactly once."""

import signal
import socket
import threading
import time
import uuid

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.extraction import Link
from claims.models import FetchAttempt, Passage, Snapshot, Source
from claims.services import citations_from_links, sources_schedule, sources_sweep
from tests.claims.httpserver import page, reply
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite
from tests.factcheck.test_settings import run_python

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

State = Source.State
Outcome = FetchAttempt.Outcome


@pytest.fixture
def fetch_env(server, settings, tmp_path) -> dict[str, str]:
    """Point this process and its workers at a queue of their own and the local server."""
    queue = f"test-fetch-{uuid.uuid4().hex[:8]}"
    env = {
        "FETCH_QUEUE": queue,
        "FETCH_ALLOW_PRIVATE_NETWORKS": "1",
        "FETCH_ALLOWED_PORTS": str(server.port),
        "FETCH_RETRY_BACKOFF_SECONDS": "0.2",
        "FETCH_LEASE_SECONDS": "3",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    settings.FETCH_QUEUE = queue
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [server.port]
    settings.MEDIA_ROOT = tmp_path / "media"
    return env


@pytest.fixture
def start_worker(celery_worker_process, fetch_env):
    def start():
        return celery_worker_process(
            queues=[fetch_env["FETCH_QUEUE"]], pool="threads", concurrency=8, env=fetch_env
        )

    return start


def wait_for(predicate, *, timeout: float = 45, workers=()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    logs = "\n".join(worker.log() for worker in workers)
    states = list(Source.objects.values_list("id", "state", "state_reason"))
    raise AssertionError(f"timed out; sources: {states}\nworker logs:\n{logs}")


def schedule(*sources: Source) -> None:
    with transaction.atomic():
        sources_schedule(source_ids=[source.pk for source in sources])


def test_a_cited_source_is_fetched_end_to_end_retrying_a_500(server, start_worker):
    calls = iter(range(1000))

    def flaky(request):
        if next(calls) == 0:
            reply(request, status=500, body=b"down")
        else:
            reply(request, body=REPORT_HTML)

    server.route("/report", flaky)
    claim = bridge_claim()
    source = cite(server.url("/report"), claim)
    worker = start_worker()

    schedule(source)

    wait_for(lambda: Source.objects.get(pk=source.pk).state == State.FETCHED, workers=[worker])
    attempts = FetchAttempt.objects.filter(source=source).order_by("started_at", "id")
    assert [a.outcome for a in attempts] == [Outcome.RETRYING, Outcome.SUCCEEDED]
    assert Snapshot.objects.filter(source=source).count() == 1
    assert Passage.objects.filter(claim=claim).exists()


def test_a_worker_killed_mid_fetch_still_ends_with_one_fetch(server, start_worker):
    release = threading.Event()
    hung = threading.Event()

    def hang_first(request):
        if not hung.is_set():
            hung.set()
            release.wait(60)
        reply(request, body=REPORT_HTML)

    server.route("/report", hang_first)
    source = cite(server.url("/report"))
    first = start_worker()
    try:
        schedule(source)
        wait_for(hung.is_set, workers=[first])
        assert Source.objects.get(pk=source.pk).state == State.FETCHING

        first.kill(signal.SIGKILL)
        second = start_worker()
        # The lease (3 s here) runs out; the sweeper takes the source back and queues it.
        wait_for(lambda: sources_sweep() > 0, workers=[second])
        wait_for(lambda: Source.objects.get(pk=source.pk).state == State.FETCHED, workers=[second])
    finally:
        release.set()

    assert Snapshot.objects.filter(source=source).count() == 1
    outcomes = list(
        FetchAttempt.objects.filter(source=source).order_by("id").values_list("outcome", flat=True)
    )
    assert outcomes == [Outcome.ABANDONED, Outcome.SUCCEEDED]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


INGEST_WITH_BROKER_DOWN = """
import django, sys, time
django.setup()
from django.db import transaction
from claims.extraction import Link
from claims.models import Article
from claims.services import citations_from_links
article = Article.objects.get(pk=int(sys.argv[1]))
links = [Link(href, 0, 10) for href in sys.argv[2:]]
started = time.monotonic()
with transaction.atomic():
    citations_from_links(article=article, claims=list(article.claims.all()), links=links)
print(f"{time.monotonic() - started:.2f}")
"""


def test_ingestion_with_the_broker_unreachable_succeeds_and_the_sweeper_finishes_later(
    server, start_worker, fetch_env
):
    server.route("/report", page(REPORT_HTML))
    claim = bridge_claim()
    urls = [server.url(f"/report?n={n}") for n in range(3)]
    db = settings.DATABASES["default"]
    env = {
        **fetch_env,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{closed_port()}/3",
    }
    code = INGEST_WITH_BROKER_DOWN.replace("sys.argv[1]", str(claim.article_id)).replace(
        "sys.argv[2:]", repr(urls)
    )

    result = run_python(code, env)

    assert result.returncode == 0, result.stderr
    assert "not queued now" in result.stderr
    sources = Source.objects.filter(citations__claim=claim)
    assert sources.count() == 3
    assert all(s.state == State.PENDING and s.next_attempt_at <= timezone.now() for s in sources)

    worker = start_worker()
    assert sources_sweep() == 3
    wait_for(lambda: not sources.exclude(state=State.FETCHED).exists(), workers=[worker])
    assert Snapshot.objects.filter(source__in=sources).count() == 3
    assert len(server.received) == 3


def test_links_become_sources_the_worker_fetches(server, start_worker):
    server.route("/report", page(REPORT_HTML))
    claim = bridge_claim()
    worker = start_worker()

    with transaction.atomic():
        citations_from_links(
            article=claim.article,
            claims=[claim],
            links=[Link(server.url("/report"), 4, 11)],
        )

    source = Source.objects.get()
    wait_for(lambda: Source.objects.get(pk=source.pk).state == State.FETCHED, workers=[worker])
    assert Passage.objects.filter(claim=claim, snapshot__source=source).exists()
