"""Register the claims app's admin screens."""

from . import articles, sources  # noqa: F401
