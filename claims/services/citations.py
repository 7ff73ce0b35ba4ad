"""Attach cited URLs to claims, one shared source per normalized URL."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims.errors import ClaimsError
from claims.fetching import BlockedDestination, FetchError, FetchPolicy, normalize_url
from claims.fetching.urls import parse_url
from claims.models import Article, Citation, Claim, Source

from .evidence import passages_rank
from .sources import sources_schedule

logger = logging.getLogger(__name__)

# A sentence ends at terminal punctuation (with closing quotes or brackets) before a space,
# and every paragraph ends at a line break.
_SENTENCE_BOUNDARY = re.compile(r"[.!?…][\"'”’)\]]*\s|\n")
# Between a claim and a link that cites it from just after its end: spaces and an opening bracket.
_TRAILING_GAP = re.compile(r"[ \t\u00a0]*[(\[]?[ \t\u00a0]*")

__all__ = ["citation_add", "citations_from_links", "source_for_url"]


def citations_from_links(
    *, article: Article, claims: Sequence[Claim], links: Iterable, schedule: bool = True
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
    """
    text = article.plain_text
    ordered = sorted(claims, key=lambda claim: (claim.start, claim.id))
    citations: list[Citation] = []
    new_source_ids: list[int] = []
    with transaction.atomic():
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
            source, created = source_for_url(url=link.href, normalized_url=normalized)
            if created:
                new_source_ids.append(source.pk)
            for claim in targets:
                citation, _ = Citation.objects.get_or_create(
                    claim=claim,
                    source=source,
                    defaults={
                        "href": link.href[:2000],
                        "anchor": text[link.start : link.end],
                        "start": link.start,
                        "end": link.end,
                    },
                )
                citations.append(citation)
        if schedule:
            sources_schedule(source_ids=new_source_ids)
    return citations


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
    """Cite ``url`` from ``claim`` for ``by``; rank an archived source now, else schedule it."""
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
            claim=claim, source=source, defaults={"href": url[:2000], "added_by": by}
        )
        if not cited:
            raise ClaimsError(f"Claim #{claim.pk} already cites {normalized}.")
        if source.state == Source.State.FETCHED and source.last_snapshot_id:
            # Already archived for another claim: rank its passages for this one, no refetch.
            passages_rank(snapshot=source.last_snapshot, claims=[claim])
        elif created or source.state == Source.State.PENDING:
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
