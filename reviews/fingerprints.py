"""Say what each public resource depends on, in one query; pages, feeds and the API share it.

A public resource shows some published verdicts (or one archived snapshot). What readers see of
a verdict changes only with: the verdict's public change time (publication, correction,
retraction), its published revision (whose evidence is an immutable copy, so the revision's id
covers it) and that revision's rating (read by id and change time, not inferred from the
revision), its article, the sources that revision shows (a re-check, or a newer snapshot that
"the live page has changed since" reports), and the rating scale. An article's page also
shows the verdicts its claims reuse from other pieces (so a correction to one moves the page),
when each claim was marked so, and the piece itself. An archived snapshot's page
changes with the public revisions that quote or link it. A verdict also shows its claim's tags
(their number and newest rename). Each row is read by name.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db.models import (
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)

from claims.models import Claim
from factcheck.compiled import values_compiled
from reviews.models import Rating, RevisionEvidence, RevisionLink, Verdict
from reviews.rules import approvals_required, panel_size
from reviews.selectors import (
    revisions_public,
    snapshots_public,
    tickets_reusing_public_verdicts,
    verdicts_published,
)

# The times that can move a verdict's Last-Modified, by row name.
_VERDICT_TIMES = (
    "updated_at",
    "article_changed_at",
    "evidence_sources_changed_at",
    "link_sources_changed_at",
    "scale_changed_at",
    "tags_changed_at",
)
_VERDICT_FIELDS = (
    "pk",
    "published_revision_id",
    *_VERDICT_TIMES,
    "rating_id",
    "rating_changed_at",
    "scale_size",
    "scale_worst",
    "scale_best",
    "tags",
)
_SNAPSHOT_TIMES = ("fetched_at", "quotes_changed_at", "links_changed_at")
_SNAPSHOT_FIELDS = ("pk", "source_id", *_SNAPSHOT_TIMES, "quotes", "links")


@dataclass(frozen=True)
class Dependencies:
    """What one public resource shows, summed up: its rows (by name) and their newest change."""

    rows: tuple[dict, ...]
    times: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def last_modified(self) -> datetime | None:
        stamps = [row[name] for row in self.rows for name in self.times if row[name] is not None]
        return max(stamps) if stamps else None

    @property
    def bounds(self) -> tuple[int | None, int | None]:
        """Return the rating scale's (worst, best) values, as ClaimReview states them."""
        if not self.rows or "scale_worst" not in self.rows[0]:
            return None, None
        return self.rows[0]["scale_worst"], self.rows[0]["scale_best"]

    def digest(self, *parts) -> str:
        """Return a hex digest of the rows and `parts` (what else the response depends on)."""
        # One repr of the names and every row's values: a page's 51 rows hash in half a
        # millisecond (every row's sorted items cost more than the query's own CPU).
        names = tuple(self.rows[0]) if self.rows else ()
        values = [tuple(row.values()) for row in self.rows]
        return hashlib.sha256(repr((parts, names, values)).encode()).hexdigest()


def _scalar(queryset: QuerySet, **aggregate) -> Subquery:
    """Return one aggregate over `queryset` as a subquery (grouped on a constant)."""
    ((name, expression),) = aggregate.items()
    grouped = queryset.order_by().annotate(_all=Value(1, IntegerField())).values("_all")
    return Subquery(grouped.annotate(**{name: expression}).values(name)[:1])


def _scale_bound(order: str) -> Subquery:
    values = Rating.objects.filter(numeric_value__isnull=False).order_by(order)
    return Subquery(values.values("numeric_value")[:1])


def _sources_changed(model) -> Subquery:
    rows = model.objects.filter(revision=OuterRef("published_revision"))
    return _scalar(rows, latest=Max("source__updated_at"))


def _claim_tags() -> QuerySet:
    return Claim.tags.through.objects.filter(claim=OuterRef("ticket__claim"))


@cache
def _verdict_annotations() -> dict:
    """Return the expressions each verdict's row reads, built once: annotate() copies them."""
    return {
        "article_changed_at": F("ticket__claim__article__updated_at"),
        # Read, not inferred from the revision: a revision's rating is a column like any.
        "rating_id": F("published_revision__rating_id"),
        "rating_changed_at": F("published_revision__rating__updated_at"),
        "evidence_sources_changed_at": _sources_changed(RevisionEvidence),
        "link_sources_changed_at": _sources_changed(RevisionLink),
        "scale_changed_at": _scalar(Rating.objects.all(), latest=Max("updated_at")),
        "scale_size": _scalar(Rating.objects.all(), n=Count("pk")),
        "scale_worst": _scale_bound("numeric_value"),
        "scale_best": _scale_bound("-numeric_value"),
        # The claim's topics: a tag set, removed or renamed changes what readers see.
        "tags": _scalar(_claim_tags(), n=Count("pk")),
        "tags_changed_at": _scalar(_claim_tags(), latest=Max("tag__updated_at")),
    }


def verdicts_dependencies(
    verdicts: QuerySet[Verdict], *, limit: int | None = None, **extra: Subquery
) -> Dependencies:
    """Return what the first `limit` verdicts of `verdicts` (all by default) show, in one query.

    `extra` names further values each row carries (subqueries on the verdict); those whose name
    ends in `_at` are change times.
    """
    times = (*_VERDICT_TIMES, *(name for name in extra if name.endswith("_at")))
    return Dependencies(rows=tuple(_dependency_rows(verdicts, limit, **extra)), times=times)


def _dependency_rows(verdicts: QuerySet[Verdict], limit: int | None, **extra) -> QuerySet:
    rows = (
        verdicts.prefetch_related(None)
        .select_related(None)
        .annotate(**_verdict_annotations(), **extra)
        .values(*_VERDICT_FIELDS, *extra)
    )
    return rows[:limit] if limit is not None else rows


def verdicts_dependencies_compiled(
    key: str, build: Callable[..., QuerySet[Verdict]], *, limit: int, **arguments
) -> Dependencies:
    """Return verdicts_dependencies(build(**arguments), limit=limit), its query compiled once.

    For a resource asked for often (the API's sync pages): see factcheck.compiled for what
    `key` and `arguments` must be.
    """
    rows = values_compiled(
        ("verdicts-dependencies", key, limit),
        lambda **given: _dependency_rows(build(**given), limit),
        **arguments,
    )
    return Dependencies(rows=tuple(rows), times=_VERDICT_TIMES)


def _found(dependencies: Dependencies) -> Dependencies | None:
    return dependencies if dependencies.count else None


def recent_verdicts_dependencies(*, limit: int, now=None) -> Dependencies | None:
    """Return what a list of the `limit` latest-changed public verdicts shows (front, feeds)."""
    verdicts = verdicts_published(now=now).order_by("-updated_at", "-id")
    return _found(verdicts_dependencies(verdicts, limit=limit))


def article_dependencies(slug: str, *, limit: int | None = None, now=None) -> Dependencies | None:
    """Return what the article's feeds (the `limit` latest of its own verdicts) show; None if
    it has no public verdict of its own."""
    verdicts = (
        verdicts_published(now=now)
        .filter(ticket__claim__article__slug=slug)
        .order_by("-updated_at", "-id")
    )
    return _found(verdicts_dependencies(verdicts, limit=limit))


def article_page_dependencies(slug: str, *, now=None) -> Dependencies | None:
    """Return what the article's public page shows: its own public verdicts and those its claims
    reuse (selectors.article_published_view's two lists); None if the page is not public."""
    reusing = tickets_reusing_public_verdicts(slug, now=now)
    here = reusing.filter(reuses_verdict=OuterRef("pk"))
    verdicts = (
        verdicts_published(now=now)
        .filter(Q(ticket__claim__article__slug=slug) | Q(pk__in=reusing.values("reuses_verdict")))
        .order_by("-updated_at", "-id")
    )
    return _found(
        verdicts_dependencies(
            verdicts,
            # A claim newly marked with a verdict, or the piece edited, moves the page too.
            reuse_marked_at=_scalar(here, latest=Max("updated_at")),
            reuse_article_changed_at=_scalar(here, latest=Max("claim__article__updated_at")),
            reuse_claims=_scalar(here, n=Count("pk")),
        )
    )


def verdict_dependencies(pk: int, *, now=None) -> Dependencies | None:
    """Return what a public verdict's page shows; None if it is not public."""
    return _found(verdicts_dependencies(verdicts_published(now=now).filter(pk=pk)))


def snapshot_dependencies(pk: int, *, now=None) -> Dependencies | None:
    """Return what an archived snapshot's public page shows; None if it is not public."""
    revisions = revisions_public(now=now).values("pk")
    quotes = RevisionEvidence.objects.filter(snapshot=OuterRef("pk"), revision__in=revisions)
    links = RevisionLink.objects.filter(snapshot=OuterRef("pk"), revision__in=revisions)
    rows = (
        snapshots_public(now=now)
        .filter(pk=pk)
        .select_related(None)
        .annotate(
            quotes=_scalar(quotes, n=Count("pk")),
            quotes_changed_at=_scalar(quotes, latest=Max("revision__verdict__updated_at")),
            links=_scalar(links, n=Count("pk")),
            links_changed_at=_scalar(links, latest=Max("revision__verdict__updated_at")),
        )
        .values(*_SNAPSHOT_FIELDS)
    )
    return _found(Dependencies(rows=tuple(rows), times=_SNAPSHOT_TIMES))


def methodology_dependencies(year: int, *, now=None) -> Dependencies:
    """Return what the methodology page shows: the year, the approvals the settings require,
    the public verdicts' count and newest change (publications, corrections and retractions all
    move it) and the rating scale, in two queries. The page always exists."""
    row = (
        verdicts_published(now=now)
        .order_by()
        .aggregate(verdicts=Count("pk"), updated_at=Max("updated_at"))
    )
    row |= Rating.objects.order_by().aggregate(
        scale_size=Count("pk"), scale_changed_at=Max("updated_at")
    )
    row.update(year=year, approvals=approvals_required(), panel=panel_size())
    return Dependencies(rows=(row,), times=("updated_at", "scale_changed_at"))
