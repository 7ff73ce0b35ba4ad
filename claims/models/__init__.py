"""Store what was said and what it cites; the models live in modules by concept."""

from .matching import Embedding, ExternalFactCheck
from .pieces import Article, Claim
from .sources import Citation, Evidence, FetchAttempt, Passage, Snapshot, Source

__all__ = [
    "Article",
    "Citation",
    "Claim",
    "Embedding",
    "Evidence",
    "ExternalFactCheck",
    "FetchAttempt",
    "Passage",
    "Snapshot",
    "Source",
]
