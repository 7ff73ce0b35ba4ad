"""The fetch policy read from Django settings, and the system check guarding the allowance."""

from __future__ import annotations

import pytest
from django.core.checks import Tags, Warning, run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from claims import checks
from claims.fetching import FetchPolicy
from claims.fetching import policy as policy_module


def _settings_ready() -> bool:
    from django.conf import settings

    try:
        return settings.DEBUG is not None
    except ImproperlyConfigured:
        return False


needs_settings = pytest.mark.skipif(
    not _settings_ready(), reason="needs Django settings (run under pytest-django)"
)


@needs_settings
@override_settings(
    FETCH_ALLOW_PRIVATE_NETWORKS=True,
    FETCH_ALLOWED_PORTS=[80, 443, 8080],
    FETCH_MAX_BYTES=2048,
    FETCH_DEADLINE_SECONDS=3,
    FETCH_USER_AGENT="FactcheckDesk/test",
)
def test_policy_reads_fetch_settings():
    policy = FetchPolicy.from_settings()

    assert policy.allow_private_networks is True
    assert policy.allowed_ports == frozenset({80, 443, 8080})
    assert policy.max_bytes == 2048
    assert policy.deadline_seconds == 3.0
    assert policy.user_agent == "FactcheckDesk/test"
    assert policy.max_redirects == 5


@needs_settings
def test_policy_defaults_when_settings_say_nothing():
    from django.conf import settings

    with override_settings():
        for name in (
            "FETCH_ALLOW_PRIVATE_NETWORKS",
            "FETCH_ALLOWED_PORTS",
            "FETCH_MAX_BYTES",
            "FETCH_DEADLINE_SECONDS",
            "FETCH_USER_AGENT",
        ):
            if hasattr(settings, name):
                delattr(settings, name)

        assert FetchPolicy.from_settings() == FetchPolicy()


def test_policy_defaults_without_configured_settings(monkeypatch):
    class Unconfigured:
        def __getattr__(self, name):
            raise ImproperlyConfigured("settings are not configured")

    monkeypatch.setattr(policy_module, "settings", Unconfigured())

    assert FetchPolicy.from_settings() == FetchPolicy()


@needs_settings
@override_settings(FETCH_ALLOW_PRIVATE_NETWORKS=True, DEBUG=False)
def test_allowance_outside_debug_is_warned_about():
    messages = checks.check_fetch_private_networks(None)

    assert [(type(m), m.id) for m in messages] == [(Warning, "claims.W001")]
    assert "claims.W001" in [m.id for m in run_checks(tags=[Tags.security])]


@needs_settings
@override_settings(FETCH_ALLOW_PRIVATE_NETWORKS=True, DEBUG=True)
def test_allowance_under_debug_is_quiet():
    assert checks.check_fetch_private_networks(None) == []


@needs_settings
@override_settings(FETCH_ALLOW_PRIVATE_NETWORKS=False, DEBUG=False)
def test_production_without_allowance_is_quiet():
    assert checks.check_fetch_private_networks(None) == []
    assert "claims.W001" not in [m.id for m in run_checks(tags=[Tags.security])]
