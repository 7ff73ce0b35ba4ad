"""System checks for the claims app's fetching settings."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security)
def check_fetch_private_networks(app_configs=None, **kwargs) -> list[Warning]:
    """Warn when the test-only private-network allowance is on outside DEBUG."""
    if getattr(settings, "FETCH_ALLOW_PRIVATE_NETWORKS", False) and not settings.DEBUG:
        return [
            Warning(
                "FETCH_ALLOW_PRIVATE_NETWORKS is on while DEBUG is off.",
                hint=(
                    "This lets the fetcher reach loopback and private addresses, so anyone "
                    "who can submit a URL can probe internal services. It exists for tests "
                    "only; remove it from production settings."
                ),
                obj="settings.FETCH_ALLOW_PRIVATE_NETWORKS",
                id="claims.W001",
            )
        ]
    return []
