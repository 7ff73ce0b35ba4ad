"""From the desk to the reader in a real browser: research, verdict, approval, public pages."""

import json
import re

import pytest
from django.core.management import call_command

from claims.models import Claim, Evidence, Source
from factcheck.celery import app as celery_app
from reviews.models import Rating, Ticket, Verdict
from reviews.services import article_receive
from reviews.workflow import Stage
from tests.claims.httpserver import LocalServer
from tests.claims.httpserver import page as serve
from tests.services import REPO

pytestmark = pytest.mark.browser

# The sentence stays whole: its second half ("built its entire AI strategy…") has no subject.
CLAIM = (
    "Microsoft poured more than thirteen billion dollars into OpenAI and built its entire AI "
    "strategy around the company’s models."
)
# Our own page about the investment, served from loopback as the reporting the claim relies on.
REPORT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>How Microsoft's stake in OpenAI grew, round by round</title>
<meta name="author" content="Desk test fixture">
<meta property="og:site_name" content="Loopback Business Review">
</head><body><article>
<h1>How Microsoft's stake in OpenAI grew, round by round</h1>
<p>Microsoft's relationship with OpenAI began with a single cheque. In 2019 the software
company agreed to invest one billion dollars in the research lab, much of it as credit for
computing time on its Azure cloud rather than as cash in the bank.</p>
<p>Further rounds followed in 2021 and early 2023. Taken together, the commitments announced by
the two companies bring Microsoft's total investment in OpenAI to roughly thirteen billion
dollars, a figure both sides have repeated in public statements.</p>
<p>Analysts caution that the sum is a commitment spread over several years. Part of it is paid
out as cloud capacity, so the cash that has actually changed hands is smaller than the
headline number.</p>
<p>In return, Microsoft gained rights to use OpenAI's models across its products, from its
search engine to its office software, and a share of the lab's future profits.</p>
</article></body></html>
"""


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/admin/")


def log_out(page) -> None:
    page.locator("#logout-form button").click()
    page.wait_for_load_state()


def errors_of(page) -> list[str]:
    """Start recording the page's console errors (CSP violations are reported there)."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def desk(browser_db, settings, tmp_path):
    """Set the demo desk up: its accounts, the sample piece, and a source to cite on loopback."""
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", verbosity=0)
    settings.DEBUG = False
    call_command("ingest", str(REPO / "seeds" / "manifest.json"), verbosity=0)
    # The cited source is fetched, archived and ranked in-process while the page posts. Read
    # Celery's own flag first: its first read loads it from the Django setting changed below.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    server = LocalServer().start()
    server.route("/microsoft-openai", serve(REPORT.encode()))
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [server.port]
    settings.MEDIA_ROOT = tmp_path / "media"
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    try:
        yield {"credentials": credentials, "source_url": server.url("/microsoft-openai")}
    finally:
        server.stop()
        celery_app.conf.task_always_eager = eager


def test_a_verdict_goes_from_the_desk_to_the_readers_page(
    desk, chromium, live_server, screenshots, matching
):
    base = live_server.url
    passwords = desk["credentials"]
    claim = Claim.objects.get(text=CLAIM)
    ticket_url = f"{base}/admin/reviews/ticket/{claim.ticket.pk}/change/"
    staff = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = staff.new_page()
    admin_errors = errors_of(page)

    # The fact-checker opens the claim from the dashboard.
    log_in(page, base, "factchecker", passwords["factchecker"])
    screenshots(page, "dashboard-fact-checker")
    page.locator(".stage-counts").get_by_role("link", name=re.compile("^New")).click()
    page.get_by_role("link", name=CLAIM[:100]).click()  # lists shorten long claims
    page.wait_for_url(re.compile(re.escape(ticket_url)))
    assert page.locator(".claim-context mark").inner_text() == CLAIM
    screenshots(page, "claim-page")
    page.get_by_role("button", name="Queue for research").click()
    page.get_by_role("button", name="Take it").click()
    assert page.locator("#ticket-stage").inner_text() == "Researching"

    # Cite the reporting: it is fetched, archived and its passages ranked for the claim.
    page.get_by_label("Add a source").fill(desk["source_url"])
    page.get_by_role("button", name="Add source").click()
    best = page.locator(".desk-passage").first
    assert "thirteen billion" in best.locator("blockquote").inner_text()
    screenshots(page, "passages-ranked")

    # Pin the best passage, then write the verdict relying on it.
    best.get_by_label("Supports").check()
    best.get_by_role("button", name="Pin passage 1").click()
    assert "Pinned as supports" in page.locator(".desk-passage").first.inner_text()
    evidence = Evidence.objects.get(claim=claim)
    screenshots(page, "passage-pinned")
    form = page.locator(".desk-verdict-form")
    mostly_true = Rating.objects.get(slug="mostly-true")
    form.locator(f'input[name="rating"][value="{mostly_true.pk}"]').check()
    form.get_by_label("Summary").fill(
        "Microsoft's commitments add up to about thirteen billion dollars, partly as cloud credit."
    )
    form.get_by_label("Explanation").fill(
        "The companies' announcements put the total at roughly thirteen billion dollars.\n\n"
        "Part of it is paid as Azure capacity, so “poured” overstates the cash a little."
    )
    # The claim is too long to show whole in search results: the form only hints at a cut.
    short = form.get_by_label("Short claim")
    assert short.input_value() == "" and short.get_attribute("placeholder").endswith("…")
    short.fill("Microsoft put over $13bn into OpenAI")
    assert form.locator(f'input[name="evidence"][value="{evidence.pk}"]').is_checked()
    form.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for review").click()
    assert page.locator("#ticket-stage").inner_text() == "In review"
    screenshots(page, "verdict-submitted")
    log_out(page)

    # The editor approves and publishes it.
    log_in(page, base, "editor", passwords["editor"])
    screenshots(page, "dashboard-editor")
    page.locator(".stage-counts").get_by_role("link", name=re.compile("^In review")).click()
    page.get_by_role("link", name=CLAIM[:100]).click()  # lists shorten long claims
    page.wait_for_url(re.compile(re.escape(ticket_url)))
    page.locator(".desk-vote-form").get_by_role("button", name="Approve").click()
    assert page.locator("#ticket-stage").inner_text() == "Approved"
    page.get_by_role("button", name="Publish").click()
    assert page.locator("#ticket-stage").inner_text() == "Published"
    screenshots(page, "published")
    assert not [e for e in admin_errors if "Content Security Policy" in e], admin_errors
    staff.close()

    verdict = Verdict.objects.get(ticket__claim=claim)
    assert Ticket.objects.get(claim=claim).stage == Stage.PUBLISHED
    assert [copy.pinned for copy in verdict.published_revision.evidence.all()] == [evidence]

    # A reader, keyboard only, finds the highlight and follows it to the verdict.
    reader = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = reader.new_page()
    reader_errors = errors_of(page)
    article = claim.article
    page.goto(f"{base}/articles/{article.slug}/")
    mark = page.locator(f"#claim-{claim.pk} mark")
    assert mark.inner_text() == CLAIM
    assert page.locator("a.claim-link").count() == 1, "claims not yet published stay unmarked"
    assert "Mostly true" in page.locator(f"#claim-{claim.pk}").inner_text()
    screenshots(page, "article-highlighted")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    for _ in range(40):
        if page.evaluate("document.activeElement.id") == f"claim-{claim.pk}":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"claim-{claim.pk}"
    screenshots(page, "highlight-focused")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/verdicts/{verdict.pk}/")
    screenshots(page, "verdict-page")

    # The embedded ClaimReview is exactly what the API serves.
    embedded = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    api = reader.request.get(f"{base}/api/v1/verdicts/{verdict.pk}/claimreview/")
    assert api.ok
    assert embedded == api.json()
    # claimReviewed is the short claim the fact-checker wrote (at most 75 characters).
    assert embedded["claimReviewed"] == verdict.published_revision.short_claim
    assert embedded["claimReviewed"] == "Microsoft put over $13bn into OpenAI"
    assert embedded["reviewRating"]["alternateName"] == "Mostly true"

    # The archived copy of the source is one click away.
    page.get_by_role("link", name=re.compile("^Archived copy")).click()
    assert "roughly thirteen billion" in page.locator(".archived-text").inner_text()
    screenshots(page, "archived-source")
    assert reader_errors == [], reader_errors
    reader.close()

    # Without JavaScript the pages read the same.
    plain = chromium.new_context(java_script_enabled=False)
    page = plain.new_page()
    page.goto(f"{base}/articles/{article.slug}/")
    assert page.locator(f"#claim-{claim.pk} mark").inner_text() == CLAIM
    plain.close()
    assert claim.citations.get().source.state == Source.State.FETCHED

    # A new piece repeats the claim: the editor sees the match and reuses the verdict (it puts
    # the verdict on the new piece's public page, so it is an editor's call).
    repeated = article_receive(
        body="Microsoft poured more than thirteen billion dollars into OpenAI, the memo shows.",
        title="Another column on the memo",
    ).article
    new_ticket = Ticket.objects.get(claim__article=repeated)
    staff = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = staff.new_page()
    log_in(page, base, "editor", passwords["editor"])
    page.goto(f"{base}/admin/reviews/ticket/{new_ticket.pk}/change/")
    matches = page.locator("#matches")
    assert CLAIM in matches.inner_text()
    assert "ours" in matches.inner_text()
    screenshots(page, "match-on-ticket")
    matches.get_by_role("button", name="Reuse that verdict").click()
    assert page.locator("#ticket-stage").inner_text() == "Dismissed"
    assert page.locator(".desk-duplicate a").first.inner_text() == f"#{claim.ticket.pk}"
    new_ticket.refresh_from_db()
    assert (new_ticket.duplicate_of_id, new_ticket.reuses_verdict_id) == (
        claim.ticket.pk,
        verdict.pk,
    )
    staff.close()
