"""The matcher a worker process keeps between matching jobs: fed only what changed, and never
trusted about what may be matched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import Article, Embedding, ExternalFactCheck
from claims.services.embeddings import embeddings_store
from reviews.models import ClaimMatch, Ticket
from reviews.services.matching import MATCHER_CACHE
from reviews.services.publication import verdict_retract
from reviews.workflow import Stage
from tests.claims.matching_fakes import WordHashEncoder
from tests.reviews.factories import ticket_in
from tests.reviews.matching_helpers import receive

REPEAT = "Unemployment rose to 9 percent in Ohio."


def matched(piece, kind):
    claim = piece.claims.get()
    return set(
        ClaimMatch.objects.filter(run__claim=claim, kind=kind).values_list(
            {"verdict": "verdict_id", "ticket": "matched_claim_id"}[kind], flat=True
        )
    )


def fact_checks(n: int) -> None:
    ExternalFactCheck.objects.bulk_create(
        ExternalFactCheck(
            url=f"https://checker.example/{i}",
            claim_reviewed=f"The harbour board spent {i} million on dredging in year {i}.",
            imported_from="test",
        )
        for i in range(n)
    )


@pytest.mark.django_db
def test_a_second_match_in_the_process_reads_only_the_vectors_stored_since(
    matching, django_capture_on_commit_callbacks
):
    fact_checks(40)
    receive(django_capture_on_commit_callbacks, "Dredging cost 3 million.", title="First")
    assert MATCHER_CACHE.builds == 1
    first_read = MATCHER_CACHE.rows_read
    assert first_read >= 41  # the fact-checks and the first claim
    before = Embedding.objects.order_by("-id").values_list("id", flat=True).first()

    receive(django_capture_on_commit_callbacks, "The harbour board spent 7 million.", title="2")
    assert MATCHER_CACHE.builds == 1
    new_rows = Embedding.objects.filter(id__gt=before).count()
    assert new_rows == 1  # the second piece's claim
    assert MATCHER_CACHE.rows_read - first_read == new_rows


@pytest.mark.django_db
def test_a_verdict_retracted_after_the_cache_was_built_is_not_suggested(
    matching, django_capture_on_commit_callbacks, editor
):
    ticket = published_ticket()
    first = receive(django_capture_on_commit_callbacks, REPEAT, title="Before")
    assert matched(first, "verdict") == {ticket.verdict.pk}
    verdict_retract(ticket=ticket, by=editor, reason="The figures were revised.")

    after = receive(django_capture_on_commit_callbacks, REPEAT + "!", title="After")
    assert MATCHER_CACHE.builds == 1
    assert matched(after, "verdict") == set()


@pytest.mark.django_db
def test_a_verdict_embargoed_after_the_cache_was_built_is_not_suggested(
    matching, django_capture_on_commit_callbacks
):
    ticket = published_ticket()
    first = receive(django_capture_on_commit_callbacks, REPEAT, title="Before")
    assert matched(first, "verdict") == {ticket.verdict.pk}
    Article.objects.filter(pk=ticket.claim.article_id).update(
        embargo_until=timezone.now() + timedelta(days=1)
    )

    after = receive(django_capture_on_commit_callbacks, REPEAT + "!", title="After")
    assert MATCHER_CACHE.builds == 1
    assert matched(after, "verdict") == set()


@pytest.mark.django_db
def test_a_ticket_closed_after_the_cache_was_built_is_not_suggested(
    matching, django_capture_on_commit_callbacks
):
    first = receive(django_capture_on_commit_callbacks, REPEAT, title="First")
    second = receive(django_capture_on_commit_callbacks, REPEAT + "!", title="Second")
    original = first.claims.get()
    assert matched(second, "ticket") == {original.pk}
    Ticket.objects.filter(claim=original).update(stage=Stage.DISMISSED, dismiss_reason="duplicate")

    third = receive(django_capture_on_commit_callbacks, REPEAT + "?", title="Third")
    assert MATCHER_CACHE.builds == 1
    assert original.pk not in matched(third, "ticket")
    assert matched(third, "ticket") == {second.claims.get().pk}


@pytest.mark.django_db
def test_a_corrected_verdict_is_matched_on_its_new_vector(
    matching, django_capture_on_commit_callbacks
):
    ticket = published_ticket(text="The harbour board spent 2 million on dredging.")
    receive(django_capture_on_commit_callbacks, "Dredging cost 2 million.", title="Warm")
    # The verdict's claim text changes; the next job re-embeds it and replaces its row.
    claim = ticket.claim
    claim.text = REPEAT
    claim.save(update_fields=["text"])
    type(ticket.verdict).objects.filter(pk=ticket.verdict.pk).update(updated_at=timezone.now())

    after = receive(django_capture_on_commit_callbacks, REPEAT + "!", title="After")
    assert MATCHER_CACHE.builds == 1
    assert matched(after, "verdict") == {ticket.verdict.pk}


@pytest.mark.django_db
def test_a_model_version_change_rebuilds_the_matcher(matching, django_capture_on_commit_callbacks):
    ticket = published_ticket()
    receive(django_capture_on_commit_callbacks, REPEAT, title="Old model")
    assert MATCHER_CACHE.builds == 1
    matching.encoder = WordHashEncoder("test-wordhash-2")

    piece = receive(django_capture_on_commit_callbacks, REPEAT + "!", title="New model")
    assert MATCHER_CACHE.builds == 2
    run = piece.claims.get().match_runs.get()
    assert run.model_id == "test-wordhash-2"
    assert matched(piece, "verdict") == {ticket.verdict.pk}


def published_ticket(text: str = REPEAT):
    return ticket_in(Stage.PUBLISHED, text=text)


@pytest.mark.django_db
def test_a_vector_committed_late_below_the_newest_read_is_still_found(
    matching, django_capture_on_commit_callbacks, settings
):
    settings.MATCHING_EMBED_INLINE_LIMIT = 0  # only the vectors stored here
    receive(django_capture_on_commit_callbacks, "Dredging cost 3 million.", title="Warm")
    late, other = ExternalFactCheck.objects.bulk_create(
        ExternalFactCheck(url=f"https://checker.example/{n}", claim_reviewed=text)
        for n, text in enumerate([REPEAT, "The harbour board met on a rainy Tuesday."])
    )
    embeddings_store(subject="external", items=[(late.pk, REPEAT)], encoder=matching.encoder)
    held = Embedding.objects.get(subject="external", subject_id=late.pk)
    text = [(other.pk, other.claim_reviewed)]
    embeddings_store(subject="external", items=text, encoder=matching.encoder)
    held_id = held.pk
    held.delete()  # as if its transaction had not committed when the next job read

    first = receive(django_capture_on_commit_callbacks, REPEAT, title="Before the commit")
    assert not ClaimMatch.objects.filter(run__claim__article=first, external=late).exists()
    held.pk = held_id
    held.save()  # committed now, with its id below the newest the cache has read
    assert Embedding.objects.order_by("-id").values_list("id", flat=True)[1] > held_id
    after = receive(django_capture_on_commit_callbacks, REPEAT + "!", title="After the commit")
    assert MATCHER_CACHE.builds == 1
    assert ClaimMatch.objects.filter(run__claim__article=after, external=late).exists()
