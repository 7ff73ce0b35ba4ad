"""The readers' pages: articles with their checked claims marked, verdicts, archived sources."""

import json
from collections import Counter

from django.core.serializers.json import DjangoJSONEncoder
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from claims import selectors as claims_selectors
from claims.attachments import SHOWN_INLINE
from claims.models import Article, Attachment, Snapshot
from reviews import fingerprints, selectors
from reviews.analytics.public import public_year
from reviews.claimreview import claimreview, claimreview_graph
from reviews.colours import scale_stylesheet
from reviews.conditional import conditional
from reviews.highlight import (
    Mark,
    highlight,
    highlight_paragraphs,
    links_by_paragraph,
    paragraph_bounds,
)
from reviews.representation import sources_relied_on
from reviews.rules import approvals_required, panel_size

# How many verdicts the front page lists.
FRONT_PAGE_VERDICTS = 20
# json_script's escapes: no "</script>" or "<!--" can end or bend the JSON-LD block.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def json_ld(data: dict) -> str:
    """Return `data` as a JSON-LD script block, escaped like Django's json_script."""
    text = json.dumps(data, cls=DjangoJSONEncoder).translate(_JSON_SCRIPT_ESCAPES)
    # Safe: json.dumps quoted every string, and the escapes above leave no markup in it.
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


def verdict_url(verdict) -> str:
    return reverse("verdict_page", args=[verdict.pk])


def verdict_mark(verdict, *, link: bool = True, claim=None) -> Mark:
    """Return how a public verdict's claim (or `claim`, which reuses it) is marked: its rating,
    or retracted."""
    claim, rating = claim or verdict.ticket.claim, verdict.published_revision.rating
    tone, label = (
        ("retracted", "Retracted") if verdict.is_retracted else (rating.slug, rating.label)
    )
    return Mark(
        start=claim.start,
        end=claim.end,
        tone=tone,
        label=label if link else "",
        href=verdict_url(verdict) if link else "",
        anchor=f"claim-{claim.pk}" if link else "",
    )


def rating_tally(verdicts) -> list[tuple[object, int]]:
    """Return (rating, how many) for the standing verdicts, in the scale's order."""
    standing = [v.published_revision.rating for v in verdicts if not v.is_retracted]
    counts = Counter(rating.pk for rating in standing)
    ratings = {rating.pk: rating for rating in standing}
    ordered = sorted(ratings.values(), key=lambda r: (r.order, r.pk))
    return [(rating, counts[rating.pk]) for rating in ordered]


@conditional(lambda: fingerprints.recent_verdicts_dependencies(limit=FRONT_PAGE_VERDICTS))
def front_page(request):
    """List the verdicts that changed last, with the feeds to follow them."""
    verdicts = selectors.verdicts_recently_changed(limit=FRONT_PAGE_VERDICTS)
    return render(request, "public/front.html", {"verdicts": verdicts})


@conditional(lambda slug: fingerprints.article_page_dependencies(slug))
def article_page(request, slug: str):
    """Show the piece as published, each claim with a public verdict marked and linked, and
    each claim the desk had already checked elsewhere marked with that verdict."""
    try:
        page = selectors.article_published_view(slug)
    except Article.DoesNotExist as missing:
        raise Http404("No published verdicts on this article.") from missing
    article = page.article
    marks = [verdict_mark(v) for v in page.verdicts]
    marks += [verdict_mark(r.verdict, claim=r.claim) for r in page.reused]
    paragraphs = highlight_paragraphs(article.plain_text, marks)
    return render(
        request,
        "public/article.html",
        {
            "article": article,
            "paragraphs": list(
                zip(
                    paragraphs,
                    links_by_paragraph(
                        article.plain_text, claims_selectors.article_links(article.pk)
                    ),
                    strict=True,
                )
            ),
            "verdicts": page.verdicts,
            "reused": page.reused,
            "tally": rating_tally(page.verdicts),
            "retracted": sum(1 for v in page.verdicts if v.is_retracted),
            "claimreview": claimreview_graph_block(page.verdicts),
        },
    )


def claimreview_block(verdict) -> str:
    """Return the verdict's ClaimReview as a JSON-LD block, exactly as the API serves it.

    A retracted verdict has no ClaimReview, so nothing is embedded for it.
    """
    if verdict.is_retracted:
        return ""
    return json_ld(claimreview(verdict, bounds=selectors.rating_bounds()))


def claimreview_graph_block(verdicts) -> str:
    """Return the ClaimReviews of an article's standing verdicts as one JSON-LD block."""
    if all(verdict.is_retracted for verdict in verdicts):
        return ""
    return json_ld(claimreview_graph(verdicts, bounds=selectors.rating_bounds()))


@conditional(lambda pk: fingerprints.verdict_dependencies(pk))
def verdict_page(request, pk: int):
    """Show one public verdict: the claim in context, the rating, the reasoning, the sources."""
    try:
        verdict = selectors.verdict_published_view(pk)
    except selectors.Verdict.DoesNotExist as missing:
        raise Http404("No published verdict with this number.") from missing
    context = verdict_page_context(
        verdict, verdict.published_revision, corrections=verdict.public_corrections
    )
    return render(request, "public/verdict.html", context)


def verdict_page_context(verdict, revision, *, corrections, preview: bool = False) -> dict:
    """Return what the public verdict page shows of `revision`: the one builder of that page.

    The public page passes the published revision; the desk's preview (reviews/admin/preview.py)
    passes the current draft, so editors see the page exactly as it will look.
    """
    claim = verdict.ticket.claim
    text = claim.article.plain_text
    start, end = next(
        ((s, e) for s, e in paragraph_bounds(text) if s <= claim.start < e), (0, len(text))
    )
    tone = "retracted" if verdict.is_retracted else revision.rating.slug
    mark = Mark(start=claim.start, end=claim.end, tone=tone)
    return {
        "verdict": verdict,
        "revision": revision,
        "rating": revision.rating,
        "claim": claim,
        "article": claim.article,
        "claim_html": highlight(text, [mark], start, end),
        "sources": sources_relied_on(revision),
        "attachments": selectors.revision_attachments(revision),
        "corrections": corrections,
        "scale": list(selectors.rating_scale()),
        # A draft's ClaimReview is not embedded: nothing should index a preview.
        "claimreview": "" if preview else claimreview_block(verdict),
        "preview": preview,
    }


@conditional(lambda pk: fingerprints.snapshot_dependencies(pk))
def archive_page(request, pk: int):
    """Show the text of a source as the desk archived it, for a public verdict that cites it."""
    try:
        snapshot = selectors.snapshots_public().get(pk=pk)
    except Snapshot.DoesNotExist as missing:
        raise Http404("No archived source with this number is public.") from missing
    quoted = [
        Mark(item.start, item.end, tone="quote")
        for item in selectors.evidence_public_on_snapshot(snapshot)
        if item.start is not None and item.end is not None
    ]
    paragraphs = highlight_paragraphs(snapshot.text, quoted)
    return render(
        request,
        "public/archive.html",
        {"snapshot": snapshot, "paragraphs": paragraphs, "quoted": bool(quoted)},
    )


@require_safe
def attachment_file(request, pk: int):
    """Serve an uploaded file that a public revision relies on; drafts' files are never served."""
    try:
        attachment = selectors.attachments_public().get(pk=pk)
    except Attachment.DoesNotExist as missing:
        raise Http404("No public file with this number.") from missing
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type not in SHOWN_INLINE,
        filename=f"evidence-{attachment.pk}{attachment.extension}",
    )
    # Uploaded by the desk, but opened by readers: no script of a document runs on this site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "public, max-age=300"
    return response


@cache_control(public=True, max_age=300)
@require_safe
def ratings_css(request):
    """Serve the rating scale's colours as a stylesheet: the CSP forbids inline styles."""
    return HttpResponse(scale_stylesheet(selectors.rating_scale()), content_type="text/css")


@conditional(lambda: fingerprints.methodology_dependencies(timezone.localdate().year))
def methodology_page(request):
    """Explain how the desk works: the rating scale, approvals, corrections, the year's counts."""
    year = timezone.localdate().year
    return render(
        request,
        "public/methodology.html",
        {
            "scale": list(selectors.rating_scale()),
            "approvals_required": approvals_required(),
            "panel_size": panel_size(),
            "counts": public_year(year),
        },
    )
