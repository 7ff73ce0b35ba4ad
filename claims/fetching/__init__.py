"""The SSRF-safe fetcher every outbound request goes through, and text extraction."""

from .client import FetchResult, check_destination, fetch
from .content import ExtractedDocument, extract_document
from .errors import BlockedDestination, FetchError
from .policy import FetchPolicy
from .urls import normalize_url

__all__ = [
    "BlockedDestination",
    "ExtractedDocument",
    "FetchError",
    "FetchPolicy",
    "FetchResult",
    "check_destination",
    "extract_document",
    "fetch",
    "normalize_url",
]
