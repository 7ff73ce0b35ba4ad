"""A newsroom's day in a real browser: add a piece, pin a selected span, vote from the top.

Screens are photographed at a laptop's 1366×768 and a phone's 390×844, and none of them may
scroll sideways.
"""

import json
import re

import pytest
from django.core.management import call_command

from claims.models import Claim, Evidence, Source
from factcheck.celery import app as celery_app
from reviews.models import Ticket
from reviews.workflow import Stage
from tests.browser.test_desk_to_reader import errors_of, log_in, log_out
from tests.claims.httpserver import LocalServer
from tests.claims.httpserver import page as serve

pytestmark = pytest.mark.browser

CLAIM = "The council spent 2.1 million dollars on the harbour bridge repairs in 2023."
PIECE = (
    "A bridge too costly\n\n"
    f"{CLAIM} I think the money would have done more good in the schools.\n\n"
    "The mayor promised a second crossing by 2030."
)
# The span the fact-checker selects: the audit's caveat, not the best-ranked paragraph.
SPAN = "a further 0.4 million dollars was booked in 2024 for the same works"
# Enough minutes that ranking keeps only some of the passages that mention the repairs.
MINUTES = "\n".join(
    f"<p>Minutes {i}: the council's bridge committee met in 2023 to discuss the repairs, the "
    f"dollars spent so far and what the harbour crossing still needs before the winter.</p>"
    for i in range(1, 40)
)
REPORT = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge audit, 2023 accounts</title>
</head><body><article>
<h1>Harbour bridge audit, 2023 accounts</h1>
<p>The municipal auditor reviewed the council's accounts for the harbour bridge in 2023. The
repairs cost the council 2.1 million dollars in that year, according to the audited figures.</p>
<p>Contractors were paid in three instalments. The largest, in September, covered the deck and
the railings; the two others paid for the survey and the scaffolding.</p>
<p>The auditor adds that {SPAN}, so the total bill for the repairs is higher than the 2023
accounts alone suggest.</p>
{MINUTES}
<p>See https://harbour-council.example/accounts/2023/annex/bridge-repairs/instalments/detailed
for the full annex of payments with every invoice the council received.</p>
</article></body></html>
"""
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def newsroom(browser_db, settings, tmp_path):
    """The demo desk's accounts, and an audit report to cite, served on loopback."""
    settings.DEBUG = True
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", verbosity=0)
    settings.DEBUG = False
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    server = LocalServer().start()
    server.route("/bridge-audit", serve(REPORT.encode()))
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [server.port]
    settings.MEDIA_ROOT = tmp_path / "media"
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    try:
        yield {"credentials": credentials, "source_url": server.url("/bridge-audit")}
    finally:
        server.stop()
        celery_app.conf.task_always_eager = eager


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        # Name the widest elements that stick out, so the failure says what to fix.
        culprits = page.evaluate(
            """() => [...document.querySelectorAll("body *")]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .map((e) => `${e.tagName.toLowerCase()}.${e.className}#${e.id}`
                + ` ${Math.round(e.getBoundingClientRect().right)}`)
              .slice(0, 12)"""
        )
        pytest.fail(f"{page.url} scrolls sideways: {width}; too wide: {culprits}")


def photograph(page, screenshots, name: str) -> None:
    """Screenshot the page at the laptop and the phone size; neither may scroll sideways."""
    for label, size in (("1366", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.wait_for_timeout(50)
        no_sideways_scroll(page)
        path = screenshots(page, f"{name}-{label}")
        assert path.stat().st_size > 0
    page.set_viewport_size(LAPTOP)


def select_in_archived_text(page, text: str) -> None:
    """Select `text` in the archived copy as a person would, ending with a mouse release."""
    page.evaluate(
        """(wanted) => {
          const box = document.querySelector(".desk-archived");
          box.open = true;
          const para = [...box.querySelectorAll(".snapshot-text .snapshot-para")]
            .find((p) => p.textContent.includes(wanted));
          const node = para.firstChild;
          const at = node.textContent.indexOf(wanted);
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + wanted.length);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          document.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        text,
    )


def test_a_piece_is_added_a_span_pinned_and_the_editor_votes_from_the_top(
    newsroom, chromium, live_server, screenshots
):
    base = live_server.url
    passwords = newsroom["credentials"]
    staff = chromium.new_context(viewport=LAPTOP)
    page = staff.new_page()
    errors = errors_of(page)

    # The fact-checker pastes the piece on the Add piece screen and sees its claims ranked.
    log_in(page, base, "factchecker", passwords["factchecker"])
    photograph(page, screenshots, "dashboard")
    page.get_by_role("link", name="Add piece").click()
    page.get_by_label("Title").fill("A bridge too costly")
    page.get_by_label("Text").fill(PIECE)
    page.get_by_label("Author (the claimant)").fill("A. Columnist")
    photograph(page, screenshots, "add-piece")
    page.get_by_role("button", name="Ingest the piece").click()
    page.get_by_role("link", name=CLAIM).first.wait_for()
    photograph(page, screenshots, "piece-ingested")
    claim = Claim.objects.get(text=CLAIM)
    ticket_url = f"{base}/admin/reviews/ticket/{claim.ticket.pk}/change/"

    # From the ranked claims to the ticket: queue it, take it, cite the audit.
    page.get_by_role("link", name=CLAIM).first.click()
    page.wait_for_url(re.compile(re.escape(ticket_url)))
    page.get_by_role("button", name="Queue for research").click()
    page.get_by_role("button", name="Take it").click()
    page.get_by_label("Add a source").fill(newsroom["source_url"])
    page.get_by_role("button", name="Add source").click()
    # The click answers with a redirect to the ticket page; wait for that page, not the old one.
    page.wait_for_selector("text=Source added", timeout=30_000)
    source = Source.objects.get(citations__claim=claim)
    assert page.locator(".desk-archived").count() == 1, (source.state, source.state_reason)

    # More candidates on demand, then a selected span of the archived text, pinned as context.
    page.get_by_role("link", name="Show more candidates").click()
    page.wait_for_selector("text=Show fewer candidates", timeout=30_000)
    assert page.locator(".desk-candidates .snapshot-para").count() >= 1
    select_in_archived_text(page, SPAN)
    span_form = page.locator(".desk-span-form")
    assert SPAN in span_form.locator(".span-preview").inner_text()
    span_form.get_by_label("Context").check()
    span_form.locator("input[name=note]").fill("The 2024 bookings add to the 2023 figure.")
    photograph(page, screenshots, "span-selected")
    span_form.get_by_role("button", name="Pin selection").click()
    evidence = Evidence.objects.get(claim=claim)
    snapshot_text = evidence.snapshot.text
    assert evidence.quote == SPAN == snapshot_text[evidence.start : evidence.end]
    assert (evidence.stance, evidence.passage) == ("context", None)
    assert SPAN in page.locator(".desk-evidence").inner_text()

    # The verdict relies on the pinned span; it goes to review.
    form = page.locator(".desk-verdict-form")
    form.locator("input[name=rating]").first.check()
    form.get_by_label("Summary").fill("The 2023 figure is right, but the full bill is higher.")
    form.get_by_label("Explanation").fill("The audit confirms 2.1 million, and 0.4 more in 2024.")
    assert form.locator(f'input[name="evidence"][value="{evidence.pk}"]').is_checked()
    form.get_by_role("button", name="Save draft").click()
    page.get_by_role("button", name="Submit for review").click()
    assert page.locator("#ticket-stage").inner_text() == "In review"
    log_out(page)

    # The editor finds the vote at the top, with the one way to send it back beside it.
    log_in(page, base, "editor", passwords["editor"])
    page.goto(ticket_url)
    actions = page.locator(".desk-actions")
    assert actions.locator(".desk-vote-form").count() == 1
    assert actions.get_by_role("button", name="Request changes: send it back").count() == 1
    assert page.get_by_text("Reject", exact=False).count() == 0
    vote_top = actions.locator(".desk-vote-form").bounding_box()["y"]
    assert vote_top < page.locator(".desk-work").bounding_box()["y"]
    photograph(page, screenshots, "ticket-in-review")
    actions.locator(".desk-vote-form").get_by_role("button", name="Approve").click()
    assert page.locator("#ticket-stage").inner_text() == "Approved"
    timeline = page.locator("#timeline").inner_text()
    assert "evidence: [" not in timeline and "rating:" not in timeline
    photograph(page, screenshots, "ticket-approved")

    # The ticket list at a laptop's width shows every column whole, the rating included.
    page.goto(f"{base}/admin/reviews/ticket/")
    results = page.locator("#changelist .results").bounding_box()
    rating = page.locator("#result_list thead th.column-rating_shown").bounding_box()
    claim_cell = page.locator("#result_list td.field-claim_text").first.bounding_box()
    assert rating["x"] + rating["width"] <= results["x"] + results["width"] + 1
    assert claim_cell["width"] >= 200
    photograph(page, screenshots, "ticket-list")
    # On a phone the action bar's choices stay usable, not squeezed to nothing.
    page.set_viewport_size(PHONE)
    for select in page.locator("#changelist .actions select").all():
        assert select.bounding_box()["width"] >= 100
    page.set_viewport_size(LAPTOP)
    assert Ticket.objects.get(claim=claim).stage == Stage.APPROVED
    assert not [e for e in errors if "Content Security Policy" in e], errors
    staff.close()
