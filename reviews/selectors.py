"""The review desk's reads, shared by the admin, the API, the public pages and the jobs."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from claims import selectors as claims_selectors
from claims.models import ARTICLE_TEXT_FIELDS, Article, Attachment, Claim, Snapshot, Source
from claims.selectors import claims_ranked
from reviews.models import (
    Comment,
    Correction,
    Event,
    Rating,
    RevisionAttachment,
    RevisionEvidence,
    RevisionLink,
    Ticket,
    Verdict,
    VerdictRevision,
    Vote,
)
from reviews.workflow import WORK_STAGES, Stage


def tickets_for_desk() -> QuerySet[Ticket]:
    """Return every ticket with what a list of tickets shows (claim, article, assignee, rating).

    The article's text is left in the database: a list shows its title, and one piece's text
    can be megabytes that every row would otherwise carry.
    """
    return Ticket.objects.select_related(
        "claim__article", "assignee", "verdict__current_revision__rating"
    ).defer(*(f"claim__article__{name}" for name in ARTICLE_TEXT_FIELDS))


def claims_for_desk() -> QuerySet[Claim]:
    """Return claims with what the desk's API shows of each: article, ticket, draft and author."""
    return Claim.objects.select_related(
        "article",
        "ticket__assignee",
        "ticket__verdict__current_revision__rating",
        "ticket__verdict__current_revision__author",
    )


def tickets_my_queue(*, user) -> QuerySet[Ticket]:
    """Return the tickets `user` owes work on, soonest due first (undated last)."""
    return (
        tickets_for_desk()
        .filter(assignee=user, stage__in=WORK_STAGES)
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )


def tickets_overdue(*, now=None) -> QuerySet[Ticket]:
    """Return the tickets past their due date on which the desk still owes work."""
    return (
        tickets_for_desk()
        .filter(due_at__lt=now or timezone.now(), stage__in=WORK_STAGES)
        .order_by("due_at", "id")
    )


def ticket_for_page(pk) -> Ticket:
    """Return one ticket with everything its desk page shows in a constant number of queries."""
    return Ticket.objects.select_related(
        "claim__article",
        "assignee",
        "verdict__current_revision__rating",
        "verdict__current_revision__author",
        "verdict__published_revision__rating",
    ).get(pk=pk)


def ticket_revisions(ticket: Ticket) -> QuerySet[VerdictRevision]:
    """Return the verdict's revisions, newest first, with their votes and `cites_evidence`."""
    return (
        VerdictRevision.objects.filter(verdict__ticket=ticket)
        .select_related("rating", "author")
        .annotate(cites_evidence=Exists(RevisionEvidence.objects.filter(revision=OuterRef("pk"))))
        .prefetch_related(
            Prefetch(
                "votes",
                queryset=Vote.objects.select_related("editor", "rating").order_by(
                    "created_at", "id"
                ),
            )
        )
        .order_by("-number")
    )


def ticket_timeline(ticket: Ticket, user=None) -> QuerySet[Event]:
    """Return the ticket's audit trail as `user` may read it (all without one), oldest first."""
    events = (
        Event.objects.filter(ticket=ticket).select_related("actor").order_by("created_at", "id")
    )
    return events if user is None else events_visible_to(events, user)


def events_visible_to(events: QuerySet[Event], user) -> QuerySet[Event]:
    """Return the events `user` may read: a private note's event only for those who read private
    notes (its existence and whom it mentioned are part of the note)."""
    from reviews.models.discussion import PRIVATE_NOTES

    if user.has_perm(PRIVATE_NOTES):
        return events
    # A positive match in a sub-select: excluding on the JSON key directly would also drop the
    # events that lack it (NOT (true AND NULL) is not true in SQL).
    private = Event.objects.filter(action="comment", data__private=True).values("pk")
    return events.exclude(pk__in=private)


def ticket_discussion(ticket: Ticket, user) -> QuerySet[Comment]:
    """Return the ticket's comments `user` may read, oldest first: private notes for editors."""
    from reviews.models.discussion import PRIVATE_NOTES

    comments = Comment.objects.filter(ticket=ticket)
    if not user.has_perm(PRIVATE_NOTES):
        comments = comments.filter(private=False)
    return comments.select_related("author").order_by("created_at", "id")


def ticket_open_correction(ticket: Ticket) -> Correction | None:
    """Return the correction under way on the ticket's verdict, if any."""
    return Correction.objects.filter(verdict__ticket=ticket, published_at__isnull=True).first()


def verdicts_published(*, now=None) -> QuerySet[Verdict]:
    """Return the verdicts the public may see, including retracted ones, oldest change first.

    Use `published_revision` (never `current_revision`, which may be an unapproved draft),
    `retracted_at`/`retraction_reason`, `published_corrections` (the corrections made
    public, oldest first) and `published_revision.evidence` (the revision's own copy of the
    evidence it relies on, with each source and snapshot).
    Order and sync by (`updated_at`, `id`): it moves only when what the public sees changes.
    A verdict whose article is under embargo is left out.
    """
    return (
        Verdict.objects.filter(published_revision__isnull=False)
        .exclude(ticket__claim__article__embargo_until__gt=now or timezone.now())
        .select_related("published_revision__rating", "ticket__claim__article")
        .prefetch_related(
            Prefetch(
                "corrections",
                queryset=Correction.objects.filter(published_at__isnull=False).order_by(
                    "published_at", "id"
                ),
                to_attr="published_corrections",
            ),
            Prefetch(
                "published_revision__evidence",
                queryset=RevisionEvidence.objects.select_related("source", "snapshot").order_by(
                    "position", "id"
                ),
            ),
        )
        .order_by("updated_at", "id")
    )


def verdict_public_url(verdict_id: int) -> str:
    """Return the absolute URL of the verdict's public page (the readers' pages serve it)."""
    return f"{settings.DESK_BASE_URL.rstrip('/')}/verdicts/{verdict_id}/"


def claims_behind_published_verdicts() -> QuerySet[Claim]:
    """Return the claims whose verdicts are public: their sources are worth re-checking."""
    return Claim.objects.filter(
        ticket__verdict__published_revision__isnull=False,
        ticket__verdict__retracted_at__isnull=True,
    )


def rating_scale(*, offered_only: bool = False) -> QuerySet[Rating]:
    """Return the rating scale in the desk's order."""
    ratings = Rating.objects.order_by("order", "id")
    return ratings.filter(is_active=True) if offered_only else ratings


def rating_bounds() -> tuple[int | None, int | None]:
    """Return ClaimReview's (worstRating, bestRating): the scale's lowest and highest values."""
    bounds = Rating.objects.aggregate(worst=Min("numeric_value"), best=Max("numeric_value"))
    return bounds["worst"], bounds["best"]


def users_with_permission(dotted: str) -> QuerySet:
    """Return the active users holding `dotted` through a group or directly (not superusers)."""
    app_label, codename = dotted.split(".", 1)
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .filter(is_active=True)
        .distinct()
        .order_by("username", "id")
    )


def events_for_export(events: QuerySet[Event] | None = None) -> QuerySet[Event]:
    """Return events (all, or those given) with what the CSV export writes, oldest first."""
    events = Event.objects.all() if events is None else events
    return events.select_related("actor", "ticket__claim__article").order_by("created_at", "id")


# --- Readers' pages and feeds: every read starts from verdicts_published() ------------------


@dataclass(frozen=True)
class ReusedVerdict:
    """A claim of the piece that repeats one the desk had already checked, with that verdict."""

    claim: Claim
    verdict: Verdict


@dataclass(frozen=True)
class PublishedArticle:
    """An article as readers see it: the piece, its public verdicts in text order, and the
    claims that reuse a verdict published on another piece (in text order)."""

    article: Article
    verdicts: list[Verdict]
    reused: list[ReusedVerdict]


def _verdicts_of_article(slug: str, *, now=None) -> QuerySet[Verdict]:
    return verdicts_published(now=now).filter(ticket__claim__article__slug=slug)


def tickets_reusing_public_verdicts(slug: str, *, now=None) -> QuerySet[Ticket]:
    """Return the article's tickets that reuse a verdict the public sees now, first claim first.

    Only a verdict in verdicts_published() counts, so a reused verdict that is later put under
    embargo drops out, and only its published revision is ever shown (never a correction's
    draft). A piece under embargo shows nothing.
    """
    return (
        Ticket.objects.filter(
            claim__article__slug=slug,
            reuses_verdict__in=verdicts_published(now=now).order_by().values("pk"),
        )
        .exclude(claim__article__embargo_until__gt=now or timezone.now())
        .order_by("claim__start", "claim__position", "id")
    )


def article_published_view(slug: str, *, now=None) -> PublishedArticle:
    """Return the article with `slug`, its public verdicts and its reused ones, in text order.

    An article is public only once one of its verdicts is, or one of its claims reuses a public
    verdict: raise Article.DoesNotExist before that, so a piece under embargo or still in review
    never shows.
    """
    verdicts = list(
        _verdicts_of_article(slug, now=now)
        .select_related("published_revision__rating", "ticket__claim__article")
        .order_by("ticket__claim__start", "ticket__claim__position", "id")
    )
    tickets = list(tickets_reusing_public_verdicts(slug, now=now).select_related("claim__article"))
    public = {
        verdict.pk: verdict
        for verdict in verdicts_published(now=now).filter(
            pk__in=[ticket.reuses_verdict_id for ticket in tickets]
        )
    }
    reused = [
        ReusedVerdict(claim=ticket.claim, verdict=public[ticket.reuses_verdict_id])
        for ticket in tickets
        if ticket.reuses_verdict_id in public
    ]
    if verdicts:
        article = verdicts[0].ticket.claim.article
    elif reused:
        article = reused[0].claim.article
    else:
        raise Article.DoesNotExist(f"No public verdicts on an article {slug!r}.")
    return PublishedArticle(article=article, verdicts=verdicts, reused=reused)


def article_public(slug: str, *, now=None) -> Article:
    """Return the article with `slug` if one of its verdicts is public; else DoesNotExist."""
    public = verdicts_published(now=now).order_by().values("ticket__claim__article_id")
    return Article.objects.get(slug=slug, pk__in=public)


def articles_public(*, now=None) -> QuerySet[Article]:
    """Return the articles whose public page exists now (article_published_view's rule): one of
    their verdicts is public, or one of their claims reuses a public verdict."""
    now = now or timezone.now()
    visible = verdicts_published(now=now).order_by().values("pk")
    return Article.objects.filter(
        Q(claims__ticket__verdict__in=visible) | Q(claims__ticket__reuses_verdict__in=visible)
    ).exclude(embargo_until__gt=now)


def _public_corrections() -> Prefetch:
    return Prefetch(
        "corrections",
        queryset=Correction.objects.filter(published_at__isnull=False)
        .select_related("replaced_revision__rating", "published_revision__rating")
        .order_by("published_at", "id"),
        to_attr="public_corrections",
    )


def verdict_published_view(pk: int, *, now=None) -> Verdict:
    """Return one public verdict with its claim, article, sources and correction history.

    Besides what verdicts_published() loads, `public_corrections` carries each correction with
    the rating it replaced, and `published_revision.links` the links the piece itself gave with
    the archived copy pinned when the revision was approved (a fact-checker's research in
    progress stays out until a revision relies on it).
    """
    return (
        verdicts_published(now=now)
        .prefetch_related(
            "ticket__claim__tags",
            _public_corrections(),
            Prefetch(
                "published_revision__links",
                queryset=RevisionLink.objects.select_related("source", "snapshot").order_by("id"),
            ),
        )
        .get(pk=pk)
    )


def verdict_preview_view(ticket_pk: int) -> Verdict:
    """Return a ticket's verdict loaded as verdict_published_view() loads it, for its current
    (possibly unapproved) revision: the desk's preview only, never a public page or the API.
    """
    return (
        Verdict.objects.select_related("current_revision__rating", "ticket__claim__article")
        .prefetch_related(
            _public_corrections(),
            Prefetch(
                "current_revision__evidence",
                queryset=RevisionEvidence.objects.select_related("source", "snapshot").order_by(
                    "position", "id"
                ),
            ),
            Prefetch(
                "current_revision__links",
                queryset=RevisionLink.objects.select_related("source", "snapshot").order_by("id"),
            ),
        )
        .get(ticket_id=ticket_pk, current_revision__isnull=False)
    )


def verdicts_recently_changed(*, limit: int, article: Article | None = None) -> list[Verdict]:
    """Return the `limit` public verdicts whose public side changed last, newest first.

    Each carries `public_corrections`: its published corrections with the ratings they replaced.
    """
    verdicts = verdicts_published().prefetch_related(_public_corrections())
    if article is not None:
        verdicts = verdicts.filter(ticket__claim__article=article)
    return list(verdicts.order_by("-updated_at", "-id")[:limit])


def revisions_public(*, now=None) -> QuerySet[VerdictRevision]:
    """Return the revisions readers have seen: each public verdict's published revision and
    the revisions its published corrections replaced (their archived sources stay reachable).
    """
    visible = verdicts_published(now=now).order_by()
    replaced = Correction.objects.filter(
        verdict__in=visible.values("pk"), published_at__isnull=False
    ).values("replaced_revision_id")
    return VerdictRevision.objects.filter(
        Q(pk__in=visible.values("published_revision_id")) | Q(pk__in=replaced)
    )


def snapshots_public(*, now=None) -> QuerySet[Snapshot]:
    """Return the archived snapshots readers may open: those public revisions pinned.

    That is the snapshots the evidence of public revisions quotes, and the archived copy of
    each link of the piece pinned when the revision was approved. A later fetch of the same
    source adds a snapshot without removing these.
    """
    revisions = revisions_public(now=now).values("pk")
    quoted = RevisionEvidence.objects.filter(revision__in=revisions).values("snapshot_id")
    linked = RevisionLink.objects.filter(revision__in=revisions).values("snapshot_id")
    return Snapshot.objects.filter(Q(pk__in=quoted) | Q(pk__in=linked)).select_related("source")


def attachments_public(*, now=None) -> QuerySet[Attachment]:
    """Return the uploaded files readers may open: those a public revision relies on.

    A file on a draft, or only on the working evidence, is never among them.
    """
    revisions = revisions_public(now=now).values("pk")
    relied = RevisionAttachment.objects.filter(revision__in=revisions).values("attachment_id")
    return Attachment.objects.filter(pk__in=relied)


def revision_attachments(revision) -> list[RevisionAttachment]:
    """Return the files `revision` relies on, in their order, with each file's record."""
    return list(revision.attachments.select_related("attachment").order_by("position", "id"))


def evidence_public_on_snapshot(snapshot: Snapshot, *, now=None) -> QuerySet[RevisionEvidence]:
    """Return the quotes that public revisions take from `snapshot`, with their offsets."""
    revisions = revisions_public(now=now).values("pk")
    return RevisionEvidence.objects.filter(snapshot=snapshot, revision__in=revisions).order_by(
        "start", "id"
    )


def sources_behind_published_verdicts() -> QuerySet[Source]:
    """Return the sources a published revision quotes or pinned (embargoed or retracted too)."""
    revisions = VerdictRevision.objects.filter(
        Q(pk__in=Verdict.objects.values("published_revision_id"))
        | Q(pk__in=Correction.objects.values("replaced_revision_id"))
    ).values("pk")
    quoted = RevisionEvidence.objects.filter(revision__in=revisions).values("source_id")
    linked = RevisionLink.objects.filter(revision__in=revisions).values("source_id")
    return Source.objects.filter(Q(pk__in=quoted) | Q(pk__in=linked))


# --- The desk's dashboard ------------------------------------------------------------------


# A stage holding more tickets than this (by PostgreSQL's statistics) is shown as an estimate.
STAGE_ESTIMATE_ABOVE = 10_000


def ticket_stage_counts() -> tuple[dict[str, int], set[str]]:
    """Return how many tickets are in each stage (stages without tickets are left out), and
    the stages whose figure is PostgreSQL's estimate.

    Counting the archive's stages (published, dismissed) would read most of the table on every
    view of the dashboard; over STAGE_ESTIMATE_ABOVE tickets a stage's figure comes from the
    statistics ANALYZE keeps, and the other stages are counted from the stage index.
    """
    estimated: dict[str, int] = {}
    if connection.vendor == "postgresql":
        estimated = _stage_estimates()
    exact = Ticket.objects.filter(stage__in=[s for s in Stage if s.value not in estimated])
    counts = dict(exact.order_by().values_list("stage").annotate(total=Count("id")))
    return {**counts, **estimated}, set(estimated)


def _stage_estimates() -> dict[str, int]:
    """Return the stages PostgreSQL's statistics put above STAGE_ESTIMATE_ABOVE tickets."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.most_common_vals::text::text[], s.most_common_freqs, c.reltuples"
            " FROM pg_class c LEFT JOIN pg_stats s ON s.schemaname = current_schema()"
            " AND s.tablename = %s AND s.attname = 'stage' WHERE c.oid = %s::regclass",
            [Ticket._meta.db_table, Ticket._meta.db_table],
        )
        stages, shares, rows = cursor.fetchone()
    estimates = {
        stage: round(share * rows) for stage, share in zip(stages or [], shares or [], strict=True)
    }
    return {stage: n for stage, n in estimates.items() if n > STAGE_ESTIMATE_ABOVE}


def tickets_awaiting_vote(*, user) -> QuerySet[Ticket]:
    """Return the tickets in review whose current revision `user` may still vote on."""
    return (
        tickets_for_desk()
        .filter(stage=Stage.IN_REVIEW)
        .exclude(verdict__current_revision__votes__editor=user)
        .exclude(verdict__revisions__author=user)
        .order_by("updated_at", "id")
    )


# One definition, shared with the source list's "failing to fetch" filter the dashboard links to.
sources_failing = claims_selectors.sources_failing


def claims_found(*, article_id: int, limit: int) -> tuple[list[Claim], int]:
    """Return the article's best `limit` claims (with their ticket's id) and how many it has."""
    best = claims_ranked(article_id=article_id).annotate(ticket_id=F("ticket__id"))[:limit]
    return list(best), Claim.objects.filter(article_id=article_id).count()


# --- Claim matching ------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchView:
    """One match of a claim as the ticket page and the staff API show it."""

    kind: str
    ours: bool
    rank: int
    score: float
    level: str
    conflicts: list
    text: str
    rating: str
    date: object
    url: str
    verdict_id: int | None
    ticket_id: int | None
    external_id: int | None
    repeats: int


def verdict_repeat_counts(verdict_ids) -> dict[int, int]:
    """Return how many distinct new claims were confirmed matches of each verdict."""
    from reviews.models import ClaimMatch

    return dict(
        ClaimMatch.objects.filter(
            verdict_id__in=list(verdict_ids), level=ClaimMatch.Level.CONFIRMED
        )
        .values("verdict_id")
        .annotate(n=Count("run__claim", distinct=True))
        .values_list("verdict_id", "n")
    )


def claim_matches(claim: Claim) -> list[MatchView]:
    """Return what the latest matching of ``claim`` found, best first (three queries)."""
    from reviews.models import ClaimMatch, ExternalRatingMap, MatchRun

    run = MatchRun.objects.filter(claim=claim).order_by("-ran_at", "-id").first()
    if run is None:
        return []
    rows = list(
        ClaimMatch.objects.filter(run=run)
        .select_related(
            "verdict__published_revision__rating",
            "verdict__ticket__claim",
            "matched_claim__article",
            "matched_claim__ticket",
            "external",
        )
        .order_by("rank", "id")
    )
    mapped = {
        (publisher.lower(), text.lower()): label
        for publisher, text, label in ExternalRatingMap.objects.values_list(
            "publisher", "rating_text", "rating__label"
        )
    }
    repeats = verdict_repeat_counts([row.verdict_id for row in rows if row.verdict_id])
    views = []
    for row in rows:
        common = {
            "kind": row.kind,
            "rank": row.rank,
            "score": row.score,
            "level": row.level,
            "conflicts": row.conflicts,
        }
        if row.kind == ClaimMatch.Kind.VERDICT:
            verdict = row.verdict
            revision = verdict.published_revision
            views.append(
                MatchView(
                    **common,
                    ours=True,
                    text=verdict.ticket.claim.text,
                    rating=revision.rating.label if revision else "",
                    date=verdict.published_at,
                    url=verdict_public_url(verdict.pk),
                    verdict_id=verdict.pk,
                    ticket_id=verdict.ticket_id,
                    external_id=None,
                    repeats=repeats.get(verdict.pk, 0),
                )
            )
        elif row.kind == ClaimMatch.Kind.TICKET:
            other = row.matched_claim
            ticket = getattr(other, "ticket", None)
            views.append(
                MatchView(
                    **common,
                    ours=True,
                    text=other.text,
                    rating=ticket.get_stage_display() if ticket else "",
                    date=other.article.published_at or other.article.ingested_at,
                    url=ticket.get_absolute_url() if ticket else "",
                    verdict_id=None,
                    ticket_id=ticket.pk if ticket else None,
                    external_id=None,
                    repeats=0,
                )
            )
        else:
            external = row.external
            ours = mapped.get((external.publisher.lower(), external.rating_text.lower()))
            views.append(
                MatchView(
                    **common,
                    ours=False,
                    text=external.claim_reviewed,
                    rating=f"{external.rating_text} ({ours})" if ours else external.rating_text,
                    date=external.reviewed_at,
                    url=external.url,
                    verdict_id=None,
                    ticket_id=None,
                    external_id=external.pk,
                    repeats=0,
                )
            )
    return views
