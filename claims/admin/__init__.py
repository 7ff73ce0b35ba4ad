"""Register the claims app's admin screens."""

from . import articles, external, sources  # noqa: F401
