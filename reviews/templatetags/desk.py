"""Template tags for the readers' pages and the desk's dashboard."""

from urllib.parse import urlsplit

from django import template
from django.conf import settings

from reviews import colours
from reviews.admin import timeline
from reviews.admin.dashboard import dashboard

register = template.Library()


@register.simple_tag
def desk_name() -> str:
    """Return the desk's name (DESK_NAME), for page titles and headers."""
    return settings.DESK_NAME


@register.simple_tag
def rating_badge(rating, retracted: bool = False) -> str:
    """Render a rating's badge (reviews.colours.rating_badge), or "Retracted"."""
    return colours.rating_badge(rating, retracted=retracted)


@register.inclusion_tag("admin/reviews/dashboard.html", takes_context=True)
def desk_dashboard(context) -> dict:
    """Render the desk's dashboard for the person looking at the admin's index."""
    return {"dash": dashboard(context["request"].user), "perms": context.get("perms")}


@register.filter
def web_url(url: str) -> str:
    """Return `url` if it is an http(s) address, else "": a link never runs a javascript: URL."""
    url = (url or "").strip()
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


@register.filter
def web_links(links) -> list[tuple[str, str]]:
    """Return the (href, words) pairs whose href is an http(s) address (see web_url)."""
    return [(web_url(href), words) for href, words in links if web_url(href)]


@register.filter
def event_words(data) -> str:
    """Return an audit event's details in words (reviews.admin.timeline), joined by " · "."""
    return " · ".join(timeline.event_words(data))
