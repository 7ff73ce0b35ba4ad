"""A piece that repeats a claim the desk already ruled on is marked with that published verdict."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.services.matching import ticket_reuse_verdict
from reviews.workflow import Stage
from tests.pages.factories import checked, piece, verdict_of
from tests.reviews.factories import new_editor, rating, ticket_in

pytestmark = pytest.mark.django_db

OLD = "Unemployment rose to 9 percent in Ohio last spring, the governor said."
NEW = (
    "The columnist is right about one thing.\n"
    "Unemployment rose to 9 percent in Ohio. The rest is spin.\n"
    "Wages doubled since 2010."
)
REPEAT = "Unemployment rose to 9 percent in Ohio."
WAGES = "Wages doubled since 2010."
CORRECTED = "CORRECTED-WORDING: the state table gives 5.1 percent."


def page_of(client, article, **headers):
    return client.get(reverse("article_page", args=[article.slug]), **headers)


@pytest.fixture
def old(checker):
    """Return a published ticket, researched by `checker`, on the claim the new piece repeats."""
    ticket = ticket_in(Stage.PUBLISHED, assignee=checker, text=OLD)
    revision = ticket.verdict.published_revision
    revision.summary = "Ohio's own figures say 5 percent."
    revision.rating = rating("false")
    revision.save(update_fields=["summary", "rating"])
    return ticket


def reusing(article, snippet, verdict, *, by):
    """Return the ticket of `snippet` in `article`, dismissed as reusing `verdict`."""
    ticket = checked(article, snippet, Stage.NEW)
    return ticket_reuse_verdict(ticket=ticket, by=by, verdict=verdict)


@pytest.fixture
def editor2(db):
    return new_editor(username="editor2")


def open_correction(ticket, *, checker, editor, summary):
    """Open a correction on `ticket` and save a draft with `summary`, unpublished."""
    services.correction_open(ticket=ticket, by=editor, note="A reader sent the state's table.")
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("mostly-false"),
        summary=summary,
        short_claim="Ohio unemployment 9 percent",
        explanation="The state's table gives 5.1 percent.",
    )


def test_a_piece_whose_only_verdict_is_reused_is_public_and_marked_with_it(
    client, checker, editor, old
):
    article = piece(NEW)
    assert page_of(client, article).status_code == 404
    new = reusing(article, REPEAT, old.verdict, by=editor)
    response = page_of(client, article)
    assert response.status_code == 200
    html = response.content.decode()
    href = f"/verdicts/{old.verdict.pk}/"
    assert (
        f'<a class="claim-link" href="{href}" id="claim-{new.claim_id}">'
        f'<mark class="claim-mark rating-false">{REPEAT}</mark>'
    ) in html
    section = html.split('id="already-checked"')[1].split("</section>")[0]
    assert "Claims the desk had already checked" in section
    assert f'href="{href}"' in section and "Ohio&#x27;s own figures say 5 percent." in section
    assert f'href="/articles/{old.claim.article.slug}/"' in section
    # No feed of its own verdicts to offer, and none of the piece's other claims is marked.
    assert f"/articles/{article.slug}/verdicts.atom" not in html
    assert "claim-mark" not in html.split(WAGES)[0].split(REPEAT)[1]


def test_own_and_reused_verdicts_show_side_by_side(client, checker, editor, old):
    article = piece(NEW)
    wages = checked(article, WAGES, rated="true")
    reusing(article, REPEAT, old.verdict, by=editor)
    html = page_of(client, article).content.decode()
    own = html.split('id="verdicts-title"')[1].split("</section>")[0]
    assert f"/verdicts/{verdict_of(wages).pk}/" in own
    assert f"/verdicts/{old.verdict.pk}/" not in own
    assert f"/verdicts/{old.verdict.pk}/" in html.split('id="already-checked"')[1]


def test_a_correction_to_the_reused_verdict_moves_the_page_and_its_draft_never_shows(
    client, checker, editor, editor2, old
):
    article = piece(NEW)
    reusing(article, REPEAT, old.verdict, by=editor)
    first = page_of(client, article)
    etag = first["ETag"]
    assert page_of(client, article, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # A correction under way is a draft: the page still shows the published revision.
    open_correction(old, checker=checker, editor=editor, summary=CORRECTED)
    during = page_of(client, article, HTTP_IF_NONE_MATCH=etag)
    assert during.status_code == 304
    during = page_of(client, article)
    assert CORRECTED not in during.content.decode()
    assert "Ohio&#x27;s own figures say 5 percent." in during.content.decode()
    # Publishing it changes what the page shows, so the page's ETag moves with it.
    services.verdict_submit(ticket=old, by=checker)
    services.vote_cast(ticket=old, by=editor2, approve=True)
    services.verdict_publish(ticket=old, by=editor, correction_note="Wrong month.")
    after = page_of(client, article, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    html = after.content.decode()
    assert CORRECTED in html and "rating-mostly-false" in html


def test_marking_a_claim_with_a_verdict_moves_the_page(client, checker, editor, old):
    article = piece(NEW)
    checked(article, WAGES, rated="true")
    etag = page_of(client, article)["ETag"]
    reusing(article, REPEAT, old.verdict, by=editor)
    after = page_of(client, article, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200
    assert 'id="already-checked"' in after.content.decode()


def test_a_reused_verdict_put_back_under_embargo_leaves_the_page(client, checker, editor, old):
    article = piece(NEW)
    reusing(article, REPEAT, old.verdict, by=editor)
    original = old.claim.article
    original.embargo_until = timezone.now() + timedelta(days=1)
    original.save(update_fields=["embargo_until"])
    assert page_of(client, article).status_code == 404


def test_a_piece_under_embargo_shows_nothing_even_with_a_reused_verdict(
    client, checker, editor, old
):
    article = piece(NEW, embargo_until=timezone.now() + timedelta(days=1))
    reusing(article, REPEAT, old.verdict, by=editor)
    assert page_of(client, article).status_code == 404


def test_the_page_costs_the_same_queries_with_one_reused_verdict_or_several(
    client, checker, editor, old, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    article = piece(NEW)
    reusing(article, REPEAT, old.verdict, by=editor)
    with CaptureQueriesContext(connection) as one:
        assert page_of(client, article).status_code == 200
    other = ticket_in(Stage.PUBLISHED, text="Wages doubled in Ohio since 2010.")
    reusing(article, WAGES, other.verdict, by=editor)
    with django_assert_num_queries(len(one)):
        html = page_of(client, article).content.decode()
    assert html.count('class="verdict-item') == 2


def test_a_fact_checker_cannot_take_a_reused_verdict_off_the_piece(client, checker, editor, old):
    article = piece(NEW)
    new = reusing(article, REPEAT, old.verdict, by=editor)
    other = checked(article, WAGES, Stage.QUEUED)
    shown = page_of(client, article)
    assert shown.status_code == 200
    desk = reverse("admin:reviews_ticket_change", args=[new.pk])
    client.force_login(checker)
    # Reopening keeps the mark (the public page does not change); marking the ticket a
    # duplicate of another ticket would drop the reused verdict from the piece's page.
    new.refresh_from_db()
    assert client.post(desk, {"action": "reopen", "version": new.version}).status_code == 302
    new.refresh_from_db()
    assert (new.stage, new.reuses_verdict_id) == (Stage.NEW, old.verdict.pk)
    client.post(desk, {"action": "duplicate", "target": other.pk, "version": new.version})
    new.refresh_from_db()
    assert (new.stage, new.reuses_verdict_id) == (Stage.NEW, old.verdict.pk)
    client.logout()
    still = page_of(client, article)
    assert still.status_code == 200 and 'id="already-checked"' in still.content.decode()
    # An editor may: it is the same call as reusing it.
    client.force_login(editor)
    client.post(desk, {"action": "duplicate", "target": other.pk, "version": new.version})
    new.refresh_from_db()
    assert (new.stage, new.reuses_verdict_id, new.duplicate_of_id) == (
        Stage.DISMISSED,
        None,
        other.pk,
    )
    client.logout()
    assert page_of(client, article).status_code == 404
