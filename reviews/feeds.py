"""Atom and RSS feeds of the desk's public changes: publications, corrections, retractions."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.text import Truncator

from claims.models import Article
from reviews import fingerprints, selectors
from reviews.conditional import conditional
from reviews.selectors import verdict_public_url

# Entries per feed: enough for a reader polling every few hours on a busy desk.
FEED_ENTRIES = 50


@dataclass(frozen=True)
class Change:
    """One thing readers saw happen to a verdict: its publication, a correction, a retraction."""

    verdict: object
    kind: str
    at: datetime
    rating: object
    summary: str
    note: str = ""
    # Distinguishes a verdict's corrections from one another in links and entry ids.
    number: int = 0

    @property
    def fragment(self) -> str:
        return {"published": "verdict", "corrected": f"correction-{self.number}"}.get(
            self.kind, "retraction"
        )


def changes(verdicts) -> list[Change]:
    """Return every public change of `verdicts` (with `public_corrections`), newest first."""
    found = []
    for verdict in verdicts:
        corrections = verdict.public_corrections
        first = corrections[0].replaced_revision if corrections else verdict.published_revision
        found.append(
            Change(verdict, "published", verdict.published_at, first.rating, first.summary)
        )
        for number, correction in enumerate(corrections, start=1):
            revision = correction.published_revision
            found.append(
                Change(
                    verdict,
                    "corrected",
                    correction.published_at,
                    revision.rating,
                    revision.summary,
                    note=correction.public_note,
                    number=number,
                )
            )
        if verdict.is_retracted:
            revision = verdict.published_revision
            found.append(
                Change(
                    verdict,
                    "retracted",
                    verdict.retracted_at,
                    revision.rating,
                    revision.summary,
                    note=verdict.retraction_reason,
                )
            )
    found.sort(key=lambda change: (change.at, change.verdict.pk, change.number), reverse=True)
    return found[:FEED_ENTRIES]


class VerdictFeed(Feed):
    """Every public change on the desk, newest first."""

    feed_type = Atom1Feed

    def title(self, obj=None) -> str:
        return f"{settings.DESK_NAME}: verdicts"

    def subtitle(self, obj=None) -> str:
        return "Verdicts as they are published, corrected or retracted."

    description = subtitle

    def link(self, obj=None) -> str:
        return reverse("front_page")

    def items(self, obj=None) -> list[Change]:
        return changes(selectors.verdicts_recently_changed(limit=FEED_ENTRIES))

    def item_title(self, change: Change) -> str:
        claim = Truncator(change.verdict.ticket.claim.text).chars(110)
        if change.kind == "retracted":
            return f"Retracted: “{claim}”"
        if change.kind == "corrected":
            return f"Corrected, now {change.rating.label}: “{claim}”"
        return f"{change.rating.label}: “{claim}”"

    def item_description(self, change: Change) -> str:
        # Readers render Atom's <summary type="html"> and RSS's <description> as HTML; the
        # desk's summaries, notes and reasons are plain text, so they go out escaped.
        if change.kind == "retracted":
            return escape(f"We retracted this verdict. {change.note}")
        if change.kind == "corrected":
            return escape(f"{change.summary} Correction: {change.note}")
        return escape(change.summary)

    def item_link(self, change: Change) -> str:
        return reverse("verdict_page", args=[change.verdict.pk]) + f"#{change.fragment}"

    def item_guid(self, change: Change) -> str:
        # Absolute and stable, like the API's links: one entry per change, never reused.
        return verdict_public_url(change.verdict.pk) + f"#{change.fragment}"

    item_guid_is_permalink = False

    def item_pubdate(self, change: Change) -> datetime:
        return change.at

    def item_updateddate(self, change: Change) -> datetime:
        return change.at

    def item_categories(self, change: Change) -> list[str]:
        return [change.rating.label, change.kind]

    def item_author_name(self, change: Change) -> str:
        return settings.DESK_NAME


class VerdictRssFeed(VerdictFeed):
    feed_type = Rss201rev2Feed


class ArticleVerdictFeed(VerdictFeed):
    """The public changes to the verdicts on one article."""

    def get_object(self, request, slug: str) -> Article:
        try:
            return selectors.article_public(slug)
        except Article.DoesNotExist as missing:
            raise Http404("No published verdicts on this article.") from missing

    def title(self, obj: Article) -> str:
        return f"{settings.DESK_NAME}: verdicts on “{obj.title}”"

    def link(self, obj: Article) -> str:
        return reverse("article_page", args=[obj.slug])

    def items(self, obj: Article) -> list[Change]:
        return changes(selectors.verdicts_recently_changed(limit=FEED_ENTRIES, article=obj))


class ArticleVerdictRssFeed(ArticleVerdictFeed):
    feed_type = Rss201rev2Feed


# Served with the readers' pages' caching: ETag and Last-Modified from what the feed shows.
def _site_dependencies():
    return fingerprints.recent_verdicts_dependencies(limit=FEED_ENTRIES)


def _article_dependencies(slug: str):
    return fingerprints.article_dependencies(slug, limit=FEED_ENTRIES)


site_atom = conditional(_site_dependencies)(VerdictFeed())
site_rss = conditional(_site_dependencies)(VerdictRssFeed())
article_atom = conditional(_article_dependencies)(ArticleVerdictFeed())
article_rss = conditional(_article_dependencies)(ArticleVerdictRssFeed())
