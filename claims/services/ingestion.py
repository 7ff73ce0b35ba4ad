"""Turn a received piece into an article and its ranked claims, in one transaction."""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from claims.errors import ClaimsError
from claims.extraction import Extraction, ExtractionError, extract
from claims.extraction.claimant import speaker
from claims.extraction.normalize import normalize
from claims.models import Article, ArticleEvent, Claim
from claims.services.articles import article_metadata_clean, article_shown_to_public
from claims.services.citations import citations_from_links, links_check

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class IngestResult:
    """What ingesting one piece did, as the interfaces report it."""

    article: Article
    created: bool
    sentences: int
    assertions: int
    checkworthy: int
    uncited: int
    # Whether the caller sent this piece first (or is staff): only then may it see the metadata.
    own: bool = True
    # The claims this call created, in the piece's order (none for a piece sent again).
    claims: list[Claim] = field(default_factory=list)

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


def _result_for_existing(article: Article, *, own: bool) -> IngestResult:
    claims = article.claims.all()
    return IngestResult(
        article=article,
        created=False,
        own=own,
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
    client: str = "",
) -> IngestResult:
    """Ingest one piece: extract its assertions and store the article with all its claims.

    The same piece (same plain text) ingested again returns the existing article with
    `created=False`; its metadata stays the first copy's, except that a later embargo wins
    (recorded as an article event): a piece is never published earlier than any of its
    senders asked. `own` says whether the caller sent the piece first; a caller that did not
    may learn only the article's id. `by` is the person ingesting it, or None for an
    operator's command or an API key, which `client` names (``key:<prefix>``).
    Links in the piece become citations (at most INGEST_MAX_LINKS addresses on
    INGEST_MAX_LINK_HOSTS hosts); an attributed claim that carries one is not flagged as
    uncited. Fetches of new sources are scheduled once the transaction commits.
    """
    if by is not None and not by.has_perm("claims.add_article"):
        raise ClaimsError(
            f"{by} may not ingest pieces: that needs the Fact-checker or Editor role."
        )
    metadata = article_metadata_clean(
        title=(title or "")[:500],
        author=(author or "")[:300],
        publication=(publication or "")[:300],
        url=url,
        published_at=published_at,
        embargo_until=embargo_until,
    )
    title, url = metadata["title"], metadata["url"]
    try:
        # Normalizing is cheap and says what the piece is and what it links; the costly
        # scoring runs only for a new piece within the link limits.
        document = normalize(body, fmt=fmt)
    except ExtractionError as error:
        raise ClaimsError(str(error)) from error
    digest = content_hash(document.plain_text)
    existing = Article.objects.filter(content_hash=digest).first()
    if existing is not None:
        return _ingested_again(existing, embargo_until=embargo_until, by=by, client=client)
    links_check(document.links)
    try:
        extraction: Extraction = extract(body, fmt=fmt)
    except ExtractionError as error:
        raise ClaimsError(str(error)) from error
    if not extraction.assertions:
        raise ClaimsError("The piece contains no text to check.")

    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=title[:500],
                slug=_unique_slug(title, digest),
                author=metadata["author"],
                publication=metadata["publication"],
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
                ingest_client=client[:64],
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
            citations = citations_from_links(
                article=article, claims=claims, links=extraction.links, new_claims=True
            )
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
        return _ingested_again(existing, embargo_until=embargo_until, by=by, client=client)
    return IngestResult(
        article=article,
        created=True,
        sentences=extraction.sentences,
        assertions=len(claims),
        checkworthy=sum(claim.checkworthy for claim in claims),
        uncited=sum(claim.attributed_uncited for claim in claims),
        claims=claims,
    )


def _ingested_again(article: Article, *, embargo_until, by, client: str) -> IngestResult:
    """Return the existing article for a piece sent again; a later embargo replaces its own.

    The stricter embargo wins because each sender's embargo is a promise to it: the desk may
    publish only when every sender allows. Loosening an embargo is an editor's edit. Once
    readers see the piece's verdicts, the embargo stays as it is: a sender (a key, anyone who
    may add pieces) cannot take published verdicts off the record; only an editor retracts.
    """
    if embargo_until is not None and (
        article.embargo_until is None or embargo_until > article.embargo_until
    ):
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=article.pk)
            later = article.embargo_until is None or embargo_until > article.embargo_until
            if later and not article_shown_to_public(article.pk):
                before = article.embargo_until
                article.embargo_until = embargo_until
                article.save(update_fields=["embargo_until", "updated_at"])
                ArticleEvent.objects.create(
                    article=article,
                    actor=by,
                    client=client[:64],
                    action=ArticleEvent.Action.EMBARGO_TIGHTENED,
                    changes={
                        "embargo_until": [
                            before.isoformat() if before else None,
                            embargo_until.isoformat(),
                        ]
                    },
                )
    if by is None and not client:
        own = True  # The operator's command: whoever runs it reads the database anyway.
    elif by is not None:
        own = by.pk == article.ingested_by_id or by.is_staff
    else:
        own = client == article.ingest_client
    return _result_for_existing(article, own=own)
