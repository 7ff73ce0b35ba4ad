"""Change a piece's metadata (title, byline, address, dates, embargo), validated and recorded."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from claims.errors import ClaimsError
from claims.models import Article, ArticleEvent

__all__ = [
    "EDITABLE_FIELDS",
    "article_embargo_check",
    "article_metadata_clean",
    "article_shown_to_public",
    "article_update",
]

# The article's address is published in links and ClaimReview: only web addresses qualify.
_validate_url = URLValidator(schemes=["http", "https"])

# What a person may change after ingestion; the text and its claims never change.
EDITABLE_FIELDS = ("title", "author", "publication", "url", "published_at", "embargo_until")
# What a published verdict shows of its piece (the API, webhooks, ClaimReview, the pages).
SHOWN_FIELDS = ("title", "author", "publication", "url", "published_at")
_MAX_LENGTHS = {"title": 500, "author": 300, "publication": 300, "url": 2000}


def article_metadata_clean(
    *,
    title: str,
    author: str = "",
    publication: str = "",
    url: str = "",
    published_at: datetime | None = None,
    embargo_until: datetime | None = None,
) -> dict:
    """Return the metadata trimmed and checked, or raise ClaimsError saying what to fix.

    Ingestion and the article admin both call this, so a piece cannot be given an address or
    an embargo through one door that the other would refuse.
    """
    title = (title or "").strip()
    if not title:
        raise ClaimsError("A piece needs a title.")
    url = (url or "").strip()
    if url:
        try:
            _validate_url(url)
        except ValidationError as error:
            raise ClaimsError(f"{url[:100]!r} is not an http(s) address for the piece.") from error
    cleaned = {
        "title": title,
        "author": (author or "").strip(),
        "publication": (publication or "").strip(),
        "url": url,
        "published_at": published_at,
        "embargo_until": embargo_until,
    }
    for field, limit in _MAX_LENGTHS.items():
        if len(cleaned[field]) > limit:
            raise ClaimsError(f"The {field} is longer than {limit} characters; shorten it.")
    for field in ("published_at", "embargo_until"):
        value = cleaned[field]
        if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
            raise ClaimsError(f"The {field.replace('_', ' ')} needs a date and time with a zone.")
    return cleaned


def article_shown_to_public(article_id: int) -> bool:
    """Return whether readers see the article now (a verdict on it is public)."""
    # Claims never imports reviews: the setting names the selector that knows.
    if not settings.CLAIMS_PUBLIC_ARTICLES:
        return False
    return import_string(settings.CLAIMS_PUBLIC_ARTICLES)().filter(pk=article_id).exists()


def article_embargo_check(*, article: Article, embargo_until: datetime | None) -> None:
    """Refuse an embargo that would hide the verdicts readers see on the article now.

    An embargo set on a published piece would take its verdicts off every page, feed and API
    list without a correction, a retraction or a word to webhook subscribers; lifting or
    shortening one is always possible.
    """
    if embargo_until is None or embargo_until <= timezone.now():
        return
    if article.pk is None or article.embargo_until == embargo_until:
        return
    if article_shown_to_public(article.pk):
        raise ClaimsError(
            "Readers already see verdicts on this piece: an embargo would take them down "
            "silently. Retract a verdict (with a public reason) to withdraw it."
        )


def article_update(*, article: Article, by, **changes) -> Article:
    """Change the piece's metadata for ``by`` and record what changed as an article event.

    Only the fields in EDITABLE_FIELDS may be given; the ones left out keep their value.
    Nothing changed records nothing.
    """
    if not by.has_perm("claims.change_article"):
        raise ClaimsError(f"{by} may not edit pieces: that needs the Editor role.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ClaimsError(f"These fields cannot be edited: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        current = Article.objects.select_for_update().get(pk=article.pk)
        merged = {field: getattr(current, field) for field in EDITABLE_FIELDS} | changes
        cleaned = article_metadata_clean(**merged)
        article_embargo_check(article=current, embargo_until=cleaned["embargo_until"])
        diff = {
            field: [_plain(getattr(current, field)), _plain(value)]
            for field, value in cleaned.items()
            if getattr(current, field) != value
        }
        if not diff:
            return current
        for field in diff:
            setattr(current, field, cleaned[field])
        current.save(update_fields=[*diff, "updated_at"])
        ArticleEvent.objects.create(
            article=current, actor=by, action=ArticleEvent.Action.EDIT, changes=diff
        )
        if set(diff) & set(SHOWN_FIELDS) and settings.CLAIMS_ARTICLE_CHANGED:
            # Published verdicts show these details: readers' sync clients and subscribers are
            # told, in this transaction. Claims never imports reviews: the setting names how.
            import_string(settings.CLAIMS_ARTICLE_CHANGED)(article_id=current.pk)
    return current


def _plain(value):
    """Return a value as the event's JSON keeps it."""
    return value.isoformat() if isinstance(value, datetime) else value
