"""Turn a received piece into an article and its ranked claims, in one transaction."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from claims.errors import ClaimsError
from claims.extraction import Extraction, ExtractionError, extract
from claims.extraction.claimant import speaker
from claims.models import Article, Claim
from claims.services.citations import citations_from_links

_WHITESPACE = re.compile(r"\s+")
# The article's address is published in links and ClaimReview: only web addresses qualify.
_validate_url = URLValidator(schemes=["http", "https"])


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one piece did, as the interfaces report it."""

    article: Article
    created: bool
    sentences: int
    assertions: int
    checkworthy: int
    uncited: int

    def summary(self) -> dict:
        """Return the per-article summary the CLI and the API print."""
        return {
            "article": self.article.pk,
            "title": self.article.title,
            "created": self.created,
            "sentences": self.sentences,
            "assertions": self.assertions,
            "checkworthy": self.checkworthy,
            "uncited_attributions": self.uncited,
        }


def content_hash(plain_text: str) -> str:
    """Return the identity of a piece: its plain text with whitespace runs folded."""
    folded = _WHITESPACE.sub(" ", plain_text).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def _result_for_existing(article: Article) -> IngestResult:
    claims = article.claims.all()
    return IngestResult(
        article=article,
        created=False,
        sentences=article.sentence_count,
        assertions=claims.count(),
        checkworthy=claims.filter(checkworthy=True).count(),
        uncited=claims.filter(attributed_uncited=True).count(),
    )


def _unique_slug(title: str, digest: str) -> str:
    base = slugify(title)[:80].strip("-") or "article"
    if not Article.objects.filter(slug=base).exists():
        return base
    return f"{base}-{digest[:8]}"


def article_ingest(
    *,
    body: str,
    title: str,
    author: str = "",
    publication: str = "",
    url: str = "",
    published_at: datetime | None = None,
    embargo_until: datetime | None = None,
    fmt: str = "auto",
    by=None,
) -> IngestResult:
    """Ingest one piece: extract its assertions and store the article with all its claims.

    The same piece (same plain text) ingested again returns the existing article with
    `created=False`. `by` is the person ingesting it, or None for an operator's command.
    Links in the piece become citations; an attributed claim that carries one is not flagged
    as uncited. Fetches of new sources are scheduled once the transaction commits.
    """
    if by is not None and not by.has_perm("claims.add_article"):
        raise ClaimsError(
            f"{by} may not ingest pieces: that needs the Fact-checker or Editor role."
        )
    title = (title or "").strip()
    if not title:
        raise ClaimsError("A piece needs a title.")
    url = (url or "").strip()
    if url:
        try:
            _validate_url(url)
        except ValidationError as error:
            raise ClaimsError(f"{url[:100]!r} is not an http(s) address for the piece.") from error
    try:
        extraction: Extraction = extract(body, fmt=fmt)
    except ExtractionError as error:
        raise ClaimsError(str(error)) from error
    if not extraction.assertions:
        raise ClaimsError("The piece contains no text to check.")

    digest = content_hash(extraction.plain_text)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is not None:
        return _result_for_existing(existing)

    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=title[:500],
                slug=_unique_slug(title, digest),
                author=author[:300],
                publication=publication[:300],
                url=url,
                published_at=published_at,
                embargo_until=embargo_until,
                body=body,
                body_format=extraction.format,
                plain_text=extraction.plain_text,
                content_hash=digest,
                paragraph_count=extraction.paragraphs,
                sentence_count=extraction.sentences,
                ingested_by=by,
            )
            claims = Claim.objects.bulk_create(
                [
                    Claim(
                        article=article,
                        text=assertion.text,
                        start=assertion.start,
                        end=assertion.end,
                        paragraph=assertion.paragraph,
                        sentence=assertion.sentence,
                        position=position,
                        score=assertion.score,
                        checkworthy=assertion.checkworthy,
                        reasons=list(assertion.reasons),
                        split=assertion.split,
                        attributed_uncited=assertion.attributed_uncited,
                        claimant=speaker(assertion.text) or article.author,
                    )
                    for position, assertion in enumerate(extraction.assertions)
                ]
            )
            # The piece's own links are its citations; their fetches start after commit.
            citations = citations_from_links(article=article, claims=claims, links=extraction.links)
            cited = {citation.claim_id for citation in citations}
            now_cited = [c for c in claims if c.attributed_uncited and c.pk in cited]
            for claim in now_cited:
                claim.attributed_uncited = False
            Claim.objects.bulk_update(now_cited, ["attributed_uncited"])
    except IntegrityError:
        # Someone ingested the same piece a moment ago; theirs is the article.
        existing = Article.objects.filter(content_hash=digest).first()
        if existing is None:
            raise
        return _result_for_existing(existing)
    return IngestResult(
        article=article,
        created=True,
        sentences=extraction.sentences,
        assertions=len(claims),
        checkworthy=sum(claim.checkworthy for claim in claims),
        uncited=sum(claim.attributed_uncited for claim in claims),
    )
