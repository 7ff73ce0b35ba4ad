"""The admin's "Add piece" screen ingests through the same service as the command and the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Article, Claim
from reviews.models import Intake, Ticket
from tests.factories import UserFactory
from tests.reviews.factories import SAMPLE_PIECE, new_editor

ADD = "admin:reviews_intake_add"
PIECE = (
    "# The port's record year\n\n"
    "The port moved 9.1 million containers in 2023, according to its annual report. "
    "I think the harbour feels busier than ever.\n\n"
    "The city council approved a 40 million dollar dredging contract in March 2024."
)


def piece(**overrides) -> dict:
    return {
        "title": "The port's record year",
        "text": PIECE,
        "fmt": "auto",
        "author": "A. Columnist",
        "publication": "The Harbour Gazette",
        "url": "https://gazette.example/port",
        "published_on": "2026-11-20",
        "embargo_until": "",
        **overrides,
    }


@pytest.fixture
def checker_client(client, checker):
    client.force_login(checker)
    return client


@pytest.mark.django_db
def test_a_fact_checker_pastes_a_piece_and_sees_its_claims_ranked(checker_client, checker):
    response = checker_client.post(reverse(ADD), piece())
    intake = Intake.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:reviews_intake_change", args=[intake.pk])
    article = Article.objects.get()
    assert (article.title, article.author, article.publication, article.url) == (
        "The port's record year",
        "A. Columnist",
        "The Harbour Gazette",
        "https://gazette.example/port",
    )
    assert article.published_at.isoformat() == "2026-11-20T00:00:00+00:00"
    assert article.body_format == Article.Format.MARKDOWN
    assert article.ingested_by == checker
    assert intake.state == Intake.State.INGESTED and intake.article == article
    assert intake.body == ""
    claims = Claim.objects.filter(article=article)
    assert Ticket.objects.filter(claim__in=claims).count() == claims.count() > 1
    # The Markdown heading is the context of the claims below it, not a claim of its own.
    assert "The port's record year" in article.plain_text
    assert not claims.filter(text__contains="record year").exists()

    page = checker_client.get(response["Location"]).content.decode()
    best = claims.order_by("-checkworthy", "-score", "position").first()
    rows = page.split('<table class="claims-found">', 1)[1].split("</table>", 1)[0]
    first_row = rows.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert best.text in first_row
    assert reverse("admin:reviews_ticket_change", args=[best.ticket.pk]) in first_row
    assert 'http-equiv="refresh"' not in page
    # Who sent it, by name: no link to the user admin, which answers 403 to a fact-checker.
    assert checker.get_username() in page
    assert "/admin/auth/user/" not in page


@pytest.mark.django_db
def test_a_plain_text_title_line_is_kept_as_the_pieces_context_not_made_a_claim(checker_client):
    text = (
        "A bridge too costly\n"
        "The council spent 4.2 million dollars on the bridge in 2023, the audit says.\n\n"
        "Who pays for it\n\n"
        "The city council approved a 40 million dollar loan in March 2024."
    )
    response = checker_client.post(
        reverse(ADD), piece(title="A bridge too costly", text=text, fmt="auto")
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.body_format == Article.Format.TEXT
    assert article.plain_text.startswith("A bridge too costly\n")
    claims = list(Claim.objects.filter(article=article).order_by("position"))
    assert [c.text for c in claims] == [
        "The council spent 4.2 million dollars on the bridge in 2023, the audit says.",
        "The city council approved a 40 million dollar loan in March 2024.",
    ]
    assert Ticket.objects.filter(claim__article=article).count() == 2


@pytest.mark.django_db
def test_an_uploaded_html_file_takes_its_format_from_its_name(checker_client):
    upload = SimpleUploadedFile(
        "port.html",
        b"<html><body><p>The port moved 9.1 million containers in 2023.</p></body></html>",
        content_type="text/html",
    )
    response = checker_client.post(reverse(ADD), {**piece(text=""), "upload": upload})
    assert response.status_code == 302
    intake = Intake.objects.get()
    assert intake.file_name == "port.html"
    assert Article.objects.get().body_format == Article.Format.HTML


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"text": "   "}, "Paste the piece&#x27;s text or upload a file."),
        ({"title": ""}, "This field is required."),
        ({"url": "javascript:alert(1)"}, "is not an http(s) address for the piece."),
        ({"published_on": "20th of November"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_a_form_error_and_stores_nothing(checker_client, overrides, error):
    response = checker_client.post(reverse(ADD), piece(**overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Article.objects.exists() and not Intake.objects.exists()


@pytest.mark.django_db
def test_an_upload_that_is_not_text_is_refused_with_the_reason(checker_client):
    upload = SimpleUploadedFile("scan.txt", b"\x89PNG\x00\x00binary", content_type="text/plain")
    response = checker_client.post(reverse(ADD), {**piece(text=""), "upload": upload})
    assert response.status_code == 200
    assert "NUL bytes" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_text_and_a_file_at_once_is_refused(checker_client):
    upload = SimpleUploadedFile("port.txt", b"The port moved 9 million containers in 2023.")
    response = checker_client.post(reverse(ADD), {**piece(), "upload": upload})
    assert response.status_code == 200
    assert "not both" in response.content.decode()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_the_same_text_again_creates_nothing_and_says_so(checker_client):
    checker_client.post(reverse(ADD), piece())
    claims = Claim.objects.count()
    response = checker_client.post(reverse(ADD), piece(title="Same text, new title"), follow=True)
    assert "ingested before: nothing new" in response.content.decode()
    assert Article.objects.count() == 1 and Claim.objects.count() == claims


@pytest.mark.django_db
def test_someone_without_the_ingest_permission_cannot_open_the_screen(client):
    client.force_login(UserFactory(role="API client"))
    assert client.get(reverse(ADD)).status_code == 403
    assert client.post(reverse(ADD), piece()).status_code == 403
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_large_piece_is_queued_shows_progress_then_its_claims(
    checker_client, settings, django_capture_on_commit_callbacks
):
    settings.INGEST_INLINE_MAX_CHARS = 1000
    body = SAMPLE_PIECE.read_text(encoding="utf-8")
    assert len(body) > 1000
    with django_capture_on_commit_callbacks() as callbacks:
        response = checker_client.post(reverse(ADD), piece(text=body, fmt="text"))
    intake = Intake.objects.get()
    assert intake.state == Intake.State.QUEUED and not Article.objects.exists()
    page = checker_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "Queued:" in page

    for callback in callbacks:  # the background job, as the broker would run it
        callback()
    intake.refresh_from_db()
    assert intake.state == Intake.State.INGESTED, intake.error
    article = Article.objects.get()
    assert intake.article == article and intake.body == ""
    page = checker_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Done:" in page
    assert article.claims.order_by("-checkworthy", "-score", "position")[0].text in page


@pytest.mark.django_db
def test_a_queued_piece_that_fails_says_why_on_its_page(
    checker_client, settings, django_capture_on_commit_callbacks
):
    settings.INGEST_INLINE_MAX_CHARS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = checker_client.post(
            reverse(ADD), piece(text="<html><body><script>x()</script></body></html>", fmt="html")
        )
    intake = Intake.objects.get()
    assert intake.state == Intake.State.FAILED and intake.error
    assert intake.error in checker_client.get(response["Location"]).content.decode()
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_pieces_from_the_command_line_are_on_the_record_too(tmp_path):
    from django.core.management import call_command

    path = tmp_path / "column.txt"
    path.write_text("The port moved 9.1 million containers in 2023.", encoding="utf-8")
    call_command("ingest", str(path), stdout=None)
    intake = Intake.objects.get()
    assert intake.article == Article.objects.get() and intake.received_by is None


@pytest.mark.django_db
def test_the_dashboard_offers_the_add_piece_screen_to_those_who_may_ingest(client):
    client.force_login(new_editor(username="ed"))
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse(ADD) in page


def _remove(client, intake, reason="Wrong piece."):
    return client.post(
        reverse("admin:reviews_intake_changelist"),
        {
            "action": "remove_selected",
            "_selected_action": [intake.pk],
            "confirm": "yes",
            "removal_reason": reason,
        },
        follow=True,
    )


@pytest.mark.django_db
def test_a_fact_checker_may_not_remove_a_piece(checker_client):
    checker_client.post(reverse(ADD), piece())
    intake = Intake.objects.get()
    page = _remove(checker_client, intake).content.decode()
    assert "No action selected" in page or "remove_selected" not in page
    assert Article.objects.exists()
    intake.refresh_from_db()
    assert intake.state == Intake.State.INGESTED


@pytest.mark.django_db
def test_a_piece_with_a_published_verdict_is_not_removed(
    client, checker, django_capture_on_commit_callbacks
):
    from reviews.workflow import Stage
    from tests.reviews.factories import ticket_in

    ticket = ticket_in(Stage.PUBLISHED)
    intake = Intake.objects.create(
        title="Published", state=Intake.State.INGESTED, article=ticket.claim.article
    )
    client.force_login(new_editor(username="remover"))
    with django_capture_on_commit_callbacks(execute=True):
        page = _remove(client, intake).content.decode()
    assert "Retract them instead" in page
    assert Article.objects.filter(pk=ticket.claim.article_id).exists()


@pytest.mark.django_db
def test_the_article_admin_no_longer_offers_its_hanging_delete(client):
    client.force_login(new_editor(username="ed2"))
    article = Article.objects.create(
        title="A", slug="a", body="x", plain_text="x", content_hash="h"
    )
    assert client.get(reverse("admin:claims_article_delete", args=[article.pk])).status_code == 403


@pytest.mark.django_db
def test_a_piece_whose_verdict_is_still_a_draft_in_review_is_removed_with_it(
    client, django_capture_on_commit_callbacks
):
    from reviews.models import Verdict
    from reviews.workflow import Stage
    from tests.reviews.factories import ticket_in

    ticket = ticket_in(Stage.APPROVED)
    article = ticket.claim.article
    intake = Intake.objects.create(title="Draft", state=Intake.State.INGESTED, article=article)
    client.force_login(new_editor(username="remover2"))
    with django_capture_on_commit_callbacks(execute=True):
        _remove(client, intake, reason="Duplicate of another piece.")
    assert not Article.objects.filter(pk=article.pk).exists()
    assert not Verdict.objects.filter(ticket_id=ticket.pk).exists()
    intake.refresh_from_db()
    assert intake.state == Intake.State.REMOVED and intake.article is None


@pytest.mark.django_db
def test_a_verdict_published_while_the_removal_waits_keeps_the_piece(
    client, django_capture_on_commit_callbacks
):
    from reviews.models import Verdict
    from reviews.workflow import Stage
    from tests.reviews.factories import ticket_in

    ticket = ticket_in(Stage.APPROVED)
    article = ticket.claim.article
    intake = Intake.objects.create(title="Late", state=Intake.State.INGESTED, article=article)
    client.force_login(new_editor(username="remover3"))
    with django_capture_on_commit_callbacks(execute=False) as removal:
        _remove(client, intake)
    # Before the background job runs, another editor publishes the approved verdict.
    client.force_login(new_editor(username="publisher"))
    desk = reverse("admin:reviews_ticket_change", args=[ticket.pk])
    ticket.refresh_from_db()
    assert client.post(desk, {"action": "publish", "version": ticket.version}).status_code == 302
    verdict = Verdict.objects.get(ticket=ticket)
    assert client.get(f"/verdicts/{verdict.pk}/").status_code == 200

    for job in removal:
        job()

    assert Article.objects.filter(pk=article.pk).exists()
    assert client.get(f"/verdicts/{verdict.pk}/").status_code == 200
    intake.refresh_from_db()
    assert intake.state == Intake.State.INGESTED and intake.article_id == article.pk
    assert "public" in intake.progress


@pytest.mark.django_db
def test_a_piece_whose_page_shows_a_reused_verdict_is_not_removed(
    client, django_capture_on_commit_callbacks
):
    from reviews.services.matching import ticket_reuse_verdict
    from reviews.workflow import Stage
    from tests.reviews.factories import ticket_in

    old = ticket_in(Stage.PUBLISHED, text="Unemployment rose to 9 percent in Ohio.")
    repeat = ticket_in(Stage.NEW, text="Unemployment rose to 9 percent in Ohio.")
    article = repeat.claim.article
    ticket_reuse_verdict(ticket=repeat, by=new_editor(username="reuser"), verdict=old.verdict)
    assert client.get(f"/articles/{article.slug}/").status_code == 200
    intake = Intake.objects.create(title="Reuses", state=Intake.State.INGESTED, article=article)
    client.force_login(new_editor(username="remover4"))
    with django_capture_on_commit_callbacks(execute=True):
        page = _remove(client, intake).content.decode()
    assert "Retract them instead" in page or "public page" in page
    assert Article.objects.filter(pk=article.pk).exists()
    client.logout()
    assert client.get(f"/articles/{article.slug}/").status_code == 200


@pytest.mark.django_db
def test_a_piece_whose_published_verdict_has_a_correction_in_review_is_not_removed(
    client, django_capture_on_commit_callbacks
):
    from reviews.workflow import Stage
    from tests.reviews.factories import ticket_in

    ticket = ticket_in(Stage.CORRECTING)
    # The corrected draft was submitted: the ticket is in review, its verdict still public.
    Ticket.objects.filter(pk=ticket.pk).update(stage=Stage.IN_REVIEW)
    article = ticket.claim.article
    intake = Intake.objects.create(title="Corrected", state=Intake.State.INGESTED, article=article)
    client.force_login(new_editor(username="remover5"))
    with django_capture_on_commit_callbacks(execute=True):
        page = _remove(client, intake).content.decode()
    assert "Retract them instead" in page
    intake.refresh_from_db()
    assert intake.state == Intake.State.INGESTED
    assert client.get(f"/verdicts/{ticket.verdict.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_piece_with_one_claim_is_said_to_have_one_claim(checker_client):
    response = checker_client.post(
        reverse(ADD),
        piece(text="The port moved 9.1 million containers in 2023.", url=""),
        follow=True,
    )

    page = response.content.decode()
    assert "Ingested: 1 claim, 1 check-worthy, each with a ticket." in page
    assert Intake.objects.get().progress == "Done: 1 claim, 1 check-worthy."


@pytest.mark.django_db
def test_a_removed_piece_with_one_claim_is_said_to_go_with_its_one_ticket(
    checker_client, client, django_capture_on_commit_callbacks
):
    checker_client.post(reverse(ADD), piece(text="The port moved 9.1 million containers.", url=""))
    intake = Intake.objects.get()
    client.force_login(new_editor(username="remover"))

    with django_capture_on_commit_callbacks(execute=True):
        _remove(client, intake)

    intake.refresh_from_db()
    assert intake.state == Intake.State.REMOVED
    assert intake.progress == "Removed with its 1 claim and its ticket."
