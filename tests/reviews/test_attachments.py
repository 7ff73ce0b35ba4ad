"""Files as evidence: uploaded on the ticket page, typed by content, public once relied on."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Attachment
from reviews import services
from reviews.models import Event, Intake, RevisionAttachment
from reviews.workflow import Stage
from tests.reviews.factories import new_editor, new_fact_checker, rating, ticket_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def attach(client, ticket, content: bytes, name: str, caption: str = "Screenshot of the post"):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(page(ticket), {"action": "attach", "file": upload, "caption": caption})


def researching():
    checker = new_fact_checker(username="fc")
    return ticket_in(Stage.RESEARCHING, assignee=checker, draft=False), checker


def save_draft(ticket, by, summary="The post was doctored."):
    ticket.refresh_from_db()
    return services.verdict_save_draft(
        ticket=ticket,
        by=by,
        rating=rating("false"),
        summary=summary,
        explanation="The original post shows another figure.",
        short_claim="The post shows 4 million dollars",
        evidence=[],
    )


def publish(ticket, checker):
    editor = new_editor(username="ed")
    ticket.refresh_from_db()
    services.verdict_submit(ticket=ticket, by=checker)
    ticket.refresh_from_db()
    services.vote_cast(ticket=ticket, by=editor, approve=True, rating=rating("false"))
    ticket.refresh_from_db()
    services.verdict_publish(ticket=ticket, by=editor)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (PNG, "post.pdf", "image/png"),
        (PDF, "report.png", "application/pdf"),
        (
            docx(),
            "notes.txt",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_a_fact_checker_uploads_a_file_typed_by_its_content_not_its_name(
    client, media, content, name, kind
):
    ticket, checker = researching()
    client.force_login(checker)
    response = attach(client, ticket, content, name)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == kind
    assert attachment.original_name == name
    assert attachment.file.name.startswith("attachments/")
    assert (media / attachment.file.name).read_bytes() == content
    event = Event.objects.get(action="attach")
    assert event.data["attachment"] == attachment.pk
    html = client.get(page(ticket)).content.decode()
    assert "Screenshot of the post" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "name", "said"),
    [
        (b"<svg onload=alert(1)>", "chart.png", "its name does not count"),
        (b"PK\x03\x04not really a zip", "memo.docx", "its name does not count"),
        (b"MZ\x90\x00 an executable", "report.pdf", "its name does not count"),
        (b"", "empty.png", "The file is empty"),
    ],
)
def test_a_file_of_another_type_or_empty_is_refused_with_the_reason(client, content, name, said):
    ticket, checker = researching()
    client.force_login(checker)
    response = attach(client, ticket, content, name)
    assert response.status_code == 400
    assert said in response.content.decode()
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(client, settings):
    settings.DESK_ATTACHMENT_MAX_BYTES = 32
    ticket, checker = researching()
    client.force_login(checker)
    response = attach(client, ticket, PNG, "big.png")
    assert response.status_code == 400
    assert "the desk takes files up to 32 bytes" in response.content.decode()
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_someone_else_cannot_attach_to_a_ticket_they_do_not_work_on(client):
    ticket, _checker = researching()
    client.force_login(new_fact_checker(username="other"))
    response = attach(client, ticket, PNG, "post.png")
    assert response.status_code == 403
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_a_file_is_served_only_once_a_published_revision_relies_on_it(client):
    ticket, checker = researching()
    client.force_login(checker)
    attach(client, ticket, PNG, "post.png")
    attachment = Attachment.objects.get()
    url = reverse("attachment_file", args=[attachment.pk])
    revision = save_draft(ticket, checker)
    assert [copy.attachment for copy in revision.attachments.all()] == [attachment]
    client.logout()
    # Draft, in review: never served, and the media folder is not published at all.
    assert client.get(url).status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    publish(ticket, checker)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG
    assert "sandbox" in response["Content-Security-Policy"]
    verdict_page = client.get(reverse("verdict_page", args=[ticket.verdict.pk])).content.decode()
    assert f'href="{url}"' in verdict_page and "Screenshot of the post" in verdict_page


@pytest.mark.django_db
def test_a_document_is_downloaded_rather_than_shown(client):
    ticket, checker = researching()
    client.force_login(checker)
    attach(client, ticket, docx(), "memo.docx", caption="The council's memo")
    save_draft(ticket, checker)
    publish(ticket, checker)
    response = client.get(reverse("attachment_file", args=[Attachment.objects.get().pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_a_file_attached_after_publication_stays_private_until_a_revision_relies_on_it(client):
    ticket, checker = researching()
    save_draft(ticket, checker)
    publish(ticket, checker)
    editor = new_editor(username="ed2")
    ticket.refresh_from_db()
    services.correction_open(ticket=ticket, by=editor, note="A better screenshot exists.")
    client.force_login(checker)
    attach(client, ticket, PNG, "better.png", caption="The better screenshot")
    late = Attachment.objects.get()
    save_draft(ticket, checker, summary="The post was doctored, as the screenshot shows.")
    client.logout()
    assert client.get(reverse("attachment_file", args=[late.pk])).status_code == 404


@pytest.mark.django_db
def test_detaching_keeps_the_file_of_revisions_already_saved(client):
    ticket, checker = researching()
    client.force_login(checker)
    attach(client, ticket, PNG, "post.png")
    attachment = Attachment.objects.get()
    first = save_draft(ticket, checker)
    response = client.post(page(ticket), {"action": "detach", "attachment": attachment.pk})
    assert response.status_code == 302
    second = save_draft(ticket, checker)
    assert second.number == first.number + 1
    assert RevisionAttachment.objects.filter(revision=first, attachment=attachment).exists()
    assert not second.attachments.exists()
    assert Event.objects.filter(action="detach").count() == 1


@pytest.mark.django_db
def test_removing_a_piece_removes_its_files_and_the_revisions_that_relied_on_them(client):
    ticket, checker = researching()
    client.force_login(checker)
    attach(client, ticket, PNG, "post.png")
    save_draft(ticket, checker)
    ticket.verdict.__class__.objects.filter(pk=ticket.verdict.pk).update(current_revision=None)
    ticket.claim.article.delete()
    assert Attachment.objects.count() == 0
    assert RevisionAttachment.objects.count() == 0


@pytest.mark.django_db
def test_the_api_lists_the_published_revisions_files_and_never_a_drafts(client):
    ticket, checker = researching()
    client.force_login(checker)
    attach(client, ticket, PNG, "post.png", caption="Screenshot of the post")
    shown = Attachment.objects.get()
    save_draft(ticket, checker)
    client.logout()
    api = reverse("api:verdict-detail", args=[ticket.verdict.pk])
    assert client.get(api).status_code == 404
    publish(ticket, checker)
    expected = [
        {
            "url": f"http://testserver/files/{shown.pk}/",
            "caption": "Screenshot of the post",
            "content_type": "image/png",
            "size": len(PNG),
        }
    ]
    assert client.get(api).json()["attachments"] == expected
    assert client.get(api).json()["attachments"][0]["url"] == (
        "http://testserver" + reverse("attachment_file", args=[shown.pk])
    )
    listed = client.get("/api/v1/verdicts/").json()["results"]
    assert [row["attachments"] for row in listed] == [expected]

    # A correction's draft adds a file and re-captions the first: the public sees neither.
    ticket.refresh_from_db()
    services.correction_open(ticket=ticket, by=new_editor(username="ed2"), note="Better file.")
    client.force_login(checker)
    attach(client, ticket, PDF, "report.pdf", caption="DRAFTONLY report")
    save_draft(ticket, checker, summary="The post was doctored, as the report shows.")
    client.logout()
    assert client.get(api).json()["attachments"] == expected
    listed = client.get("/api/v1/verdicts/").json()["results"]
    assert "DRAFTONLY" not in str(listed)


def remove_piece_in_admin(client, ticket) -> Intake:
    intake = Intake.objects.create(
        title="Mistake", state=Intake.State.INGESTED, article=ticket.claim.article
    )
    client.force_login(new_editor(username="remover"))
    client.post(
        reverse("admin:reviews_intake_changelist"),
        {
            "action": "remove_selected",
            "_selected_action": [intake.pk],
            "confirm": "yes",
            "removal_reason": "Ingested by mistake.",
        },
    )
    return intake


def files_of_a_piece(client, media):
    """Return a ticket whose claim has two files a revision relies on, and the files' paths."""
    ticket, checker = researching()
    client.force_login(checker)
    attach(client, ticket, PNG, "post.png")
    attach(client, ticket, PDF, "report.pdf", caption="The report")
    save_draft(ticket, checker)  # a revision relies on the files: its copies go too
    paths = [media / name for name in Attachment.objects.values_list("file", flat=True)]
    assert len(paths) == 2 and all(path.exists() for path in paths)
    return ticket, checker, paths


@pytest.mark.django_db
def test_removing_a_piece_deletes_its_files_once_the_rows_are_gone(
    client, media, django_capture_on_commit_callbacks
):
    ticket, checker, paths = files_of_a_piece(client, media)
    other = ticket_in(Stage.RESEARCHING, draft=False)
    kept = Attachment(
        claim=other.claim,
        content_type="image/png",
        extension=".png",
        size=len(PNG),
        sha256="0" * 64,
        caption="Another piece's file",
        uploaded_by=checker,
    )
    kept.file.save("upload", SimpleUploadedFile("x.png", PNG), save=True)
    with django_capture_on_commit_callbacks(execute=True):
        intake = remove_piece_in_admin(client, ticket)
    intake.refresh_from_db()
    assert intake.state == intake.State.REMOVED
    assert list(Attachment.objects.all()) == [kept]
    assert not RevisionAttachment.objects.exists()
    assert [path.exists() for path in paths] == [False, False]
    assert (media / kept.file.name).exists()


@pytest.mark.django_db
def test_a_failed_removal_keeps_the_files_its_rows_still_name(
    client, media, monkeypatch, django_capture_on_commit_callbacks
):
    from claims.models import Article

    ticket, _checker, paths = files_of_a_piece(client, media)

    def broken_delete(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(Article.objects.none()), "delete", broken_delete)
    with django_capture_on_commit_callbacks(execute=True):
        intake = remove_piece_in_admin(client, ticket)
    intake.refresh_from_db()
    assert intake.state == intake.State.INGESTED
    assert Attachment.objects.count() == 2
    assert all(path.exists() for path in paths)
