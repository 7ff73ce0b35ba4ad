"""Build tickets, verdicts and votes for tests, in any stage of the workflow (factory_boy)."""

from datetime import timedelta
from pathlib import Path

import factory
from django.utils import timezone

from reviews.models import (
    Correction,
    Rating,
    RevisionEvidence,
    Ticket,
    Verdict,
    VerdictRevision,
    Vote,
)
from reviews.services.record import revision_links_pin
from reviews.shortclaim import suggest_short_claim
from reviews.workflow import DismissReason, Stage
from tests.factories import ArticleFactory, ClaimFactory, UserFactory

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SAMPLE_PIECE = SEEDS / "openai-microsoft-bedrock-opinion.txt"
SAMPLE_CLAIM = "Microsoft poured more than thirteen billion dollars into OpenAI"


def rating(slug: str = "false") -> Rating:
    """Return a rating of the scale seeded by the migrations."""
    return Rating.objects.get(slug=slug)


def new_fact_checker(**kwargs):
    """Return a new user in the Fact-checker role."""
    return UserFactory(role="Fact-checker", **kwargs)


def new_editor(**kwargs):
    """Return a new user in the Editor role."""
    return UserFactory(role="Editor", **kwargs)


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    claim = factory.SubFactory(ClaimFactory)
    stage = Stage.NEW


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verdict

    ticket = factory.SubFactory(TicketFactory)


class VerdictRevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerdictRevision

    verdict = factory.SubFactory(VerdictFactory)
    number = factory.Sequence(lambda n: n + 1)
    rating = factory.LazyFunction(lambda: rating("false"))
    summary = "The council spent 2.1 million dollars, not 4 million."
    explanation = "The council's 2023 accounts list the bridge at 2.1 million dollars."
    # Publication needs a short claim; the suggestion from the assertion is what editors start from.
    short_claim = factory.LazyAttribute(lambda r: suggest_short_claim(r.verdict.ticket.claim.text))
    author = factory.SubFactory(UserFactory, role="Fact-checker")


class VoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vote

    revision = factory.SubFactory(VerdictRevisionFactory)
    editor = factory.SubFactory(UserFactory, role="Editor")
    approve = True
    rating = factory.SelfAttribute("revision.rating")


def sample_claim():
    """Return the claim about Microsoft's investment, from the sample piece, with exact offsets."""
    text = SAMPLE_PIECE.read_text(encoding="utf-8")
    article = ArticleFactory(
        title="OpenAI's Bedrock memo confirms what Microsoft should have seen coming",
        slug="openai-microsoft-bedrock",
        body=text,
        plain_text=text,
        paragraph_count=text.count("\n") + 1,
    )
    start = text.index(SAMPLE_CLAIM)
    paragraph = text.count("\n", 0, start)
    return ClaimFactory(
        article=article,
        start=start,
        end=start + len(SAMPLE_CLAIM),
        paragraph=paragraph,
        sentence=7,
        position=7,
        score=0.93,
        reasons=["contains a figure: thirteen billion dollars", "names an organisation"],
    )


def ticket_in(
    stage: Stage,
    *,
    assignee=None,
    approver=None,
    embargo_until=None,
    draft: bool = True,
    **claim_kwargs,
) -> Ticket:
    """Return a ticket already in `stage`, with the records a ticket has on its way there.

    Researching onwards it is assigned to `assignee` (a new fact-checker by default), who wrote
    revision 1 (a researching ticket has it too, unless `draft=False`); from approved onwards
    `approver` (a new editor) approved it. A correcting ticket has a corrected draft
    (revision 2) waiting to be submitted.
    """
    claim = ClaimFactory(**claim_kwargs)
    if embargo_until is not None:
        claim.article.embargo_until = embargo_until
        claim.article.save(update_fields=["embargo_until"])
    order = list(Stage)
    reached = {s: order.index(stage) >= order.index(s) for s in order}
    worked = stage not in (Stage.NEW, Stage.QUEUED, Stage.DISMISSED)
    ticket = TicketFactory(
        claim=claim,
        stage=stage,
        assignee=(assignee or new_fact_checker()) if worked else None,
        dismiss_reason=DismissReason.OPINION if stage == Stage.DISMISSED else "",
        due_at=timezone.now() + timedelta(days=2) if worked else None,
    )
    if stage in (Stage.NEW, Stage.QUEUED, Stage.DISMISSED) or (
        stage == Stage.RESEARCHING and not draft
    ):
        return ticket
    revision = VerdictRevisionFactory(
        verdict=VerdictFactory(ticket=ticket), number=1, author=ticket.assignee
    )
    verdict = revision.verdict
    verdict.current_revision = revision
    if not reached[Stage.APPROVED] or stage == Stage.CHANGES_REQUESTED:
        verdict.save()
        return ticket
    VoteFactory(revision=revision, editor=approver or new_editor())
    revision_links_pin(revision=revision, claim_id=claim.pk)
    if reached[Stage.PUBLISHED]:
        verdict.published_revision = revision
        verdict.published_at = timezone.now()
    if stage == Stage.CORRECTING:
        corrected = VerdictRevisionFactory(
            verdict=verdict, number=2, author=ticket.assignee, rating=rating("mostly-false")
        )
        verdict.current_revision = corrected
        Correction.objects.create(
            verdict=verdict,
            reason="The figure was 2.3 million.",
            opened_by=new_editor(),
            replaced_revision=revision,
        )
    if stage == Stage.RETRACTED:
        verdict.retracted_at = timezone.now()
        verdict.retraction_reason = "The accounts we relied on were forged."
    verdict.save()
    return ticket


def rely_on(revision: VerdictRevision, *evidence) -> None:
    """Make `revision` rely on `evidence` as saving it would have: with its own copy of each."""
    first = revision.evidence.count()
    for position, item in enumerate(evidence, start=first):
        passage = item.passage
        RevisionEvidence.objects.create(
            revision=revision,
            position=position,
            pinned=item,
            source_id=item.source_id,
            snapshot_id=item.snapshot_id,
            quote=item.quote,
            start=passage.start if passage is not None else None,
            end=passage.end if passage is not None else None,
            stance=item.stance,
            note=item.note,
        )
