"""Register the claims app's admin screens."""

from . import articles  # noqa: F401
