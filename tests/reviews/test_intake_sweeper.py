"""A piece's background job lost to a broker outage or a killed worker is sent again, and ends."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from claims.models import Article
from reviews.models import Intake
from reviews.services import intake as intake_service
from reviews.services.intake import intakes_sweep
from reviews.tasks import ingest_piece, remove_piece, sweep_intakes
from tests.reviews.factories import SAMPLE_PIECE, new_editor
from tests.reviews.test_add_piece import ADD, piece

pytestmark = pytest.mark.django_db


def broker_down(refused: list):
    def delay(**kwargs):
        refused.append(kwargs["intake_id"])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    return delay


def runs_here(task):
    return lambda **kwargs: task.apply(kwargs=kwargs)


def queue_large_piece(client, settings, django_capture_on_commit_callbacks) -> Intake:
    settings.INGEST_INLINE_MAX_CHARS = 1000
    body = SAMPLE_PIECE.read_text(encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(ADD), piece(text=body, fmt="text"))
    assert response.status_code == 302
    return Intake.objects.get()


@pytest.fixture
def editor_client(client):
    client.force_login(new_editor(username="sweeper-editor"))
    return client


def test_a_piece_the_broker_refused_is_ingested_by_the_next_sweep(
    editor_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    # A broker that can be down is a configured broker: tasks are not run in-process.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    refused: list[int] = []
    monkeypatch.setattr(ingest_piece, "delay", broker_down(refused))
    intake = queue_large_piece(editor_client, settings, django_capture_on_commit_callbacks)
    assert refused == [intake.pk]
    assert intake.state == Intake.State.QUEUED and not Article.objects.exists()
    assert intake.job_due_at <= timezone.now()  # due at the first sweep, not in half an hour

    # The broker is back; beat runs the sweeper, whose job runs on a worker (here, in-process).
    monkeypatch.setattr(ingest_piece, "delay", runs_here(ingest_piece))
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reviews.sweep_intakes" in beat
    assert sweep_intakes.apply().get() == 1

    intake.refresh_from_db()
    assert intake.state == Intake.State.INGESTED, intake.error
    assert intake.article.claims.exists() and intake.job_due_at is None
    assert sweep_intakes.apply().get() == 0  # nothing is owed any more
    page = editor_client.get(intake.get_absolute_url()).content.decode()
    assert "Done:" in page


def test_a_worker_killed_while_ingesting_leaves_nothing_and_the_piece_is_ingested_later(
    editor_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[int] = []
    monkeypatch.setattr(ingest_piece, "delay", lambda **kwargs: queued.append(kwargs["intake_id"]))
    intake = queue_large_piece(editor_client, settings, django_capture_on_commit_callbacks)
    assert queued == [intake.pk]

    # The worker dies in the middle of the ingestion: its transaction rolls back.
    def killed(**kwargs):
        Article.objects.create(
            title="half", slug="half", body="x", plain_text="x", content_hash="h"
        )
        raise SystemExit("worker lost")

    with monkeypatch.context() as patch:
        patch.setattr(intake_service, "article_receive", killed)
        with pytest.raises(SystemExit):
            ingest_piece.apply(kwargs={"intake_id": intake.pk}, throw=True)
    intake.refresh_from_db()
    assert intake.state == Intake.State.INGESTING and not Article.objects.exists()
    # Celery redelivers the message at once (late acks): the run is not known dead yet.
    assert ingest_piece.apply(kwargs={"intake_id": intake.pk}).get() == Intake.State.INGESTING

    now = timezone.now()
    assert intakes_sweep(now=now) == 0  # the run may still be working
    later = now + timedelta(seconds=settings.INGEST_REQUEUE_SECONDS + 1)
    assert intakes_sweep(now=later) == 1
    assert queued == [intake.pk, intake.pk]
    intake.refresh_from_db()
    assert intake.state == Intake.State.QUEUED and "Queued again" in intake.progress

    assert ingest_piece.apply(kwargs={"intake_id": intake.pk}).get() == Intake.State.INGESTED
    assert Article.objects.count() == 1 and intake_service.Intake.objects.get().job_due_at is None


def test_a_removal_the_broker_refused_is_done_by_the_next_sweep(
    editor_client, settings, monkeypatch, django_capture_on_commit_callbacks
):
    editor_client.post(reverse(ADD), piece())
    intake = Intake.objects.get()
    article_id = intake.article_id
    settings.CELERY_TASK_ALWAYS_EAGER = False
    refused: list[int] = []
    monkeypatch.setattr(remove_piece, "delay", broker_down(refused))
    with django_capture_on_commit_callbacks(execute=True):
        editor_client.post(
            reverse("admin:reviews_intake_changelist"),
            {
                "action": "remove_selected",
                "_selected_action": [intake.pk],
                "confirm": "yes",
                "removal_reason": "Pasted twice by mistake.",
            },
        )
    intake.refresh_from_db()
    assert refused == [intake.pk] and intake.state == Intake.State.REMOVING
    assert Article.objects.filter(pk=article_id).exists()

    monkeypatch.setattr(remove_piece, "delay", runs_here(remove_piece))
    assert sweep_intakes.apply().get() == 1
    intake.refresh_from_db()
    assert intake.state == Intake.State.REMOVED and intake.job_due_at is None
    assert not Article.objects.filter(pk=article_id).exists()
