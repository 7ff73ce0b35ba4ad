"""Read other publishers' fact-checks from schema.org ClaimReview, without Django.

Accepted: a JSON-LD document (one review, a list, an @graph), an HTML page with JSON-LD
script blocks, a JSON-lines dump (one document per line), and this service's own API (an
article's /claimreview/ graph, a verdict or a page of the verdict list).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from .matcher import MatchingError

_LD_BLOCK = re.compile(
    r"<script[^>]*type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class ClaimReviewError(MatchingError):
    """The input holds no readable ClaimReview; the message says what was wrong."""


@dataclass(frozen=True)
class ExternalReview:
    """One fact-check by another publisher, as read from its ClaimReview."""

    url: str
    claim_reviewed: str
    publisher: str = ""
    publisher_url: str = ""
    claimant: str = ""
    rating_text: str = ""
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    reviewed_at: date | None = None
    language: str = ""


def parse_claimreviews(data: bytes, *, name: str) -> tuple[list[ExternalReview], int]:
    """Return the reviews in ``data`` and how many ClaimReview objects were skipped as unusable.

    Raise ClaimReviewError for input that is empty, binary, not UTF-8, not JSON, or holds no
    ClaimReview at all.
    """
    if not data.strip():
        raise ClaimReviewError(f"{name}: empty; expected ClaimReview JSON-LD, HTML or JSON lines")
    if b"\x00" in data[:65536]:
        raise ClaimReviewError(f"{name}: a binary file, not JSON or HTML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClaimReviewError(f"{name}: not UTF-8 text (byte {error.start})") from None
    documents = _documents(text, name)
    reviews, skipped = [], 0
    for node in _walk(documents):
        review = _review(node)
        if review is None:
            skipped += 1
        else:
            reviews.append(review)
    if not reviews and not skipped:
        raise ClaimReviewError(f"{name}: no ClaimReview found")
    return reviews, skipped


def _documents(text: str, name: str) -> list:
    stripped = text.lstrip()
    if stripped.startswith("<"):
        blocks = _LD_BLOCK.findall(text)
        if not blocks:
            raise ClaimReviewError(f"{name}: an HTML page without JSON-LD script blocks")
        documents = []
        for block in blocks:
            try:
                documents.append(json.loads(block.strip().removeprefix("<!--").removesuffix("-->")))
            except json.JSONDecodeError:
                # One broken block on a page does not hide the others.
                continue
        return documents
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as whole_error:
        documents = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as error:
                if number == 1:
                    raise ClaimReviewError(
                        f"{name}: not JSON (line {whole_error.lineno}: {whole_error.msg})"
                    ) from None
                raise ClaimReviewError(f"{name}: line {number} is not JSON ({error.msg})") from None
        return documents


def _types(node: dict) -> set[str]:
    kind = node.get("@type", ())
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {str(k).rsplit("/", 1)[-1] for k in kinds}


def _walk(value):
    """Yield every ClaimReview object (or this service's verdict object) inside ``value``."""
    if isinstance(value, list):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        if "ClaimReview" in _types(value):
            yield value
        elif {"claim", "rating", "summary", "url"} <= set(value) and "@type" not in value:
            # A verdict from another instance of this service's API.
            yield _from_desk_verdict(value)
        else:
            for key in ("@graph", "results", "itemListElement", "item", "mainEntity"):
                if key in value:
                    yield from _walk(value[key])


def _from_desk_verdict(verdict: dict) -> dict:
    claim = verdict.get("claim") or {}
    article = verdict.get("article") or {}
    rating = verdict.get("rating") or {}
    url = verdict.get("url") or ""
    return {
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim.get("text", "") if isinstance(claim, dict) else "",
        "author": {"name": urlsplit(url).hostname or "", "url": _origin(url)},
        "itemReviewed": {"author": {"name": article.get("author", "")}},
        "reviewRating": {
            "alternateName": rating.get("label", ""),
            "ratingValue": rating.get("value"),
            "bestRating": rating.get("best"),
            "worstRating": rating.get("worst"),
        },
        "datePublished": verdict.get("published_at"),
    }


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _name(value) -> str:
    if isinstance(value, list):
        return ", ".join(filter(None, (_name(item) for item in value)))
    if isinstance(value, dict):
        return str(value.get("name") or value.get("alternateName") or "").strip()
    return str(value or "").strip()


def _rating_text(rating) -> str:
    if not isinstance(rating, dict):
        return ""
    return str(rating.get("alternateName") or rating.get("name") or "").strip()


def _number(value) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _date(value) -> date | None:
    match = _DATE.match(str(value or ""))
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _review(node: dict) -> ExternalReview | None:
    url = str(node.get("url") or node.get("@id") or "").strip()
    claim = str(node.get("claimReviewed") or "").strip()
    if not url.startswith(("http://", "https://")) or not claim:
        return None
    author = node.get("author") or {}
    if isinstance(author, list):
        author = author[0] if author else {}
    item = node.get("itemReviewed") or {}
    rating = node.get("reviewRating") or {}
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    return ExternalReview(
        url=url[:2000],
        claim_reviewed=claim,
        publisher=_name(author)[:300],
        publisher_url=str(author.get("url") or "")[:2000] if isinstance(author, dict) else "",
        claimant=_name(item.get("author") if isinstance(item, dict) else "")[:300],
        rating_text=_rating_text(rating)[:300],
        rating_value=_number(rating.get("ratingValue")) if isinstance(rating, dict) else None,
        best_rating=_number(rating.get("bestRating")) if isinstance(rating, dict) else None,
        worst_rating=_number(rating.get("worstRating")) if isinstance(rating, dict) else None,
        reviewed_at=_date(node.get("datePublished") or node.get("dateCreated")),
        language=str(node.get("inLanguage") or "")[:16],
    )
