"""Match claims against claims the desk or other fact-checkers have ruled on, without Django."""

from .consistency import conflicts
from .dense import DenseIndex, top_k
from .files import Row, read_queries, read_verified
from .lexical import LexicalIndex
from .matcher import MODES, Level, Match, Matcher, MatchingError, TextEncoder, Thresholds
from .metrics import evaluate
from .text import clean

__all__ = [
    "MODES",
    "DenseIndex",
    "Level",
    "LexicalIndex",
    "Match",
    "Matcher",
    "MatchingError",
    "Row",
    "TextEncoder",
    "Thresholds",
    "clean",
    "conflicts",
    "evaluate",
    "read_queries",
    "read_verified",
    "top_k",
]
