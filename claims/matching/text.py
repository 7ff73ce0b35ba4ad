"""Clean claim texts before matching: drop what a repeat does not carry (links, bylines)."""

from __future__ import annotations

import re
import unicodedata

# A tweet ends with "— Name (@handle) January 6, 2020"; a repeat of the claim never carries it.
_TWEET_BYLINE = re.compile(r"\s[—–-]{1,2}\s[^—–\n]{0,80}\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$")
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@(\w+)")
_HASHTAG = re.compile(r"(?<!\w)#(\w+)")
# "#IranUsa" is two words glued for the hashtag; splitting camel case lets both match.
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Return ``text`` without links, bylines and hashtag marks, in NFKC with spaces folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _TWEET_BYLINE.sub("", text)
    text = _URL.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + _CAMEL.sub(" ", m.group(1)), text)
    text = _MENTION.sub(lambda m: m.group(1), text)
    return _SPACES.sub(" ", text).strip()
