"""Store what was said and what it cites; the models live in modules by concept."""

from .attachments import Attachment
from .matching import Embedding, ExternalFactCheck
from .pieces import ARTICLE_TEXT_FIELDS, Article, ArticleEvent, Claim
from .sources import Citation, Evidence, FetchAttempt, FetchHost, Passage, Snapshot, Source
from .tags import Tag

__all__ = [
    "ARTICLE_TEXT_FIELDS",
    "Article",
    "ArticleEvent",
    "Attachment",
    "Citation",
    "Claim",
    "Embedding",
    "Evidence",
    "ExternalFactCheck",
    "FetchAttempt",
    "FetchHost",
    "Passage",
    "Snapshot",
    "Source",
    "Tag",
]
