"""Template tags for the readers' pages and the desk's dashboard."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def desk_name() -> str:
    """Return the desk's name (DESK_NAME), for page titles and headers."""
    return settings.DESK_NAME
