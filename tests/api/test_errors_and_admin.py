"""Errors are JSON a person can act on; keys and webhook secrets are shown once in the admin."""

import socket

import pytest
from django.contrib import messages
from django.test import Client
from rest_framework.test import APIClient

from reviews.models import ClientKey, WebhookSubscription
from tests.api.conftest import client_as
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_too_many_requests_is_a_429_with_retry_after(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min", "key": "600/min", "staff": "1200/min"},
    }
    client = APIClient()

    statuses = [client.get("/api/v1/verdicts/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    response = client.get("/api/v1/verdicts/")
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["retry_after"] == int(response["Retry-After"])


def test_a_key_has_its_own_allowance_apart_from_its_address(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "key": "600/min", "staff": "1200/min"},
    }
    APIClient().get("/api/v1/verdicts/")

    assert client_as("read key").get("/api/v1/verdicts/").status_code == 200


def test_throttles_count_the_client_behind_the_proxy_only_as_far_as_trusted(settings):
    settings.NUM_PROXIES = 0
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1/min", "key": "600/min", "staff": "1200/min"},
    }
    client = APIClient()
    client.get("/api/v1/verdicts/", HTTP_X_FORWARDED_FOR="10.0.0.1")

    # Without a trusted proxy, a forged X-Forwarded-For buys no fresh allowance.
    again = client.get("/api/v1/verdicts/", HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert again.status_code == 429


def test_every_error_has_the_same_shape():
    for response in (
        APIClient().get("/api/v1/verdicts/424242/"),
        APIClient().get("/api/v1/verdicts/", {"updated_since": "tomorrow"}),
        APIClient().get("/api/v1/claims/"),
        client_as("read key").get("/api/v1/claims/"),
    ):
        error = response.json()["error"]
        assert set(error) >= {"status", "code", "message"}
        assert error["status"] == response.status_code
        assert error["message"]


def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_superuser=True))
    return client


def test_a_key_created_in_the_admin_is_shown_once_and_stored_hashed():
    response = admin_client().post(
        "/admin/reviews/clientkey/add/",
        {"name": "CMS", "scopes": ["ingest"], "contact": "cms-team@example.org"},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"] if m.level == messages.WARNING]
    key = ClientKey.objects.get()
    secret = shown[0].split("The API key for CMS is: ")[1].split(". ")[0]
    assert key.scopes == ["ingest"]
    assert ClientKey.objects.get_from_key(secret) == key
    assert secret not in key.hashed_key
    page = admin_client().get(f"/admin/reviews/clientkey/{key.pk}/change/").content.decode()
    assert secret not in page


def test_a_webhook_secret_is_shown_once_then_masked_and_deliveries_are_logged():
    client = admin_client()
    response = client.post(
        "/admin/reviews/webhooksubscription/add/",
        {
            "name": "Partner",
            "url": "https://partner.example/hooks",
            "events": ["verdict.published", "verdict.retracted"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    subscription = WebhookSubscription.objects.get()
    assert any(subscription.secret in str(m) for m in response.context["messages"])
    page = client.get(
        f"/admin/reviews/webhooksubscription/{subscription.pk}/change/"
    ).content.decode()
    assert subscription.secret not in page
    assert subscription.secret[-4:] in page
    assert subscription.events == ["verdict.published", "verdict.retracted"]


def test_a_webhook_to_a_private_address_is_refused_in_the_admin():
    response = admin_client().post(
        "/admin/reviews/webhooksubscription/add/",
        {
            "name": "Sneaky",
            "url": "http://169.254.169.254/latest/",
            "events": ["verdict.published"],
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "Deliveries cannot go there" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def cookies_sent(response) -> str:
    return " ".join(morsel.OutputString() for morsel in response.cookies.values())


def test_a_new_key_never_travels_in_a_cookie():
    client = admin_client()
    response = client.post(
        "/admin/reviews/clientkey/add/", {"name": "CMS", "scopes": ["ingest"], "contact": ""}
    )

    assert response.status_code == 302
    assert "messages" not in response.cookies
    page = client.get(response["Location"])
    (shown,) = [str(m) for m in page.context["messages"] if m.level == messages.WARNING]
    secret = shown.split("The API key for CMS is: ")[1].split(". ")[0]
    assert secret not in cookies_sent(response) + cookies_sent(page)


def test_a_webhook_secret_never_travels_in_a_cookie():
    client = admin_client()
    response = client.post(
        "/admin/reviews/webhooksubscription/add/",
        {
            "name": "Partner",
            "url": "https://93.184.215.14/hooks",
            "events": ["verdict.published"],
            "is_active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )

    secret = WebhookSubscription.objects.get().secret
    assert response.status_code == 302
    assert "messages" not in response.cookies
    assert secret not in cookies_sent(response)
    assert secret in client.get(response["Location"]).content.decode()


def subscribe_in_admin(url: str):
    return admin_client().post(
        "/admin/reviews/webhooksubscription/add/",
        {
            "name": "Partner",
            "url": url,
            "events": ["verdict.published"],
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )


@pytest.mark.parametrize("url", ["https://93.184.215.14:8443/hooks", "http://93.184.215.14:25/"])
def test_a_webhook_to_a_port_the_fetcher_refuses_is_refused_in_the_admin(url):
    response = subscribe_in_admin(url)

    assert response.status_code == 200
    assert "is not allowed (allowed: 80, 443)" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_a_webhook_to_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    def resolver(host, port, *args, **kwargs):
        address = "10.1.2.3" if host == "hooks.partner.example" else "93.184.215.14"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)

    refused = subscribe_in_admin("https://hooks.partner.example/desk")
    accepted = subscribe_in_admin("https://public.partner.example/desk")

    assert "hooks.partner.example resolves to 10.1.2.3" in refused.content.decode()
    assert accepted.status_code == 302
    assert list(WebhookSubscription.objects.values_list("url", flat=True)) == [
        "https://public.partner.example/desk"
    ]
