"""Rate-limit each kind of client on its own: addresses, API keys and staff accounts."""

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from factcheck.access import client_address
from reviews.api.permissions import client_key


class _Throttle(SimpleRateThrottle):
    @property
    def cache(self):
        # Shared by every web process when API_THROTTLE_CACHE_URL points at Redis.
        return caches["throttle"]

    def get_rate(self):
        # Read at request time, so that a changed setting applies without re-importing DRF.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        # The same address the login lockout counts (behind NUM_PROXIES proxies).
        return client_address(request)


class AnonThrottle(_Throttle):
    """Count requests without credentials per client address (behind NUM_PROXIES proxies)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if client_key(request) is not None or request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ClientKeyThrottle(_Throttle):
    """Count requests per API key, wherever they come from."""

    scope = "key"

    def get_cache_key(self, request, view):
        key = client_key(request)
        if key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": key.prefix}


class StaffThrottle(_Throttle):
    """Count requests per logged-in person."""

    scope = "staff"

    def get_cache_key(self, request, view):
        if client_key(request) is not None or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
