"""Receive pieces at the desk: ingest them and open a ticket for every claim."""

from django.db import transaction

from claims.services.ingestion import IngestResult, article_ingest


def article_receive(**kwargs) -> IngestResult:
    """Ingest a piece (see `article_ingest` for the arguments), open its tickets, queue matching.

    One transaction: either the article, its claims and their tickets all exist, or none do.
    """
    from reviews.services import tickets_open
    from reviews.services.matching import claims_match_after_commit

    with transaction.atomic():
        result = article_ingest(**kwargs)
        tickets_open(claims=result.article.claims.all())
        if result.created:
            # Matching embeds each claim: it runs as a job after the commit, never in here.
            claims_match_after_commit(list(result.article.claims.values_list("pk", flat=True)))
    return result
