"""Give the API tests their clients: anonymous, key holders, the desk's people, and verdicts."""

import pytest
from django.core.cache import caches
from rest_framework.test import APIClient

from reviews.models import ClientKey
from reviews.tasks import deliver_webhook
from tests.api.verdicts import published_verdict
from tests.factories import UserFactory
from tests.reviews.conftest import desk_data, notifications_in_process
from tests.reviews.factories import new_editor, new_fact_checker

# Shared with the review desk's tests: roles and ratings after a flush, e-mails in-process.
__all__ = ["desk_data", "notifications_in_process"]

ROLES = ["anonymous", "read key", "ingest key", "fact-checker", "editor"]


def key_with(*scopes: str, name: str = "partner") -> str:
    """Create an API key with `scopes` and return its secret value (as the admin shows once)."""
    _key, secret = ClientKey.objects.create_key(name=name, scopes=list(scopes))
    return secret


def client_as(role: str) -> APIClient:
    """Return an API client acting as one of ROLES (or as an "api client account")."""
    client = APIClient()
    if role == "read key":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key_with('read')}")
    elif role == "ingest key":
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key_with('ingest', name='cms')}")
    elif role == "fact-checker":
        client.force_login(new_fact_checker())
    elif role == "editor":
        client.force_login(new_editor())
    elif role == "api client account":
        # A person-like account in the API client role, logged in (staff: the worst case).
        client.force_login(UserFactory(role="API client", is_staff=True))
    return client


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Start every test with empty rate-limit counters."""
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def webhooks_in_process(monkeypatch):
    """Deliver webhooks in the test's process, even when a real broker is configured."""

    def run_here(**kwargs):
        return deliver_webhook.apply(kwargs=kwargs)

    monkeypatch.setattr(deliver_webhook, "delay", run_here)
    return run_here


@pytest.fixture
def anonymous():
    return APIClient()


@pytest.fixture
def reader(db):
    return client_as("read key")


@pytest.fixture
def verdict(db):
    """Return one published verdict with a piece of evidence and its snapshot."""
    return published_verdict()
