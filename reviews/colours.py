"""Turn the rating scale's colours into CSS whose text stays readable on every colour (WCAG)."""

import re
from collections.abc import Iterable

from django.utils.html import format_html
from django.utils.safestring import SafeString

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_SLUG = re.compile(r"^[-\w]+$")
DARK = "#000000"
LIGHT = "#ffffff"
# How much of the rating colour a highlight's background keeps: light enough for body text.
TINT = 0.22


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _hex(rgb: Iterable[float]) -> str:
    return "#" + "".join(f"{round(channel):02x}" for channel in rgb)


def luminance(colour: str) -> float:
    """Return the relative luminance of a #rrggbb colour, as WCAG 2 defines it."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio between two #rrggbb colours (1 to 21)."""
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour(background: str) -> str:
    """Return dark or white text, whichever contrasts more with `background`.

    One of the two always reaches at least 4.58:1, above WCAG AA's 4.5:1 for body text.
    """
    return DARK if contrast(DARK, background) >= contrast(LIGHT, background) else LIGHT


def tint(colour: str, amount: float = TINT) -> str:
    """Return `colour` mixed into white, keeping `amount` of it."""
    return _hex(255 + (channel - 255) * amount for channel in _rgb(colour))


def scale_stylesheet(ratings: Iterable) -> str:
    """Return the CSS giving each rating's badge and highlight its colour and readable text.

    Served as a stylesheet because the Content-Security-Policy forbids inline styles. A rating
    whose slug or colour is not plain is skipped rather than written into CSS.
    """
    rules = []
    for rating in ratings:
        colour, slug = rating.colour, rating.slug
        if not (_HEX.match(colour or "") and _SLUG.match(slug or "")):
            continue
        background = tint(colour)
        rules.append(
            f".rating-badge.rating-{slug} {{ background-color: {colour}; "
            f"color: {text_colour(colour)}; }}\n"
            f".claim-mark.rating-{slug} {{ background-color: {background}; "
            f"color: {text_colour(background)}; border-bottom-color: {colour}; }}\n"
            f".rating-edge.rating-{slug} {{ border-left-color: {colour}; }}"
        )
    return "\n".join(rules) + "\n"


def rating_badge(rating, *, retracted: bool = False) -> SafeString | str:
    """Return a rating's badge, coloured by the scale's CSS; "Retracted" or "—" without one."""
    if retracted:
        return format_html('<span class="rating-badge rating-retracted">{}</span>', "Retracted")
    if rating is None:
        return "—"
    return format_html('<span class="rating-badge rating-{}">{}</span>', rating.slug, rating.label)
