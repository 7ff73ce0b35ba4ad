"""Store what was said and what it cites; the models live in modules by concept."""

from .pieces import Article, ArticleEvent, Claim
from .sources import Citation, Evidence, FetchAttempt, FetchHost, Passage, Snapshot, Source

__all__ = [
    "Article",
    "ArticleEvent",
    "Citation",
    "Claim",
    "Evidence",
    "FetchAttempt",
    "FetchHost",
    "Passage",
    "Snapshot",
    "Source",
]
