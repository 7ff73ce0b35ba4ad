"""Build schema.org ClaimReview JSON-LD for published verdicts; the public pages embed the same."""

from django.conf import settings

from reviews.models import Verdict
from reviews.selectors import verdict_public_url
from reviews.shortclaim import suggest_short_claim

CONTEXT = "https://schema.org"


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _publisher() -> dict:
    publisher = {"@type": "Organization", "name": settings.CLAIMREVIEW_PUBLISHER_NAME}
    if settings.CLAIMREVIEW_PUBLISHER_URL:
        publisher["url"] = settings.CLAIMREVIEW_PUBLISHER_URL
    return publisher


def _rating(verdict: Verdict, bounds: tuple[int | None, int | None]) -> dict:
    rating = verdict.published_revision.rating
    review_rating = {"@type": "Rating", "alternateName": rating.label, "name": rating.label}
    if rating.numeric_value is not None:
        worst, best = bounds
        review_rating["ratingValue"] = rating.numeric_value
        # A scale of one value has no worst and best worth stating.
        if worst is not None and best is not None and worst < best:
            review_rating["bestRating"] = best
            review_rating["worstRating"] = worst
    return review_rating


def _claim(verdict: Verdict) -> dict:
    claim = verdict.ticket.claim
    article = claim.article
    item = {"@type": "Claim"}
    # The speaker the piece attributes the claim to, else the piece's author.
    if claimant := claim.claimant or article.author:
        item["author"] = {"@type": "Person", "name": claimant}
    if article.published_at is not None:
        item["datePublished"] = _iso(article.published_at)
    appearance = {"@type": "OpinionNewsArticle", "headline": article.title}
    if article.url:
        appearance["url"] = article.url
    if article.publication:
        appearance["publisher"] = {"@type": "Organization", "name": article.publication}
    if article.published_at is not None:
        appearance["datePublished"] = _iso(article.published_at)
    item["appearance"] = appearance
    earlier = verdict.published_revision.first_appearance_url
    # The piece is where the claim first appeared unless the fact-checker found it earlier.
    item["firstAppearance"] = (
        {"@type": "CreativeWork", "url": earlier} if earlier else dict(appearance)
    )
    return item


def claimreview(
    verdict: Verdict, *, bounds: tuple[int | None, int | None], context: bool = True
) -> dict:
    """Return the ClaimReview of a verdict from `reviews.selectors.verdicts_published()`.

    `bounds` is the rating scale's (worst, best), as `rating_bounds()` returns it. Only the
    published revision is read. A retracted verdict has no ClaimReview: callers leave it out.
    """
    revision = verdict.published_revision
    review = {"@context": CONTEXT} if context else {}
    review.update(
        {
            "@type": "ClaimReview",
            "url": verdict_public_url(verdict.pk),
            # Written by the desk (75 characters at most); older verdicts fall back to the
            # suggestion from the assertion.
            "claimReviewed": revision.short_claim or suggest_short_claim(verdict.ticket.claim.text),
            "reviewRating": _rating(verdict, bounds),
            "itemReviewed": _claim(verdict),
            "author": _publisher(),
            "datePublished": _iso(verdict.published_at),
            "dateModified": _iso(verdict.updated_at),
            "reviewBody": revision.summary,
            "inLanguage": settings.CLAIMREVIEW_LANGUAGE,
        }
    )
    return review


def claimreview_graph(verdicts, *, bounds: tuple[int | None, int | None]) -> dict:
    """Return the ClaimReviews of several verdicts (an article's) as one JSON-LD graph."""
    return {
        "@context": CONTEXT,
        "@graph": [
            claimreview(verdict, bounds=bounds, context=False)
            for verdict in verdicts
            if not verdict.is_retracted
        ],
    }
