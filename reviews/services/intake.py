"""Receive pieces at the desk: ingest them and open a ticket for every claim."""

from django.db import transaction

from claims.services.ingestion import IngestResult, article_ingest
from reviews.services.tickets import tickets_open


def article_receive(**kwargs) -> IngestResult:
    """Ingest a piece (see `article_ingest` for the arguments) and open its claim tickets.

    One transaction: either the article, its claims and their tickets all exist, or none do.
    """
    with transaction.atomic():
        result = article_ingest(**kwargs)
        tickets_open(claims=result.article.claims.all())
    return result
