"""A fixture desk whose figures are known by hand: its audit trail written at chosen times.

Period: the year 2025 (UTC). Seven claims are published; claim i is opened on 3 March 2025
09:00 plus i days and published TOTAL_HOURS[i] hours later. Each is queued after 1 h, taken
after 3 h, submitted 4 h and approved 1 h before publication; claim 6 is first rejected (submitted
at 50 h, rejected at 52 h, resubmitted at 60 h). All are due 48 h after opening. Besides them:
three dismissals (two opinions, one duplicate), one claim queued and untouched, one new claim
that is not check-worthy, one of the published verdicts corrected and one retracted, and one claim
of 2024 published in 2024 that the figures for 2025 leave out.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reviews.models import Correction, Event, Ticket, Verdict, VerdictRevision, Vote
from reviews.services._steps import record_spell
from reviews.workflow import DismissReason, Stage
from tests.factories import ArticleFactory, ClaimFactory
from tests.reviews.factories import new_editor, new_fact_checker, rating

TOTAL_HOURS = [10, 20, 30, 40, 50, 60, 100]
RATED = ["false", "false", "false", "false", "true", "true", "mostly-false"]
# The second editor's rating on each published revision: two disagree with the published one.
SECOND_OPINION = ["false", "false", "false", "true", "true", "true", "false"]
OPENED = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
S = Stage


@dataclass
class Desk:
    tickets: list[Ticket]
    alice: object
    bob: object
    editor: object
    editor2: object


def at(ticket: Ticket, hours: float) -> datetime:
    return ticket.created_at + timedelta(hours=hours)


def event(ticket, hours, action, from_stage, to_stage, *, actor=None, note="", **data):
    """Write an event at `hours` after opening, and the stays it ends and begins, as step() does."""
    if from_stage != to_stage:
        record_spell(ticket, from_stage=from_stage, to_stage=to_stage, at=at(ticket, hours))
    return Event.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        from_stage=from_stage,
        to_stage=to_stage,
        note=note,
        data=data,
        created_at=at(ticket, hours),
    )


def opened(when: datetime, *, checkworthy: bool = True, publication="The Test Gazette", **kw):
    article = ArticleFactory(publication=publication, ingested_at=when, **kw)
    claim = ClaimFactory(article=article, checkworthy=checkworthy, created_at=when)
    return Ticket.objects.create(claim=claim, created_at=when)


def publish_walk(ticket, total, slug, *, checker, editor, editor2, second, rejected=False):
    """Write the trail of a claim published `total` hours after opening, and its verdict."""
    event(ticket, 1, "queue", S.NEW, S.QUEUED, actor=editor)
    event(ticket, 3, "take", S.QUEUED, S.RESEARCHING, actor=checker, assignee=checker.username)
    verdict = Verdict.objects.create(ticket=ticket, created_at=at(ticket, 3))
    first = VerdictRevision.objects.create(
        verdict=verdict,
        number=1,
        rating=rating(slug),
        summary="s",
        explanation="e",
        author=checker,
        created_at=at(ticket, 4),
    )
    published = first
    if rejected:
        event(ticket, 50, "submit", S.RESEARCHING, S.IN_REVIEW, actor=checker)
        Vote.objects.create(
            revision=first, editor=editor, approve=False, note="No.", created_at=at(ticket, 52)
        )
        event(ticket, 52, "vote", S.IN_REVIEW, S.CHANGES_REQUESTED, actor=editor, approve=False)
        published = VerdictRevision.objects.create(
            verdict=verdict,
            number=2,
            rating=rating(slug),
            summary="s2",
            explanation="e2",
            author=checker,
            created_at=at(ticket, 59),
        )
        event(ticket, 60, "submit", S.CHANGES_REQUESTED, S.IN_REVIEW, actor=checker)
    else:
        event(ticket, total - 4, "submit", S.RESEARCHING, S.IN_REVIEW, actor=checker)
    Vote.objects.create(
        revision=published,
        editor=editor,
        approve=True,
        rating=rating(slug),
        created_at=at(ticket, total - 1),
    )
    event(ticket, total - 1, "vote", S.IN_REVIEW, S.APPROVED, actor=editor, rating=slug)
    Vote.objects.create(
        revision=published,
        editor=editor2,
        approve=True,
        rating=rating(second),
        created_at=at(ticket, total - 1),
    )
    event(
        ticket,
        total,
        "publish",
        S.APPROVED,
        S.PUBLISHED,
        actor=editor,
        revision=published.number,
        rating=slug,
        correction=None,
    )
    Ticket.objects.filter(pk=ticket.pk).update(
        stage=S.PUBLISHED, assignee=checker, due_at=at(ticket, 48)
    )
    Verdict.objects.filter(pk=verdict.pk).update(
        current_revision=published, published_revision=published, published_at=at(ticket, total)
    )
    return Verdict.objects.get(pk=verdict.pk)


def build() -> Desk:
    alice, bob = new_fact_checker(username="alice"), new_fact_checker(username="bob")
    editor, editor2 = new_editor(username="ed"), new_editor(username="ed2")
    tickets = []
    verdicts = []
    for i, total in enumerate(TOTAL_HOURS):
        ticket = opened(OPENED + timedelta(days=i), author=f"Columnist {i % 2}")
        tickets.append(ticket)
        verdicts.append(
            publish_walk(
                ticket,
                total,
                RATED[i],
                checker=alice if i < 4 else bob,
                editor=editor,
                editor2=editor2,
                second=SECOND_OPINION[i],
                rejected=i == 6,
            )
        )
    for i, reason in enumerate(
        [DismissReason.OPINION, DismissReason.OPINION, DismissReason.DUPLICATE]
    ):
        ticket = opened(OPENED + timedelta(days=10 + i))
        event(ticket, 2, "dismiss", S.NEW, S.DISMISSED, actor=editor, reason=reason.value)
        Ticket.objects.filter(pk=ticket.pk).update(stage=S.DISMISSED, dismiss_reason=reason)
    waiting = opened(OPENED + timedelta(days=20))
    event(waiting, 5, "queue", S.NEW, S.QUEUED, actor=editor)
    Ticket.objects.filter(pk=waiting.pk).update(stage=S.QUEUED)
    opened(OPENED + timedelta(days=21), checkworthy=False)

    # A correction of claim 0 published 30 days after it, and the retraction of claim 1.
    corrected = tickets[0]
    event(corrected, 24 * 30 - 10, "open_correction", S.PUBLISHED, S.CORRECTING, actor=editor)
    correction = Correction.objects.create(
        verdict=verdicts[0],
        reason="Figure.",
        opened_by=editor,
        replaced_revision=verdicts[0].published_revision,
        opened_at=at(corrected, 24 * 30 - 10),
        public_note="We corrected the figure: 2.3 million, not 2.1 million.",
        published_revision=verdicts[0].published_revision,
        published_at=at(corrected, 24 * 30),
    )
    event(
        corrected,
        24 * 30,
        "publish",
        S.APPROVED,
        S.PUBLISHED,
        actor=editor,
        note=correction.public_note,
        revision=1,
        rating="false",
        correction=correction.pk,
    )
    retracted = tickets[1]
    event(
        retracted,
        24 * 40,
        "retract",
        S.PUBLISHED,
        S.RETRACTED,
        actor=editor,
        note="The accounts were forged.",
        revision=1,
    )
    Verdict.objects.filter(ticket=retracted).update(
        retracted_at=at(retracted, 24 * 40), retraction_reason="The accounts were forged."
    )
    Ticket.objects.filter(pk=retracted.pk).update(stage=S.RETRACTED)

    # 2024: opened and published, outside the period.
    old = opened(datetime(2024, 6, 1, tzinfo=UTC))
    publish_walk(old, 30, "true", checker=alice, editor=editor, editor2=editor2, second="true")
    return Desk(tickets=tickets, alice=alice, bob=bob, editor=editor, editor2=editor2)
