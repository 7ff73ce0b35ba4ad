"""Matching new claims against published verdicts, open tickets and other publishers' checks."""

import pytest
from django.core import mail

from claims.models import Embedding, ExternalFactCheck
from reviews.models import ClaimMatch, Event, MatchRun, Notification
from reviews.selectors import verdict_repeat_counts
from reviews.services.matching import claim_match, embeddings_refresh
from reviews.tasks import refresh_embeddings
from reviews.workflow import Stage
from tests.claims.matching_fakes import WordHashEncoder
from tests.reviews.factories import ticket_in
from tests.reviews.matching_helpers import receive

PIECE = (
    "Unemployment rose to 9 percent in Ohio last year. "
    "The harbour board met on a rainy Tuesday to discuss dredging."
)


def published(text: str, summary: str = "Ohio's figures say so."):
    """Return a published ticket on ``text`` whose verdict's summary is ``summary``."""
    ticket = ticket_in(Stage.PUBLISHED, text=text)
    revision = ticket.verdict.published_revision
    revision.summary = summary
    revision.save(update_fields=["summary"])
    return ticket


def matches_of(claim):
    return list(ClaimMatch.objects.filter(run__claim=claim).order_by("rank").select_related("run"))


@pytest.mark.django_db
def test_a_repeated_claim_in_a_second_piece_is_linked_to_the_first_ticket(
    matching, django_capture_on_commit_callbacks
):
    first = receive(django_capture_on_commit_callbacks, PIECE, title="First piece")
    second = receive(
        django_capture_on_commit_callbacks,
        "Critics say unemployment rose to 9 percent in Ohio last year.",
        title="Second piece",
    )
    original = first.claims.get(text__startswith="Unemployment")
    (repeat,) = second.claims.all()
    (top, *_rest) = matches_of(repeat)
    assert (top.kind, top.matched_claim_id, top.level) == ("ticket", original.pk, "confirmed")
    # Claims of one piece are never matched with each other.
    harbour = first.claims.get(text__contains="harbour")
    assert all(m.matched_claim_id != original.pk for m in matches_of(harbour))


@pytest.mark.django_db
def test_a_paraphrase_of_a_published_verdict_is_matched_and_its_author_told(
    matching, django_capture_on_commit_callbacks, editor
):
    ticket = published("Unemployment rose to 9 percent in Ohio.")
    verdict = ticket.verdict
    author = verdict.current_revision.author
    mail.outbox.clear()
    piece = receive(
        django_capture_on_commit_callbacks,
        "Joblessness climbed to 9 percent in Ohio.",
        title="A new column",
    )
    (claim,) = piece.claims.all()
    (top, *_rest) = matches_of(claim)
    assert (top.kind, top.verdict_id) == ("verdict", verdict.pk)
    assert top.level == "confirmed"
    event = Event.objects.get(ticket=ticket, action="repeated")
    assert event.data["claim"] == claim.pk
    told = set(
        Notification.objects.filter(event=event, kind="circulating").values_list(
            "recipient__username", flat=True
        )
    )
    assert {author.username, editor.username} <= told
    assert any(
        author.email in message.to and "circulating again" in message.body
        for message in mail.outbox
    )
    assert verdict_repeat_counts([verdict.pk]) == {verdict.pk: 1}


@pytest.mark.django_db
def test_a_changed_figure_is_suggested_but_never_confirmed_and_nobody_is_told(
    matching, django_capture_on_commit_callbacks
):
    ticket = published("Unemployment rose to 9 percent in Ohio.")
    piece = receive(
        django_capture_on_commit_callbacks,
        "Unemployment rose to 19 percent in Ohio.",
        title="Another column",
    )
    (top, *_rest) = matches_of(piece.claims.get())
    assert (top.verdict_id, top.level) == (ticket.verdict.pk, "suggested")
    assert top.conflicts == ["figures differ: 19% vs 9%"]
    assert not Event.objects.filter(action="repeated").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Stage.IN_REVIEW, Stage.APPROVED, Stage.RETRACTED])
def test_drafts_and_retracted_verdicts_are_never_matched_as_verdicts(
    matching, django_capture_on_commit_callbacks, stage
):
    ticket_in(stage, text="Unemployment rose to 9 percent in Ohio.")
    piece = receive(
        django_capture_on_commit_callbacks, "Unemployment rose to 9 percent in Ohio.", title="X"
    )
    assert not [m for m in matches_of(piece.claims.get()) if m.kind == "verdict"]


@pytest.mark.django_db
def test_matching_runs_once_per_claim_and_model(matching, django_capture_on_commit_callbacks):
    published("Unemployment rose to 9 percent in Ohio.")
    piece = receive(
        django_capture_on_commit_callbacks, "Unemployment rose to 9 percent in Ohio.", title="X"
    )
    claim = piece.claims.get()
    again = claim_match(claim_id=claim.pk)
    assert MatchRun.objects.filter(claim=claim).count() == 1
    assert again.matches.count() == len(matches_of(claim))
    assert Event.objects.filter(action="repeated").count() == 1


@pytest.mark.django_db
def test_external_fact_checks_are_matched_as_theirs(matching, django_capture_on_commit_callbacks):
    external = ExternalFactCheck.objects.create(
        url="https://checker.example/fact-check/ohio-jobs",
        publisher="Checker",
        claim_reviewed="Unemployment rose to 9 percent in Ohio.",
        rating_text="False",
        imported_from="test",
    )
    piece = receive(
        django_capture_on_commit_callbacks, "Unemployment rose to 9 percent in Ohio.", title="X"
    )
    (top, *_rest) = matches_of(piece.claims.get())
    assert (top.kind, top.external_id) == ("external", external.pk)


@pytest.mark.django_db
def test_a_model_change_re_embeds_in_the_background_without_blocking_ingestion(
    matching, django_capture_on_commit_callbacks, settings
):
    ticket = published("Unemployment rose to 9 percent in Ohio.")
    for n in range(3):
        published(f"The harbour board spent {n + 2} million on dredging.")
    receive(django_capture_on_commit_callbacks, PIECE, title="Under the old model")
    old = matching.encoder.model_id
    assert Embedding.objects.filter(model_id=old, subject="verdict").count() == 4

    # The new model: a matching job embeds its own claim and at most this many others.
    settings.MATCHING_EMBED_INLINE_LIMIT = 2
    matching.encoder = WordHashEncoder("test-wordhash-2")
    piece = receive(
        django_capture_on_commit_callbacks, "Unemployment rose to 9 percent in Ohio.", title="New"
    )
    claim = piece.claims.get()
    assert MatchRun.objects.filter(claim=claim, model_id="test-wordhash-2").exists()
    new_vectors = Embedding.objects.filter(model_id="test-wordhash-2")
    assert new_vectors.filter(subject="claim", subject_id=claim.pk).exists()
    assert new_vectors.filter(subject="verdict").count() == 0  # left for the background job
    assert Embedding.objects.filter(model_id=old).count() > 0  # old vectors still serve

    # The background job fills in the rest in batches, then drops the old model's vectors.
    assert refresh_embeddings.apply(kwargs={"limit": 3}).get() == 3
    while embeddings_refresh(limit=3):
        pass
    assert new_vectors.filter(subject="verdict").count() == 4
    assert not Embedding.objects.filter(model_id=old).exists()
    # A new piece now finds the published verdict under the new model.
    later = receive(
        django_capture_on_commit_callbacks, "Unemployment rose to 9 percent in Ohio!", title="L"
    )
    kinds = {(m.kind, m.verdict_id) for m in matches_of(later.claims.get())}
    assert ("verdict", ticket.verdict.pk) in kinds


@pytest.mark.django_db
def test_ingestion_with_matching_off_queues_nothing(settings, django_capture_on_commit_callbacks):
    settings.MATCHING_ENABLED = False
    receive(django_capture_on_commit_callbacks, PIECE, title="Quiet")
    assert not MatchRun.objects.exists()
