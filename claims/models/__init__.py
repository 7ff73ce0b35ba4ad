"""Store what was said and what it cites; the models live in modules by concept."""

from .pieces import ARTICLE_TEXT_FIELDS, Article, Claim
from .sources import Citation, Evidence, FetchAttempt, Passage, Snapshot, Source

__all__ = [
    "ARTICLE_TEXT_FIELDS",
    "Article",
    "Citation",
    "Claim",
    "Evidence",
    "FetchAttempt",
    "Passage",
    "Snapshot",
    "Source",
]
