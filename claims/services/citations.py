"""Attach cited URLs to claims, one shared source per normalized URL."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from claims.errors import ClaimsError
from claims.fetching import BlockedDestination, FetchError, FetchPolicy, normalize_url
from claims.fetching.urls import parse_url
from claims.models import Article, Citation, Claim, Snapshot, Source

from .evidence import passages_rank_each
from .sources import sources_schedule

logger = logging.getLogger(__name__)

# A sentence ends at terminal punctuation (with closing quotes or brackets) before a space,
# and every paragraph ends at a line break.
_SENTENCE_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s|\n")
# Between a claim and a link that cites it from just after its end: spaces and an opening bracket.
_TRAILING_GAP = re.compile(r"[ \t\u00a0]*[(\[]?[ \t\u00a0]*")

__all__ = ["citation_add", "citations_from_links", "links_check", "source_for_url"]


def links_check(links: Iterable) -> None:
    """Refuse a piece whose links name more addresses or hosts than the desk fetches for one.

    Every cited address is fetched from a third party's server; a piece with thousands of
    links would hold its transaction for minutes and queue thousands of fetches.
    """
    urls: set[str] = set()
    for link in links:
        try:
            urls.add(normalize_url(link.href))
        except FetchError:
            continue
    most_urls, most_hosts = settings.INGEST_MAX_LINKS, settings.INGEST_MAX_LINK_HOSTS
    if len(urls) > most_urls:
        raise ClaimsError(
            f"The piece links {len(urls):,} addresses; the desk archives at most {most_urls:,} "
            "per piece (INGEST_MAX_LINKS). Remove links that are not reporting, or split the "
            "piece."
        )
    hosts = {host_of(url) for url in urls}
    if len(hosts) > most_hosts:
        raise ClaimsError(
            f"The piece links {len(hosts):,} different sites; the desk archives at most "
            f"{most_hosts:,} per piece (INGEST_MAX_LINK_HOSTS). Remove links that are not "
            "reporting, or split the piece."
        )


def host_of(normalized_url: str) -> str:
    """Return the host (and port, if not the default) that a normalized URL is fetched from."""
    return urlsplit(normalized_url).netloc


def citations_from_links(
    *,
    article: Article,
    claims: Sequence[Claim],
    links: Iterable,
    schedule: bool = True,
    new_claims: bool = False,
) -> list[Citation]:
    """Cite each link's URL from the claims it belongs to and schedule the new sources' fetches.

    ``links`` carry ``href``, ``start`` and ``end`` (the anchor's span in the article's plain
    text), like ``claims.extraction.Link``. A link belongs to:

    1. every claim whose span overlaps its anchor; else
    2. the nearest claim in the same sentence (the one before it first), which covers a
       sentence split into several claims with the link in the part between them; else
    3. the claim it directly follows with nothing but spaces or an opening bracket between,
       as in ``... in 2023. (https://...)``.

    Links that fall under none of these attach to nothing: a guess would put the wrong
    reporting beside a claim, and a fact-checker can add the URL by hand. Links that are not
    absolute http(s) URLs (``mailto:``, ``javascript:``, relative paths) are skipped.
    Return the citations, old and new; fetches are scheduled after the transaction commits.
    With ``new_claims`` (claims created in the caller's transaction, which no one else can
    cite yet) the citations are inserted without looking for stored ones first.
    """
    text = article.plain_text
    ordered = sorted(claims, key=lambda claim: (claim.start, claim.id))
    cited: list[tuple[str, object, list[Claim]]] = []
    for link in links:
        try:
            normalized = normalize_url(link.href)
        except FetchError:
            logger.info("not citing %r: not an absolute http(s) URL", link.href[:200])
            continue
        targets = claims_for_span(text, ordered, link.start, link.end)
        if not targets:
            logger.info("not citing %s: its anchor lies outside every claim", normalized)
            continue
        cited.append((normalized, link, targets))
    # Inside the ingesting transaction (new claims) a savepoint would buy nothing: an error
    # here abandons the whole piece.
    with transaction.atomic(savepoint=not new_claims):
        # One order for every writer (the address), so ingestions citing the same new
        # addresses wait for each other instead of deadlocking.
        sources, new_source_ids = _sources_for_urls(
            {normalized: link.href for normalized, link, _targets in reversed(cited)}
        )
        # The first link from a claim to an address is its citation, as in the text.
        wanted: dict[tuple[int, int], Citation] = {}
        for normalized, link, targets in cited:
            for claim in targets:
                wanted.setdefault(
                    (claim.pk, sources[normalized].pk),
                    Citation(
                        claim=claim,
                        source=sources[normalized],
                        origin=Citation.Origin.ARTICLE,
                        href=link.href[:2000],
                        anchor=text[link.start : link.end],
                        start=link.start,
                        end=link.end,
                    ),
                )
        if new_claims:
            # Uncommitted claims: no stored citation, no concurrent writer; the ids come back.
            existing = {}
            stored = dict(zip(wanted, Citation.objects.bulk_create(wanted.values()), strict=True))
        else:
            existing = _citations_between(wanted)
            # ignore_conflicts: a concurrent ingestion citing the same pair keeps its row.
            Citation.objects.bulk_create(
                [citation for pair, citation in wanted.items() if pair not in existing],
                ignore_conflicts=True,
            )
            stored = _citations_between(wanted) if len(existing) < len(wanted) else existing
        citations, new_citations = [], []
        for pair, unsaved in wanted.items():
            citation = stored[pair]
            citation.claim, citation.source = unsaved.claim, unsaved.source
            citations.append(citation)
            if pair not in existing:
                new_citations.append(citation)
        # Every new citation, even of a source that looked new: "new" includes one a concurrent
        # ingestion created and committed while we waited on its insert, whose fetch may have
        # ranked its citing claims already. A source truly new here has no snapshot, so this
        # ranks nothing for it; its fetch, queued at our commit, ranks every citation it finds.
        citations_rank(new_citations)
        if schedule:
            sources_schedule(source_ids=new_source_ids)
    return citations


def citations_rank(citations: Sequence[Citation]) -> None:
    """Rank each new citation's claim against its source's current snapshot, if it has one.

    Call it in the transaction that creates the citations. The sources' rows are held (shared)
    until it commits, so a fetch that archives one of them meanwhile waits, then sees these
    citations and ranks them itself: whichever path creates a citation, it gets passages.
    """
    claims_by_source: dict[int, list[Claim]] = defaultdict(list)
    for citation in citations:
        claims_by_source[citation.source_id].append(citation.claim)
    if not claims_by_source:
        return
    current = _hold_sources(sorted(claims_by_source))
    snapshots = Snapshot.objects.in_bulk([pk for pk in current.values() if pk is not None])
    passages_rank_each(
        pairs=[
            (snapshots[current[source_id]], claims)
            for source_id, claims in claims_by_source.items()
            if current.get(source_id) in snapshots
        ]
    )


def _hold_sources(source_ids: list[int]) -> dict[int, int | None]:
    """Lock the sources' rows FOR SHARE until commit; return each one's current snapshot id.

    Shared locks let concurrent ingestions cite the same sources; only a fetch recording its
    result (FOR UPDATE) waits. SQLite (the demo) serializes writers anyway.
    """
    if connection.vendor != "postgresql":
        return dict(Source.objects.filter(pk__in=source_ids).values_list("pk", "last_snapshot_id"))
    table = Source._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, last_snapshot_id FROM {table} WHERE id = ANY(%s) "  # noqa: S608
            "ORDER BY id FOR SHARE",
            [source_ids],
        )
        return dict(cursor.fetchall())


def claims_for_span(text: str, claims: Sequence[Claim], start: int, end: int) -> list[Claim]:
    """Return the claims a link anchored at ``text[start:end]`` cites for (see above)."""
    overlapping = [
        claim
        for claim in claims
        if (claim.start < end and start < claim.end)
        or (start == end and claim.start <= start < claim.end)
    ]
    if overlapping:
        return overlapping
    before = [claim for claim in claims if claim.end <= start]
    after = [claim for claim in claims if claim.start >= end]
    if before and _same_sentence(text, before[-1].end, start):
        return [before[-1]]
    if after and _same_sentence(text, end, after[0].start):
        return [after[0]]
    if before and _TRAILING_GAP.fullmatch(text[before[-1].end : start]):
        return [before[-1]]
    return []


def _same_sentence(text: str, left_end: int, right_start: int) -> bool:
    # Include the left span's last character: a claim usually ends with its own full stop.
    gap = text[max(left_end - 1, 0) : right_start + 1]
    return _SENTENCE_BOUNDARY.search(gap) is None


def citation_add(*, claim: Claim, url: str, by) -> Citation:
    """Cite ``url`` from ``claim`` for ``by``; rank an archived source now, else schedule it.

    The citation is the desk's research: private until a verdict's revision relies on it.
    """
    if not by.has_perm("claims.add_citation"):
        raise ClaimsError(
            "You cannot add sources to claims: ask an editor for the fact-checker role."
        )
    try:
        normalized = normalize_url(url)
    except FetchError as exc:
        raise ClaimsError(
            f"{url[:200]!r} cannot be cited: {exc}. Paste the full address, starting with "
            "https:// or http://."
        ) from exc
    _refuse_blocked(url, normalized)
    with transaction.atomic():
        source, created = source_for_url(url=url, normalized_url=normalized)
        citation, cited = Citation.objects.get_or_create(
            claim=claim,
            source=source,
            defaults={"href": url[:2000], "added_by": by, "origin": Citation.Origin.DESK},
        )
        if not cited:
            raise ClaimsError(f"Claim #{claim.pk} already cites {normalized}.")
        # Already archived for another claim: rank its passages for this one, no refetch.
        citations_rank([citation])
        if created or source.state == Source.State.PENDING:
            sources_schedule(source_ids=[source.pk])
    return citation


def _refuse_blocked(url: str, normalized: str) -> None:
    """Refuse at once a URL whose host is not on the public internet (an address, localhost).

    Names are resolved, and ports checked, only when fetching, which checks every hop again.
    """
    try:
        FetchPolicy.from_settings().check_host(parse_url(normalized).raw_host.decode("ascii"))
    except BlockedDestination as exc:
        raise ClaimsError(
            f"{url[:200]!r} cannot be cited: {exc}. Cite the reporting's public address."
        ) from exc


def _sources_for_urls(urls: dict[str, str]) -> tuple[dict[str, Source], list[int]]:
    """Return the source of each normalized URL (creating the missing ones) and the new ids.

    Three queries however many URLs: look them up, insert the missing ones in address order
    (a concurrent insert of the same address wins), read them back.
    """
    wanted = sorted(urls)
    sources = Source.objects.in_bulk(wanted, field_name="normalized_url")
    missing = [normalized for normalized in wanted if normalized not in sources]
    if not missing:
        return sources, []
    Source.objects.bulk_create(
        [_new_source(url=urls[normalized], normalized_url=normalized) for normalized in missing],
        ignore_conflicts=True,
    )
    created = Source.objects.in_bulk(missing, field_name="normalized_url")
    sources.update(created)
    return sources, sorted(source.pk for source in created.values())


def _citations_between(pairs: dict[tuple[int, int], Citation]) -> dict[tuple[int, int], Citation]:
    """Return the stored citations among ``pairs`` of (claim id, source id), in one query."""
    if not pairs:
        return {}
    claim_ids = {claim_id for claim_id, _ in pairs}
    source_ids = {source_id for _, source_id in pairs}
    stored = Citation.objects.filter(claim_id__in=claim_ids, source_id__in=source_ids)
    return {(c.claim_id, c.source_id): c for c in stored if (c.claim_id, c.source_id) in pairs}


def _new_source(*, url: str, normalized_url: str) -> Source:
    # The fetch is queued at commit; the sweeper steps in if no worker took it by then.
    return Source(
        url=url[:2000],
        normalized_url=normalized_url,
        next_attempt_at=timezone.now() + timedelta(seconds=settings.FETCH_REQUEUE_SECONDS),
    )


def source_for_url(*, url: str, normalized_url: str) -> tuple[Source, bool]:
    """Return the source for ``normalized_url``, creating it pending, and whether it is new."""
    now = timezone.now()
    return Source.objects.get_or_create(
        normalized_url=normalized_url,
        defaults={
            "url": url[:2000],
            # The fetch is queued at commit; the sweeper steps in if no worker took it by then.
            "next_attempt_at": now + timedelta(seconds=settings.FETCH_REQUEUE_SECONDS),
        },
    )
