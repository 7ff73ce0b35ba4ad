"""Importing other publishers' fact-checks: formats, idempotence, updates in place, bad input."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from claims.models import ExternalFactCheck
from tests.claims.httpserver import page
from tests.claims.sourcing import fetch_settings  # noqa: F401

FIXTURE = Path(__file__).parent / "data" / "claimreview_fixture.json"


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_claimreview", *[str(a) for a in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.mark.django_db
def test_importing_a_claimreview_fixture_twice_changes_nothing_the_second_time():
    assert run(FIXTURE).strip() == f"{FIXTURE}: 2 new, 0 updated, 0 unchanged, 1 skipped"
    first = list(ExternalFactCheck.objects.order_by("url").values())
    assert run(FIXTURE).strip() == f"{FIXTURE}: 0 new, 0 updated, 2 unchanged, 1 skipped"
    assert list(ExternalFactCheck.objects.order_by("url").values()) == first
    ohio = ExternalFactCheck.objects.get(url__endswith="ohio-unemployment")
    assert (ohio.publisher, ohio.claimant, ohio.rating_text) == (
        "Checker",
        "Jane Doe",
        "Mostly False",
    )
    assert (ohio.rating_value, ohio.best_rating, ohio.worst_rating) == (2, 5, 1)
    assert str(ohio.reviewed_at) == "2026-10-02"
    harbour = ExternalFactCheck.objects.get(url__endswith="harbour-sale")
    assert (harbour.publisher, harbour.rating_text, harbour.claimant) == ("Checker", "False", "")


@pytest.mark.django_db
def test_a_re_import_updates_a_changed_review_in_place(tmp_path):
    run(FIXTURE)
    data = json.loads(FIXTURE.read_text())
    data["@graph"][0]["reviewRating"]["alternateName"] = "False"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(data))
    before = ExternalFactCheck.objects.get(url__endswith="ohio-unemployment")
    assert run(changed).strip() == f"{changed}: 0 new, 1 updated, 1 unchanged, 1 skipped"
    after = ExternalFactCheck.objects.get(url__endswith="ohio-unemployment")
    assert (after.pk, after.rating_text, after.imported_from) == (before.pk, "False", str(changed))
    assert ExternalFactCheck.objects.count() == 2


@pytest.mark.django_db
def test_html_pages_with_json_ld_blocks_and_json_lines_dumps_are_read(tmp_path):
    review = json.loads(FIXTURE.read_text())["@graph"][0]
    html = tmp_path / "page.html"
    html.write_text(
        "<html><head><script type='application/ld+json'>{broken</script>"
        f'<script type="application/ld+json">{json.dumps(review)}</script></head>'
        "<body><p>Our check</p></body></html>"
    )
    assert "1 new" in run(html)
    lines = tmp_path / "dump.jsonl"
    other = dict(review, url="https://other.example/check/1", claimReviewed="Other claim.")
    lines.write_text(json.dumps(review) + "\n\n" + json.dumps(other) + "\n")
    assert run(lines).strip() == f"{lines}: 1 new, 0 updated, 1 unchanged, 0 skipped"


@pytest.mark.django_db
@pytest.mark.usefixtures("fetch_settings")
def test_another_desks_claimreview_and_verdict_endpoints_import_through_the_fetcher(server):
    graph = json.loads(FIXTURE.read_text())
    verdict = {
        "id": 7,
        "url": "https://otherdesk.example/verdicts/7/",
        "claim": {"id": 3, "text": "The bridge cost 4 million dollars.", "start": 0, "end": 34},
        "article": {"id": 2, "title": "T", "author": "Sam Roe", "url": "", "publication": ""},
        "rating": {"slug": "false", "label": "False", "value": 1, "best": 5, "worst": 1},
        "summary": "It cost 2.1 million.",
        "published_at": "2026-11-01T10:00:00Z",
    }
    server.route(
        "/api/v1/articles/2/claimreview/",
        page(json.dumps(graph).encode(), content_type="application/ld+json"),
    )
    server.route(
        "/api/v1/verdicts/",
        page(json.dumps({"results": [verdict]}).encode(), content_type="application/json"),
    )
    output = run(server.url("/api/v1/articles/2/claimreview/"), server.url("/api/v1/verdicts/"))
    assert "2 new" in output.splitlines()[0]
    assert "1 new" in output.splitlines()[1]
    theirs = ExternalFactCheck.objects.get(url="https://otherdesk.example/verdicts/7/")
    assert (theirs.claimant, theirs.rating_text, theirs.publisher) == (
        "Sam Roe",
        "False",
        "otherdesk.example",
    )


@pytest.mark.django_db
def test_urls_go_through_the_ssrf_safe_fetcher():
    # Without the test allowance loopback is refused, as it is in production.
    with pytest.raises(CommandError, match=r"^http://127\.0\.0\.1:9/x: cannot fetch it"):
        run("http://127.0.0.1:9/x")
    assert not ExternalFactCheck.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a binary file"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"{not json", "not JSON"),
        (b"<html><body>no data</body></html>", "without JSON-LD script blocks"),
        (b'{"@type": "Article"}', "no ClaimReview found"),
        (
            b'{"@type": "ClaimReview", "url": "https://a.example/1", "claimReviewed": "x"}\n{oops',
            "line 2 is not JSON",
        ),
    ],
)
def test_bad_input_gets_a_one_line_error_and_writes_nothing(tmp_path, content, message):
    path = tmp_path / "input.json"
    path.write_bytes(content)
    with pytest.raises(CommandError) as error:
        run(path)
    assert "\n" not in str(error.value)
    assert str(error.value).startswith(f"{path}: ")
    assert message in str(error.value)
    assert not ExternalFactCheck.objects.exists()


@pytest.mark.django_db
def test_one_bad_source_does_not_stop_the_others(tmp_path):
    missing = tmp_path / "missing.json"
    out = io.StringIO()
    err = io.StringIO()
    with pytest.raises(CommandError, match="cannot read it"):
        call_command("import_claimreview", str(missing), str(FIXTURE), stdout=out, stderr=err)
    assert "2 new" in out.getvalue()
    assert ExternalFactCheck.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("fetch_settings")
def test_the_beat_job_re_pulls_configured_feeds_and_skips_a_failing_one(server, settings):
    from claims.tasks import pull_claimreview_feeds

    server.route(
        "/feed.json", page(FIXTURE.read_bytes(), content_type="application/json; charset=utf-8")
    )
    server.route("/gone.json", page(b"", status=404))
    settings.CLAIMREVIEW_FEEDS = [server.url("/gone.json"), server.url("/feed.json")]
    assert pull_claimreview_feeds.apply().get() == 1
    assert ExternalFactCheck.objects.count() == 2
    assert pull_claimreview_feeds.apply().get() == 1
    assert ExternalFactCheck.objects.count() == 2
