"""The claims app's services: the only code that writes across its models."""

from .citations import citation_add, citations_from_links, claims_for_span, source_for_url
from .evidence import passages_rank
from .ingestion import IngestResult, article_ingest, article_update
from .links import source_recheck, sources_recheck_links
from .sources import (
    TransientFetchError,
    retry_countdown,
    source_fetch,
    sources_fetch_now,
    sources_retry_failed,
    sources_schedule,
    sources_sweep,
)

__all__ = [
    "IngestResult",
    "TransientFetchError",
    "article_ingest",
    "article_update",
    "citation_add",
    "citations_from_links",
    "claims_for_span",
    "passages_rank",
    "retry_countdown",
    "source_fetch",
    "source_for_url",
    "source_recheck",
    "sources_fetch_now",
    "sources_recheck_links",
    "sources_retry_failed",
    "sources_schedule",
    "sources_sweep",
]
