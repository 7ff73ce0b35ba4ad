"""One large piece must not take the desk down: lists defer bodies, pages stay small, removal works.

The piece has 30,000 claims, as the 1.74M-character piece of issue 15 had, made of short
sentences so that it ingests in seconds; `bench/admin.py` covers the full size.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import Article, Claim
from reviews.models import Intake, Ticket
from tests.reviews.factories import new_editor

CLAIMS = 30_000
LISTS = [
    "admin:reviews_ticket_changelist",
    "admin:claims_claim_changelist",
    "admin:claims_article_changelist",
    "admin:reviews_intake_changelist",
]
# A column of an article's text as it appears in SQL, whichever table alias selects it.
TEXT_COLUMN = re.compile(r'"claims_article"\."(body|plain_text)"|\bT\d+\."(body|plain_text)"')


def ingest(path, body: str) -> Article:
    path.write_text(body, encoding="utf-8")
    call_command("ingest", str(path), stdout=io.StringIO())
    return Article.objects.get(title=path.stem)


@pytest.fixture(scope="module")
def large(django_db_setup, django_db_blocker, tmp_path_factory):
    """Ingest a 30,000-claim piece once for the module, through `manage.py ingest`."""
    folder = tmp_path_factory.mktemp("large")
    lines = (
        " ".join(f"Depot {p * 10 + i} cost {i + 2} dollars." for i in range(10))
        for p in range(CLAIMS // 10)
    )
    with django_db_blocker.unblock():
        article = ingest(folder / "large", "\n".join(lines))
        yield article
        Article.objects.filter(pk=article.pk).delete()
        Intake.objects.filter(title="large").delete()


@pytest.fixture
def small(db, tmp_path):
    return ingest(tmp_path / "small", "The port moved 9.1 million containers in 2023.")


@pytest.fixture
def editor_client(client, db):
    client.force_login(new_editor(username="big-editor"))
    return client


def captured(client, url: str) -> list[str]:
    client.get(url)  # the first request fills Django's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return [query["sql"] for query in queries]


@pytest.mark.django_db
def test_the_large_piece_has_thirty_thousand_claims_each_with_a_ticket(large):
    assert Claim.objects.filter(article=large).count() == CLAIMS
    assert Ticket.objects.filter(claim__article=large).count() == CLAIMS


@pytest.mark.django_db
@pytest.mark.parametrize("page", LISTS)
def test_lists_never_load_article_bodies_and_cost_what_they_cost_for_a_small_piece(
    editor_client, large, small, page
):
    url = reverse(page)
    everything = captured(editor_client, url)
    assert not [sql for sql in everything if TEXT_COLUMN.search(sql)], everything
    # The same list narrowed to the large piece (a full page of rows) and to the small one.
    with_large = captured(editor_client, url + "?q=large")
    with_small = captured(editor_client, url + "?q=small")
    assert not [sql for sql in with_large if TEXT_COLUMN.search(sql)], with_large
    assert len(with_large) == len(with_small)


@pytest.mark.django_db
def test_the_article_page_lists_the_best_claims_and_links_to_the_rest(editor_client, large, small):
    url = reverse("admin:claims_article_change", args=[large.pk])
    page = editor_client.get(url).content.decode()
    table = page.split('<table class="claims-found">', 1)[1].split("</table>", 1)[0]
    assert table.count("<tr>") == 50
    assert "All 30,000 claims of this piece" in page
    assert f"?article__id__exact={large.pk}" in page
    small_url = reverse("admin:claims_article_change", args=[small.pk])
    assert len(captured(editor_client, url)) == len(captured(editor_client, small_url))


@pytest.mark.django_db
def test_an_editor_removes_the_large_piece_in_the_background_and_it_stays_on_record(
    editor_client, large, django_capture_on_commit_callbacks
):
    intake = Intake.objects.get(article=large)
    changelist = reverse("admin:reviews_intake_changelist")
    chosen = {"action": "remove_selected", "_selected_action": [intake.pk]}
    confirm = editor_client.post(changelist, chosen)
    assert "30000 claims" in confirm.content.decode() or "30,000" in confirm.content.decode()
    assert Article.objects.filter(pk=large.pk).exists()

    unexplained = editor_client.post(changelist, {**chosen, "confirm": "yes"})
    assert "Say why" in unexplained.content.decode()
    assert Article.objects.filter(pk=large.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            changelist, {**chosen, "confirm": "yes", "removal_reason": "Pasted twice by mistake."}
        )
    assert response.status_code == 302
    assert not Article.objects.filter(pk=large.pk).exists()
    assert not Claim.objects.filter(article_id=large.pk).exists()
    assert not Ticket.objects.filter(claim__article_id=large.pk).exists()
    intake.refresh_from_db()
    assert intake.state == Intake.State.REMOVED
    assert intake.removed_by.username == "big-editor"
    assert intake.removal_reason == "Pasted twice by mistake."
    assert "30,000 claims" in intake.progress
