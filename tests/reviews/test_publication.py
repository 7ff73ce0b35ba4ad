"""Publication respects embargoes; corrections and retractions show the public what changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import selectors, services
from reviews.errors import InvalidTransition, ReviewError
from reviews.models import Event, Verdict
from reviews.tasks import publish_due
from reviews.workflow import Stage
from tests.reviews.factories import rating, ticket_in


def public_ids():
    return set(selectors.verdicts_published().values_list("pk", flat=True))


def still_public(revision) -> bool:
    """Return whether `revision` is what the public sees, with no correction shown yet."""
    (public,) = selectors.verdicts_published()
    return public.published_revision == revision and public.published_corrections == []


def correct(ticket, *, checker, editor, editor2, note="We first gave the wrong figure."):
    """Drive a published ticket through a correction to its publication."""
    services.correction_open(ticket=ticket, by=editor, note="A reader sent the 2022 accounts.")
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("mostly-false"),
        summary="It was 2.3 million dollars.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="The 2022 accounts add a second payment.",
    )
    services.verdict_submit(ticket=ticket, by=checker)
    services.vote_cast(ticket=ticket, by=editor2, approve=True)
    return services.verdict_publish(ticket=ticket, by=editor, correction_note=note)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "stage",
    [
        Stage.RESEARCHING,
        Stage.IN_REVIEW,
        Stage.CHANGES_REQUESTED,
        Stage.APPROVED,
        Stage.SCHEDULED,
    ],
)
def test_drafts_never_reach_the_public(stage):
    ticket = ticket_in(stage)
    assert public_ids() == set()
    assert not selectors.claims_behind_published_verdicts().filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_publishing_makes_the_approved_revision_public(editor):
    ticket = ticket_in(Stage.APPROVED)
    services.verdict_publish(ticket=ticket, by=editor)
    (verdict,) = selectors.verdicts_published()
    assert verdict.published_revision == verdict.current_revision
    assert verdict.published_at is not None
    assert verdict.published_corrections == []


@pytest.mark.django_db
def test_an_embargo_schedules_the_verdict_and_the_beat_publishes_it_when_it_lifts(editor):
    embargo = timezone.now() + timedelta(hours=2)
    ticket = ticket_in(Stage.APPROVED, embargo_until=embargo)
    services.verdict_publish(ticket=ticket, by=editor)
    ticket.refresh_from_db()
    assert ticket.stage == Stage.SCHEDULED
    assert publish_due() == 0
    with pytest.raises(InvalidTransition, match="under embargo"):
        services.verdict_publish(ticket=ticket, by=editor)
    assert public_ids() == set()

    article = ticket.claim.article
    article.embargo_until = timezone.now() - timedelta(seconds=1)
    article.save(update_fields=["embargo_until"])
    assert publish_due() == 1
    ticket.refresh_from_db()
    assert ticket.stage == Stage.PUBLISHED
    event = Event.objects.get(ticket=ticket, action="publish")
    assert (event.actor, event.from_stage) == (None, Stage.SCHEDULED)
    assert public_ids() == {ticket.verdict.pk}


@pytest.mark.django_db
def test_an_embargo_set_after_publication_hides_the_verdict_again():
    ticket = ticket_in(Stage.PUBLISHED)
    article = ticket.claim.article
    article.embargo_until = timezone.now() + timedelta(hours=1)
    article.save(update_fields=["embargo_until"])
    assert public_ids() == set()


@pytest.mark.django_db
def test_a_correction_keeps_the_published_version_public_until_it_is_approved(
    checker, editor, editor2
):
    ticket = ticket_in(Stage.PUBLISHED, assignee=checker)
    original = ticket.verdict.published_revision
    services.correction_open(ticket=ticket, by=editor, note="A reader sent the 2022 accounts.")
    revision = services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("mostly-false"),
        summary="It was 2.3 million dollars.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="The 2022 accounts add a second payment.",
    )
    services.verdict_submit(ticket=ticket, by=checker)
    assert still_public(original)
    services.vote_cast(ticket=ticket, by=editor2, approve=True)
    assert still_public(original)
    with pytest.raises(ReviewError, match="correction note"):
        services.verdict_publish(ticket=ticket, by=editor)
    services.verdict_publish(ticket=ticket, by=editor, correction_note="We gave 2.1 million.")
    (public,) = selectors.verdicts_published()
    assert public.published_revision == revision
    assert [c.public_note for c in public.published_corrections] == ["We gave 2.1 million."]
    assert public.published_corrections[0].replaced_revision == original


@pytest.mark.django_db
def test_a_retraction_is_visible_as_such_with_its_reason(editor):
    ticket = ticket_in(Stage.PUBLISHED)
    services.verdict_retract(ticket=ticket, by=editor, reason="Our source was forged.")
    (public,) = selectors.verdicts_published()
    assert public.is_retracted
    assert public.retraction_reason == "Our source was forged."
    assert public.published_revision is not None
    assert not selectors.claims_behind_published_verdicts().exists()


@pytest.mark.django_db
def test_a_retraction_needs_a_reason(editor):
    with pytest.raises(ReviewError, match="public reason"):
        services.verdict_retract(ticket=ticket_in(Stage.PUBLISHED), by=editor, reason=" ")


@pytest.mark.django_db
def test_drafts_do_not_move_the_sync_timestamp_but_public_changes_do(checker, editor, editor2):
    ticket = ticket_in(Stage.PUBLISHED, assignee=checker)
    published = Verdict.objects.get(ticket=ticket).updated_at
    services.correction_open(ticket=ticket, by=editor, note="Check the year.")
    services.verdict_save_draft(
        ticket=ticket,
        by=checker,
        rating=rating("false"),
        summary="Another draft.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="Not yet approved.",
    )
    assert Verdict.objects.get(ticket=ticket).updated_at == published
    services.verdict_submit(ticket=ticket, by=checker)
    services.vote_cast(ticket=ticket, by=editor2, approve=True)
    services.verdict_publish(ticket=ticket, by=editor, correction_note="The year was wrong.")
    assert Verdict.objects.get(ticket=ticket).updated_at > published


@pytest.mark.django_db
def test_only_the_services_public_changes_stamp_the_sync_timestamp_never_a_save(editor):
    ticket = ticket_in(Stage.PUBLISHED)
    verdict = Verdict.objects.get(ticket=ticket)
    published = verdict.updated_at

    verdict.save()
    assert Verdict.objects.get(pk=verdict.pk).updated_at == published

    services.verdict_retract(ticket=ticket, by=editor, reason="The accounts were forged.")
    assert Verdict.objects.get(pk=verdict.pk).updated_at > published


@pytest.mark.django_db
def test_the_full_correction_is_on_the_timeline(checker, editor, editor2):
    ticket = ticket_in(Stage.PUBLISHED, assignee=checker)
    correct(ticket, checker=checker, editor=editor, editor2=editor2)
    timeline = [(e.action, e.from_stage, e.to_stage) for e in selectors.ticket_timeline(ticket)]
    assert timeline == [
        ("open_correction", Stage.PUBLISHED, Stage.CORRECTING),
        ("save_draft", Stage.CORRECTING, Stage.CORRECTING),
        ("submit", Stage.CORRECTING, Stage.IN_REVIEW),
        ("vote", Stage.IN_REVIEW, Stage.APPROVED),
        ("publish", Stage.APPROVED, Stage.PUBLISHED),
    ]


@pytest.mark.django_db
def test_the_rating_scale_gives_claimreview_its_bounds():
    assert selectors.rating_bounds() == (1, 5)
    slugs = list(selectors.rating_scale().values_list("slug", flat=True))
    assert slugs == [
        "true",
        "mostly-true",
        "half-true",
        "mostly-false",
        "false",
        "misleading",
        "unverifiable",
    ]
    assert rating("misleading").numeric_value is None
