"""`manage.py fetch_sources` fetches waiting sources here and now and sums up their states."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from claims.models import Source
from tests.claims.httpserver import page
from tests.claims.sourcing import REPORT_HTML, bridge_claim, cite, fetch_settings  # noqa: F401

# The command fetches in a thread pool, whose connections must see the test's rows.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fetch_settings")]

State = Source.State


def run(*args: str) -> str:
    out = StringIO()
    call_command("fetch_sources", *args, "--verbosity", "0", stdout=out)
    return out.getvalue()


def test_waiting_sources_are_fetched_and_summed_up(server):
    server.route("/report", page(REPORT_HTML))
    server.route("/gone", page(b"gone", status=404))
    server.route("/down", page(b"down", status=503))
    fetched = cite(server.url("/report"))
    failed = cite(server.url("/gone"))
    flaky = cite(server.url("/down"))

    output = run()

    assert Source.objects.get(pk=fetched.pk).state == State.FETCHED
    assert Source.objects.get(pk=failed.pk).state == State.FAILED
    assert Source.objects.get(pk=flaky.pk).state == State.PENDING
    assert "Fetched 3 waiting source(s) of 3: 1 pending, 1 fetched, 1 failed." in output
    assert "1 will be retried later" in output


def test_only_the_sources_of_one_claim_with_claim(server):
    server.route("/report", page(REPORT_HTML))
    claim = bridge_claim()
    mine = cite(server.url("/report"), claim)
    other = cite(server.url("/report?other=1"))

    run("--claim", str(claim.pk))

    assert Source.objects.get(pk=mine.pk).state == State.FETCHED
    assert Source.objects.get(pk=other.pk).state == State.PENDING


def test_failed_sources_are_retried_only_with_retry_failed(server):
    server.route("/report", page(REPORT_HTML))
    source = cite(server.url("/report"))
    Source.objects.filter(pk=source.pk).update(state=State.FAILED, attempts=5)

    run()
    assert Source.objects.get(pk=source.pk).state == State.FAILED

    run("--retry-failed")
    assert Source.objects.get(pk=source.pk).state == State.FETCHED


def test_an_unknown_claim_is_refused():
    with pytest.raises(CommandError, match="no claim #999999"):
        run("--claim", "999999")
