"""Register the claims app's admin screens."""

from . import articles, external, sources, tags  # noqa: F401
