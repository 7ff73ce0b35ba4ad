"""Represent a published verdict as the public sees it: what the API, webhooks and pages show.

The API, webhooks and similar-verdicts send `verdicts_public`; the readers' verdict page lists
`sources_relied_on`. Both read a revision's sources here, from the same evidence and pinned
snapshots.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from rest_framework.fields import DateTimeField

from claims.models import Claim
from factcheck.compiled import values_compiled_together
from reviews.models import Correction, RevisionAttachment, RevisionEvidence
from reviews.selectors import verdict_public_url

_MOMENT = DateTimeField()


def absolute(path: str, request=None) -> str:
    """Return `path` as an absolute URL: on the request's host, else on DESK_BASE_URL."""
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.DESK_BASE_URL.rstrip('/')}{path}"


def moment(value, zone=None) -> str | None:
    """Return a time as the API writes it (ISO 8601 in the desk's time zone), or None.

    What DRF's DateTimeField writes, without its per-call lookups (a page has hundreds): pass
    `zone` (the current time zone) to skip even that one.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return _MOMENT.to_representation(value)
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def rating_public(slug: str, label: str, value: int | None, rating_bounds: tuple) -> dict:
    """Return a rating with the scale's bounds, which ratings off the scale do not have."""
    worst, best = rating_bounds
    on_scale = value is not None
    return {
        "slug": slug,
        "label": label,
        "value": value,
        "best": best if on_scale else None,
        "worst": worst if on_scale else None,
    }


def verdict_links(verdict_id: int, request=None) -> dict:
    """Return the verdict's public page, API resource and ClaimReview addresses."""
    return _Links(request).of(verdict_id)


class _Links:
    """Write a verdict's three addresses from templates resolved once per response."""

    _ID = "0"

    def __init__(self, request=None):
        templates = (
            verdict_public_url(self._ID),
            absolute(reverse("api:verdict-detail", args=[self._ID]), request),
            absolute(reverse("api:verdict-claimreview", args=[self._ID]), request),
        )
        # The id is the last path segment but one: split each address around that placeholder.
        self.parts = [
            (head, tail) for head, _, tail in (t.rpartition(f"/{self._ID}/") for t in templates)
        ]

    def of(self, verdict_id: int) -> dict:
        (page, api, claimreview) = (f"{h}/{verdict_id}/{t}" for h, t in self.parts)
        return {"url": page, "api_url": api, "claimreview_url": claimreview}


@dataclass
class ReliedSource:
    """One source a published revision relies on, as the verdict page lists it."""

    source: object
    snapshot: object = None
    quotes: list = field(default_factory=list)
    cited_by_article: bool = False
    changed_since: bool = False


def sources_relied_on(revision) -> list[ReliedSource]:
    """Group what a published revision relies on by source: its quotes, then the piece's links.

    The quotes are the revision's evidence, the same rows `verdicts_public` sends one by one as
    its "sources". Each source shows the archived copy the revision pinned; a newer snapshot of
    it shows only as "the live page has changed since".
    """
    by_source: dict[int, ReliedSource] = {}
    for item in revision.evidence.all():
        entry = by_source.setdefault(item.source_id, ReliedSource(item.source, item.snapshot))
        entry.quotes.append(item)
        entry.snapshot = entry.snapshot or item.snapshot
    for link in revision.links.all():
        entry = by_source.setdefault(link.source_id, ReliedSource(link.source))
        entry.snapshot = entry.snapshot or link.snapshot
        entry.cited_by_article = True
    for entry in by_source.values():
        latest = entry.source.last_snapshot_id
        entry.changed_since = bool(entry.snapshot and latest and latest != entry.snapshot.pk)
    return list(by_source.values())


# --- The public representation of a verdict, built from flat rows ----------------------------
#
# What the public sees of a verdict is read in one query per set of rows: the verdicts with
# their claim, article, published revision and rating (VERDICT_COLUMNS), then each related set
# (RELATED) for all of the verdicts at once, keyed by verdict. To show something more, add its
# columns here or a related set below, and its key in `_verdict` (the one place that lists the
# public fields, in order); reviews/fingerprints.py must then say what moves it.

VERDICT_COLUMNS = {
    "id": "id",
    "published_at": "published_at",
    "updated_at": "updated_at",
    "retracted_at": "retracted_at",
    "retraction_reason": "retraction_reason",
    "claim_id": "ticket__claim_id",
    "claim_text": "ticket__claim__text",
    "claim_start": "ticket__claim__start",
    "claim_end": "ticket__claim__end",
    "article_id": "ticket__claim__article_id",
    "article_title": "ticket__claim__article__title",
    "article_author": "ticket__claim__article__author",
    "article_publication": "ticket__claim__article__publication",
    "article_url": "ticket__claim__article__url",
    "article_published_at": "ticket__claim__article__published_at",
    "revision_id": "published_revision_id",
    "revision_number": "published_revision__number",
    "summary": "published_revision__summary",
    "explanation": "published_revision__explanation",
    "rating_slug": "published_revision__rating__slug",
    "rating_label": "published_revision__rating__label",
    "rating_value": "published_revision__rating__numeric_value",
}


def _revision_ids(rows: list[dict]) -> dict:
    return {"revision_ids": list(dict.fromkeys(row["revision_id"] for row in rows))}


def _verdict_ids(rows: list[dict]) -> dict:
    return {"verdict_ids": list(dict.fromkeys(row["id"] for row in rows))}


def _claim_ids(rows: list[dict]) -> dict:
    return {"claim_ids": list(dict.fromkeys(row["claim_id"] for row in rows))}


def _sources(evidence: list[dict], rows: list[dict], request=None) -> dict[int, list[dict]]:
    """Return each verdict's sources: its published revision's evidence, in order."""
    revisions = {row["revision_id"]: row["id"] for row in rows}
    by_verdict: dict[int, list[dict]] = {}
    for item in evidence:
        by_verdict.setdefault(revisions[item["revision_id"]], []).append(
            {
                "url": item["url"],
                "stance": item["stance"],
                "quote": item["quote"],
                "link_status": item["link_status"],
                "snapshot": _snapshot(item),
            }
        )
    return by_verdict


def _evidence(*, revision_ids: list[int]) -> QuerySet:
    return (
        RevisionEvidence.objects.filter(revision_id__in=revision_ids)
        .order_by("position", "id")
        .values(
            "revision_id",
            "stance",
            "quote",
            "snapshot_id",
            url=F("source__url"),
            link_status=F("source__link_status"),
            snapshot_fetched_at=F("snapshot__fetched_at"),
            snapshot_final_url=F("snapshot__final_url"),
            snapshot_status=F("snapshot__status"),
            snapshot_sha256=F("snapshot__sha256"),
            snapshot_title=F("snapshot__title"),
            snapshot_site_name=F("snapshot__site_name"),
            snapshot_published=F("snapshot__published"),
        )
    )


def _snapshot(item: dict) -> dict | None:
    if item["snapshot_id"] is None:
        return None
    published = item["snapshot_published"]
    return {
        "archived_at": moment(item["snapshot_fetched_at"]),
        "final_url": item["snapshot_final_url"],
        "status": item["snapshot_status"],
        "sha256": item["snapshot_sha256"],
        "title": item["snapshot_title"],
        "site_name": item["snapshot_site_name"],
        "published": None if published is None else published.isoformat(),
    }


def _corrections(corrections: list[dict], rows: list[dict], request=None) -> dict:
    """Return each verdict's published corrections, oldest first."""
    by_verdict: dict[int, list[dict]] = {}
    for c in corrections:
        by_verdict.setdefault(c["verdict_id"], []).append(
            {"note": c["public_note"], "published_at": moment(c["published_at"])}
        )
    return by_verdict


def _published_corrections(*, verdict_ids: list[int]) -> QuerySet:
    return (
        Correction.objects.filter(verdict_id__in=verdict_ids)
        .filter(published_at__isnull=False)
        .order_by("published_at", "id")
        .values("verdict_id", "public_note", "published_at")
    )


def _tags(tagged: list[dict], rows: list[dict], request=None) -> dict[int, list[dict]]:
    """Return each verdict's topics (its claim's tags): slug and name, by name."""
    verdicts_of_claim: dict[int, list[int]] = {}
    for row in rows:
        verdicts_of_claim.setdefault(row["claim_id"], []).append(row["id"])
    by_verdict: dict[int, list[dict]] = {}
    for tag in sorted(tagged, key=lambda t: (t["name"], t["slug"])):
        for verdict_id in verdicts_of_claim[tag["claim_id"]]:
            by_verdict.setdefault(verdict_id, []).append({"slug": tag["slug"], "name": tag["name"]})
    return by_verdict


def _claim_tags(*, claim_ids: list[int]) -> QuerySet:
    return Claim.tags.through.objects.filter(claim_id__in=claim_ids).values(
        "claim_id", slug=F("tag__slug"), name=F("tag__name")
    )


def _attachments(files: list[dict], rows: list[dict], request=None) -> dict[int, list[dict]]:
    """Return each verdict's files: those its published revision relies on, in order.

    A revision's files are frozen with it (and their captions as they were then), so a draft's
    files never show, and the fingerprint's published revision covers them.
    """
    revisions = {row["revision_id"]: row["id"] for row in rows}
    # The file's address, resolved once: its id is the last path segment.
    head, _, tail = absolute(reverse("attachment_file", args=[0]), request).rpartition("/0/")
    by_verdict: dict[int, list[dict]] = {}
    for item in files:
        by_verdict.setdefault(revisions[item["revision_id"]], []).append(
            {
                "url": f"{head}/{item['attachment_id']}/{tail}",
                "caption": item["caption"],
                "content_type": item["content_type"],
                "size": item["size"],
            }
        )
    return by_verdict


def _files(*, revision_ids: list[int]) -> QuerySet:
    return (
        RevisionAttachment.objects.filter(revision_id__in=revision_ids)
        .order_by("position", "id")
        .values(
            "revision_id",
            "attachment_id",
            "caption",
            content_type=F("attachment__content_type"),
            size=F("attachment__size"),
        )
    )


@dataclass(frozen=True)
class Related:
    """A set of rows related to each verdict: read for a page of verdicts at once, then shaped."""

    read: Callable[..., QuerySet]  # the values() read, by keyword arguments (lists of ids)
    arguments: Callable[[list[dict]], dict]  # its arguments for the verdicts' rows
    shape: Callable[..., dict[int, list[dict]]]  # (its rows, the verdicts' rows, request)


# Each related set: its key in the representation, how to read it and shape it per verdict.
RELATED = {
    "sources": Related(_evidence, _revision_ids, _sources),
    "attachments": Related(_files, _revision_ids, _attachments),
    "corrections": Related(_published_corrections, _verdict_ids, _corrections),
    "tags": Related(_claim_tags, _claim_ids, _tags),
}


def verdict_rows(verdicts: QuerySet) -> QuerySet:
    """Return `verdicts` (from `verdicts_published()`) as flat rows, in their order (one query)."""
    own = [name for name, path in VERDICT_COLUMNS.items() if name == path]
    joined = {name: F(path) for name, path in VERDICT_COLUMNS.items() if name != path}
    return verdicts.select_related(None).prefetch_related(None).values(*own, **joined)


def verdicts_public_from_rows(rows: list[dict], *, rating_bounds: tuple, request=None) -> list:
    """Return the verdicts of `verdict_rows()` as the public sees them (a query per RELATED)."""
    if not rows:
        return []
    # Sent together: on PostgreSQL the four reads cost one round trip.
    found = values_compiled_together(
        [(f"public-{name}", each.read, each.arguments(rows)) for name, each in RELATED.items()]
    )
    related = {
        name: each.shape(its_rows, rows, request)
        for (name, each), its_rows in zip(RELATED.items(), found, strict=True)
    }
    links = _Links(request)
    zone = timezone.get_current_timezone()
    return [
        _verdict(
            row,
            links=links.of(row["id"]),
            related={name: found.get(row["id"], []) for name, found in related.items()},
            rating_bounds=rating_bounds,
            zone=zone,
        )
        for row in rows
    ]


def verdicts_public(verdicts: QuerySet, *, rating_bounds: tuple, request=None) -> list[dict]:
    """Return `verdicts` (from `verdicts_published()`) as the public sees them; never a draft."""
    rows = list(verdict_rows(verdicts))
    return verdicts_public_from_rows(rows, rating_bounds=rating_bounds, request=request)


def _verdict(row: dict, *, links: dict, related: dict, rating_bounds: tuple, zone) -> dict:
    """Return one verdict as the public sees it. The API's VerdictSerializer documents it."""
    return {
        "id": row["id"],
        **links,
        "claim": {
            "id": row["claim_id"],
            "text": row["claim_text"],
            "start": row["claim_start"],
            "end": row["claim_end"],
        },
        "article": {
            "id": row["article_id"],
            "title": row["article_title"],
            "author": row["article_author"],
            "publication": row["article_publication"],
            "url": row["article_url"],
            "published_at": moment(row["article_published_at"], zone),
        },
        "rating": rating_public(
            row["rating_slug"], row["rating_label"], row["rating_value"], rating_bounds
        ),
        "summary": row["summary"],
        "explanation": row["explanation"],
        "sources": related["sources"],
        "attachments": related["attachments"],
        "revision": row["revision_number"],
        "published_at": moment(row["published_at"], zone),
        "updated_at": moment(row["updated_at"], zone),
        "corrections": related["corrections"],
        "retracted": row["retracted_at"] is not None,
        "retracted_at": moment(row["retracted_at"], zone),
        "retraction_reason": row["retraction_reason"],
        "tags": related["tags"],
    }
