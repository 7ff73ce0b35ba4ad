"""A ticket's discussion: comments that notify the people they @mention, and private notes."""

import pytest
from django.core import mail
from django.urls import reverse

from reviews.models import Comment, Event, Notification
from reviews.workflow import Stage
from tests.factories import UserFactory
from tests.reviews.factories import new_editor, ticket_in


def page(ticket) -> str:
    return reverse("admin:reviews_ticket_change", args=[ticket.pk])


def post_comment(client, ticket, body: str, **extra):
    return client.post(page(ticket), {"action": "comment", "body": body, **extra})


@pytest.mark.django_db
def test_a_comment_mentioning_a_colleague_notifies_them_by_mail(
    client, checker, editor, django_capture_on_commit_callbacks
):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_comment(client, ticket, "@editor is the 2.1 million figure audited?")
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert list(comment.mentions.all()) == [editor]
    (notification,) = Notification.objects.all()
    assert notification.kind == "mentioned"
    assert notification.recipient == editor
    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert "checker mentioned you on ticket" in message.body
    assert "is the 2.1 million figure audited?" in message.body
    # On the record, without its text; the ticket's stage and version do not move.
    event = Event.objects.get(action="comment")
    assert event.note == ""
    assert event.data == {"comment": comment.pk, "mentions": ["editor"]}
    ticket.refresh_from_db()
    assert (ticket.stage, ticket.version) == (Stage.RESEARCHING, 0)
    html = client.get(page(ticket)).content.decode()
    assert "is the 2.1 million figure audited?" in html


@pytest.mark.django_db
def test_a_comment_is_not_a_transition_note_and_mentions_nobody_without_an_at(
    client, checker, editor
):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    post_comment(client, ticket, "Mail editor@desk.invalid about it.")
    assert Comment.objects.get().mentions.count() == 0
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_mention_is_refused_with_the_comment_kept(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    response = post_comment(client, ticket, "@nobody-here please look")
    assert response.status_code == 400
    html = response.content.decode()
    assert "No one on the desk is called @nobody-here" in html
    assert "please look</textarea>" in html
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_comment_is_refused(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    response = post_comment(client, ticket, "   ")
    assert response.status_code == 400
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_a_private_note_is_read_only_by_editors(client, checker, editor):
    ticket = ticket_in(Stage.IN_REVIEW, assignee=checker)
    client.force_login(editor)
    response = post_comment(client, ticket, "Between editors: the author is a donor.", private="on")
    assert response.status_code == 302
    assert Comment.objects.get().private is True
    assert "the author is a donor" in client.get(page(ticket)).content.decode()
    client.force_login(checker)
    html = client.get(page(ticket)).content.decode()
    assert "the author is a donor" not in html
    assert 'name="private"' not in html


@pytest.mark.django_db
def test_a_fact_checker_cannot_write_a_private_note(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    response = post_comment(client, ticket, "sneaky", private="on")
    assert response.status_code == 403
    assert "Only editors write private notes" in response.content.decode()
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_a_private_note_cannot_mention_someone_who_cannot_read_it(client, checker, editor):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(editor)
    response = post_comment(client, ticket, "@checker see this", private="on")
    assert response.status_code == 400
    assert "@checker cannot read private notes" in response.content.decode()
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_a_mention_is_case_insensitive_and_notifies_each_person_once(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    other = new_editor(username="Rosa")
    client.force_login(checker)
    post_comment(client, ticket, "@rosa and again @Rosa, and me @checker")
    assert list(Notification.objects.values_list("recipient", flat=True)) == [other.pk]


@pytest.mark.django_db
def test_someone_without_a_desk_role_cannot_comment(client):
    ticket = ticket_in(Stage.RESEARCHING)
    outsider = UserFactory(username="outsider", is_superuser=False)
    client.force_login(outsider)
    response = post_comment(client, ticket, "hello")
    assert response.status_code == 403
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_an_empty_discussion_says_so_without_a_numbered_list(client, checker):
    ticket = ticket_in(Stage.RESEARCHING, assignee=checker)
    client.force_login(checker)
    panel = client.get(page(ticket)).content.decode().split('id="discussion"')[1]
    panel = panel.split("</section>")[0]
    assert "No comments yet." in panel and "<ol" not in panel
    post_comment(client, ticket, "Checked the budget tables.")
    panel = client.get(page(ticket)).content.decode().split('id="discussion"')[1]
    assert "<ol" in panel and "No comments yet." not in panel.split("</section>")[0]


@pytest.mark.django_db
def test_a_private_notes_event_is_as_private_as_the_note(client, checker, editor):
    import csv
    import io

    colleague = new_editor(username="judge_quietly")
    ticket = ticket_in(Stage.IN_REVIEW, assignee=checker)
    client.force_login(editor)
    post_comment(client, ticket, "@judge_quietly the author is a donor.", private="on")
    post_comment(client, ticket, "Public remark for the desk.")
    as_editor = client.get(page(ticket)).content.decode()
    assert "judge_quietly" in as_editor

    def exported(user):
        client.force_login(user)
        response = client.post(
            reverse("admin:reviews_event_changelist"),
            {
                "action": "export_csv",
                "_selected_action": list(Event.objects.values_list("pk", flat=True)),
            },
        )
        if not response["Content-Type"].startswith("text/csv"):
            return []
        text = b"".join(response.streaming_content).decode()
        return list(csv.reader(io.StringIO(text)))

    assert any("judge_quietly" in ",".join(row) for row in exported(editor))
    # The fact-checker reads neither that an editor wrote a private note nor whom it mentioned.
    client.force_login(checker)
    html = client.get(page(ticket)).content.decode()
    assert "judge_quietly" not in html and colleague.get_username() not in html
    assert html.count('data-action="comment"') == as_editor.count('data-action="comment"') - 1 == 1
    assert not any("judge_quietly" in ",".join(row) for row in exported(checker))
    listing = client.get(reverse("admin:reviews_event_changelist"))
    assert listing.status_code in (200, 403)
    assert "judge_quietly" not in listing.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_the_events_of_private_notes_written_before_it():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("reviews", "0018_g13scale_ticket_work_indexes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    # Rows as the code before the migration wrote them (its models, no private flag), made with
    # that state's models: a transactional test may run after the roles were flushed.
    apps = executor.loader.project_state(before).apps
    User = apps.get_model("auth", "User")
    Article, Claim = apps.get_model("claims", "Article"), apps.get_model("claims", "Claim")
    Ticket, Comment = apps.get_model("reviews", "Ticket"), apps.get_model("reviews", "Comment")
    OldEvent = apps.get_model("reviews", "Event")
    editor = User.objects.create(username="migrating_editor")
    article = Article.objects.create(
        title="T", slug="t", body="x", plain_text="The bridge cost 4 million.", content_hash="h"
    )
    claim = Claim.objects.create(
        article=article,
        text="x",
        start=0,
        end=5,
        paragraph=0,
        sentence=0,
        position=0,
        score=0.5,
        checkworthy=True,
    )
    ticket = Ticket.objects.create(claim=claim, stage="in_review")
    note = Comment.objects.create(ticket=ticket, author=editor, body="Between us.", private=True)
    remark = Comment.objects.create(ticket=ticket, author=editor, body="For everyone.")
    for comment in (note, remark):
        OldEvent.objects.create(
            ticket=ticket,
            actor=editor,
            action="comment",
            from_stage="in_review",
            to_stage="in_review",
            data={"comment": comment.pk, "mentions": []},
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    flags = {
        e.data["comment"]: e.data.get("private") for e in Event.objects.filter(action="comment")
    }
    assert flags == {note.pk: True, remark.pk: None}
