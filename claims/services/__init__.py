"""The claims app's services: the only code that writes across its models."""

from .articles import article_embargo_check, article_metadata_clean, article_update
from .citations import (
    citation_add,
    citations_from_links,
    citations_rank,
    claims_for_span,
    links_check,
    source_for_url,
)
from .evidence import passages_rank, passages_store
from .ingestion import IngestResult, article_ingest
from .links import source_recheck, sources_recheck_links
from .sources import (
    HostBusy,
    TransientFetchError,
    retry_countdown,
    source_fetch,
    source_fetch_in_turn,
    sources_fetch_now,
    sources_retry_failed,
    sources_schedule,
    sources_sweep,
)
from .tags import tag_delete, tag_save

__all__ = [
    "HostBusy",
    "IngestResult",
    "TransientFetchError",
    "article_embargo_check",
    "article_ingest",
    "article_metadata_clean",
    "article_update",
    "citation_add",
    "citations_from_links",
    "citations_rank",
    "claims_for_span",
    "links_check",
    "passages_rank",
    "passages_store",
    "retry_countdown",
    "source_fetch",
    "source_fetch_in_turn",
    "source_for_url",
    "source_recheck",
    "sources_fetch_now",
    "sources_recheck_links",
    "sources_retry_failed",
    "sources_schedule",
    "sources_sweep",
    "tag_delete",
    "tag_save",
]
