"""Reads shared by the admin, the API and the templates, with their joins decided once."""

from django.db.models import F, Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

from claims.models import Article, Citation, Claim, Evidence, FetchAttempt, Passage, Source

# --- Pieces and claims ---------------------------------------------------------------------


def claims_ranked(*, article_id: int) -> QuerySet[Claim]:
    """Return the article's claims best first, with only the columns a list of them shows."""
    return (
        Claim.objects.filter(article_id=article_id)
        .only("id", "article_id", "text", "score", "checkworthy", "attributed_uncited", "position")
        .order_by("-checkworthy", "-score", "position", "id")
    )


# --- Sources, citations and evidence -----------------------------------------------------


def sources_for_claim(claim: Claim) -> QuerySet[Source]:
    """Return the sources the claim cites, with their last snapshot."""
    return (
        Source.objects.filter(citations__claim=claim).select_related("last_snapshot").order_by("id")
    )


def citations_for_claim(claim: Claim) -> QuerySet[Citation]:
    """Return the claim's citations in article order, then those the desk added."""
    return (
        Citation.objects.filter(claim=claim)
        .select_related("source", "source__last_snapshot", "added_by")
        .defer("source__last_snapshot__text")  # a page's text; lists show the title
        .order_by(F("start").asc(nulls_last=True), "id")
    )


def citations_linked_by_piece(claim_id: int) -> list[Citation]:
    """Return the links the piece itself gave for the claim (not the desk's research), in order."""
    return list(
        Citation.objects.filter(claim_id=claim_id, origin=Citation.Origin.ARTICLE)
        .select_related("source")
        .order_by("start", "id")
    )


def article_links(article_id: int) -> list[tuple[int, int, str, str]]:
    """Return the links the piece itself made, as (start, end, href, anchor) in text order.

    Only the piece's own links (never a URL the desk added while researching), each once.
    """
    rows = (
        Citation.objects.filter(
            claim__article_id=article_id,
            origin=Citation.Origin.ARTICLE,
            start__isnull=False,
            end__isnull=False,
        )
        .order_by("start", "end", "href")
        .values_list("start", "end", "href", "anchor")
    )
    return list(dict.fromkeys(rows))


def passages_for_claim(claim: Claim) -> QuerySet[Passage]:
    """Return the passages ranked for the claim from each source's current snapshot, best first."""
    return (
        Passage.objects.filter(claim=claim, snapshot_id=F("snapshot__source__last_snapshot_id"))
        .select_related("snapshot", "snapshot__source")
        .defer("snapshot__text")  # a page's text; each passage carries its own stretch of it
        .order_by("-score", "rank", "id")
    )


def evidence_for_claim(claim: Claim) -> QuerySet[Evidence]:
    """Return the passages pinned to the claim, grouped by stance."""
    return (
        Evidence.objects.filter(claim=claim)
        .select_related("source", "snapshot", "passage", "pinned_by")
        .order_by("stance", "-pinned_at", "id")
    )


def attempts_for_source(source: Source) -> QuerySet[FetchAttempt]:
    """Return every fetch and re-check of the source, latest first."""
    return FetchAttempt.objects.filter(source=source).order_by("-started_at", "-id")


def sources_failing() -> QuerySet[Source]:
    """Return the cited sources that could not be archived, or keep failing, latest first.

    Failed and blocked ones, and those still pending after a failed attempt (retrying later).
    """
    return Source.objects.filter(
        Q(state__in=[Source.State.FAILED, Source.State.BLOCKED])
        | Q(state=Source.State.PENDING, attempts__gt=0)
    ).order_by("-updated_at", "-id")


def search_terms(text: str) -> list[str]:
    """Split a search box's text the way the admin does: words, or "quoted phrases"."""
    terms = []
    for bit in smart_split(text):
        if bit[:1] in ('"', "'") and bit[-1:] == bit[:1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            terms.append(bit)
    return terms


# A search term in more pieces' titles than this is a common word: matched by a sub-select.
TITLE_MATCHES_LISTED = 1000


def claims_matching(term: str, *, via: str = "", claimant: bool = False) -> Q:
    """Return a condition on claims (or on rows reaching them through `via`, e.g. "claim__"):
    `term` is in the claim's text or its piece's title (or the claimant, with `claimant`).

    The text is tested on the claim's own row. The pieces whose title holds the term are
    looked up first (one query, the trigram index): up to TITLE_MATCHES_LISTED of them are
    given to the list as their ids, which PostgreSQL can both OR with the text's trigram index
    (a rare term: read only the matching claims) and test row by row with a hash (a common
    term: read the list in its own order until the page is full). More than that, the term is
    common and a sub-select (tested the same way, row by row) serves.
    """
    titled = Article.objects.filter(title__icontains=term).values("pk")
    listed = list(titled.values_list("pk", flat=True)[: TITLE_MATCHES_LISTED + 1])
    pieces = titled if len(listed) > TITLE_MATCHES_LISTED else listed
    matching = Q(**{f"{via}text__icontains": term}) | Q(**{f"{via}article_id__in": pieces})
    if claimant:
        matching |= Q(**{f"{via}claimant__icontains": term})
    return matching
