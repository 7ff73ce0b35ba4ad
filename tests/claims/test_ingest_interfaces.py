"""Manifests stay in their folder, article edits go through the service, origins are declared."""

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from claims.models import Article, ArticleEvent, Citation
from tests.factories import ArticleFactory, UserFactory
from tests.pages.factories import checked, piece
from tests.pages.test_verdict_page import archived

pytestmark = pytest.mark.django_db

PROSE = "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful.\n"


@pytest.mark.parametrize("where", ["../outside.txt", "sub/../../outside.txt", "absolute", "link"])
def test_a_manifest_naming_a_file_outside_its_folder_is_refused_and_nothing_ingested(
    tmp_path, where
):
    outside = tmp_path / "outside.txt"
    outside.write_text(PROSE)
    folder = tmp_path / "pieces"
    folder.mkdir()
    (folder / "inside.txt").write_text("Unemployment fell to 3.1 percent last year.\n")
    if where == "absolute":
        where = str(outside)
    elif where == "link":
        (folder / "link.txt").symlink_to(outside)
        where = "link.txt"
    manifest = folder / "manifest.json"
    manifest.write_text(
        json.dumps({"pieces": [{"path": "inside.txt", "title": "In"}, {"path": where}]})
    )

    with pytest.raises(CommandError, match="outside the manifest's folder"):
        call_command("ingest", str(manifest), stdout=io.StringIO())

    assert not Article.objects.exists()


def test_a_manifest_may_name_files_in_folders_below_it(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "piece.txt").write_text(PROSE)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"pieces": [{"path": "sub/piece.txt", "title": "Deep"}]}))

    call_command("ingest", str(manifest), stdout=io.StringIO())

    assert Article.objects.get().title == "Deep"


@pytest.fixture
def editor_client(client):
    editor = UserFactory(role="Editor")
    client.force_login(editor)
    client.editor = editor
    return client


def change_form(article, **changes) -> dict:
    data = {
        "title": article.title,
        "author": article.author,
        "publication": article.publication,
        "url": article.url,
        "published_at_0": "",
        "published_at_1": "",
        "embargo_until_0": "",
        "embargo_until_1": "",
        # The read-only inlines still send their management forms.
        "events-TOTAL_FORMS": "0",
        "events-INITIAL_FORMS": "0",
        "claims-TOTAL_FORMS": "0",
        "claims-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_the_article_admin_refuses_an_address_that_ingestion_would_refuse(editor_client):
    article = ArticleFactory(url="https://gazette.example/piece")
    url = reverse("admin:claims_article_change", args=[article.pk])

    response = editor_client.post(url, change_form(article, url="ftp://gazette.example/piece"))

    assert response.status_code == 200
    assert "is not an http(s) address for the piece" in response.content.decode()
    article.refresh_from_db()
    assert article.url == "https://gazette.example/piece"
    assert not ArticleEvent.objects.exists()


def test_an_embargo_set_in_the_admin_is_recorded_as_an_event(editor_client):
    article = ArticleFactory()
    url = reverse("admin:claims_article_change", args=[article.pk])

    response = editor_client.post(
        url,
        change_form(article, embargo_until_0="2030-01-01", embargo_until_1="09:00:00"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert article.embargo_until == datetime(2030, 1, 1, 9, tzinfo=UTC)
    event = ArticleEvent.objects.get()
    assert (event.action, event.actor) == (ArticleEvent.Action.EDIT, editor_client.editor)
    assert event.changes == {"embargo_until": [None, "2030-01-01T09:00:00+00:00"]}
    # The change page lists it.
    assert "2030-01-01T09:00:00+00:00" in editor_client.get(url).content.decode()


def test_a_url_a_fact_checker_cited_stays_private_after_their_account_is_deleted(client):
    ticket = checked(piece("The bridge cost 4 million dollars. Nobody asked why."), "The bridge")
    snapshot = archived("https://ledger.example/research", "The bridge cost 2 million dollars.")
    checker = UserFactory(role="Fact-checker")
    client.force_login(checker)
    response = client.post(
        f"/api/v1/claims/{ticket.claim_id}/citations/",
        {"url": "https://ledger.example/research"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    client.logout()
    archive = reverse("archive_page", args=[snapshot.pk])
    assert client.get(archive).status_code == 404

    checker.delete()

    citation = Citation.objects.get(source=snapshot.source)
    assert (citation.added_by, citation.origin) == (None, Citation.Origin.DESK)
    assert client.get(archive).status_code == 404


def test_the_article_admin_refuses_an_embargo_that_would_hide_published_verdicts(
    editor_client,
):
    article = piece("The bridge cost 4 million dollars. Nobody asked why.")
    ticket = checked(article, "The bridge cost 4 million dollars.")
    verdict_page = reverse("verdict_page", args=[ticket.verdict.pk])
    assert editor_client.get(verdict_page).status_code == 200
    url = reverse("admin:claims_article_change", args=[article.pk])

    response = editor_client.post(
        url, change_form(article, embargo_until_0="2030-01-01", embargo_until_1="09:00:00")
    )

    assert response.status_code == 200
    assert "Retract" in response.content.decode()
    article.refresh_from_db()
    assert article.embargo_until is None
    assert not ArticleEvent.objects.exists()
    assert editor_client.get(verdict_page).status_code == 200
    # Its other details stay editable, on the record.
    renamed = editor_client.post(url, change_form(article, title="The bridge, revisited"))
    assert renamed.status_code == 302
    article.refresh_from_db()
    assert article.title == "The bridge, revisited"


def test_an_edit_refused_at_save_shows_only_the_error_keeps_the_input_and_writes_nothing(
    editor_client, monkeypatch
):
    """Another editor publishes a verdict on the piece after the form's check, before the save."""
    from django.contrib.admin.models import LogEntry

    from claims.admin import articles as article_admin

    article = piece("The bridge cost 4 million dollars. Nobody asked why.")
    title = article.title
    url = reverse("admin:claims_article_change", args=[article.pk])
    form_check = article_admin.article_embargo_check
    published = []

    def check_then_another_editor_publishes(**kwargs):
        form_check(**kwargs)
        if not published:
            published.append(checked(article, "The bridge cost 4 million dollars."))

    monkeypatch.setattr(article_admin, "article_embargo_check", check_then_another_editor_publishes)

    response = editor_client.post(
        url,
        change_form(
            article,
            title="The bridge, held back",
            embargo_until_0="2030-01-01",
            embargo_until_1="09:00:00",
        ),
        follow=True,
    )

    page = response.content.decode()
    assert published, "the form's check ran"
    assert response.status_code == 200 and response.redirect_chain == []
    assert "Retract a verdict" in page
    assert "was changed successfully" not in page
    assert 'value="The bridge, held back"' in page and 'value="2030-01-01"' in page
    article.refresh_from_db()
    assert (article.title, article.embargo_until) == (title, None)
    assert not ArticleEvent.objects.exists()
    assert not LogEntry.objects.exists()
