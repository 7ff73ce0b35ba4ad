"""Build pieces whose claims sit at known offsets, with verdicts in any stage (factory_boy)."""

import hashlib
import itertools

from reviews.models import Verdict, VerdictRevision
from reviews.workflow import Stage
from tests.factories import ArticleFactory
from tests.reviews.factories import rating, ticket_in

_positions = itertools.count(1000)


def piece(text: str, *, slug: str = "annotated-piece", **kwargs):
    """Return an article whose plain text is exactly `text`."""
    return ArticleFactory(
        body=text,
        plain_text=text,
        slug=slug,
        content_hash=hashlib.sha256(f"{slug}:{text}".encode()).hexdigest(),
        paragraph_count=text.count("\n") + 1,
        **kwargs,
    )


def checked(article, snippet: str, stage: Stage = Stage.PUBLISHED, *, rated: str = "false", **kw):
    """Return a ticket in `stage` for the claim `snippet` of `article`, rated `rated`."""
    start = article.plain_text.index(snippet)
    ticket = ticket_in(
        stage,
        article=article,
        start=start,
        end=start + len(snippet),
        position=next(_positions),
        **kw,
    )
    VerdictRevision.objects.filter(verdict__ticket=ticket, number=1).update(rating=rating(rated))
    return ticket


def verdict_of(ticket) -> Verdict:
    return Verdict.objects.get(ticket=ticket)
