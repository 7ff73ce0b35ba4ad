"""Logins: lockouts key on the client behind the proxies; the lockout page helps; `next` is safe."""

import pytest
from django.test import override_settings

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=0.25):
        yield


@pytest.fixture
def editor():
    return UserFactory(username="night-editor", password="right-password-123", is_staff=True)


def login(client, password: str, **meta):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "night-editor", "password": password},
        **meta,
    )


def test_behind_one_proxy_an_attacker_cannot_lock_out_the_editor(client, axes_on, editor, settings):
    settings.NUM_PROXIES = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for n in range(3):
        login(client, f"guess-{n}", **attacker)

    locked = login(client, "right-password-123", **attacker)
    real = login(
        client, "right-password-123", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    assert locked.status_code == 429
    assert real.status_code == 302
    assert real["Location"] == "/admin/"


def test_behind_one_proxy_a_forged_forwarded_for_entry_does_not_reset_the_count(
    client, axes_on, editor, settings
):
    settings.NUM_PROXIES = 1
    for n in range(3):
        # The client prepends a fresh address each time; the proxy appends the real one.
        login(
            client,
            f"guess-{n}",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.66",
        )

    again = login(
        client,
        "right-password-123",
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.66",
    )

    assert again.status_code == 429


def test_without_proxies_a_forwarded_for_header_is_ignored(client, axes_on, editor, settings):
    settings.NUM_PROXIES = 0
    for n in range(3):
        login(client, f"guess-{n}", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    again = login(
        client, "right-password-123", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.50"
    )

    assert again.status_code == 429


def test_the_lockout_page_says_how_long_sends_retry_after_and_offers_a_way_back(
    client, axes_on, editor, settings
):
    for n in range(3):
        login(client, f"guess-{n}", REMOTE_ADDR="203.0.113.66")

    response = login(client, "right-password-123", REMOTE_ADDR="203.0.113.66")

    page = response.content.decode()
    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert "15 minutes" in page
    assert 'href="/admin/login/"' in page
    assert "administrator to unlock" in page
    # Styled like the rest of the desk: the admin's stylesheet and the desk's name as header.
    assert "admin/css/base.css" in page
    assert settings.DESK_NAME in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/admin/", ""])
def test_a_login_whose_next_is_refused_lands_on_the_desk(client, editor, target):
    response = client.post(
        f"/admin/login/?next={target}",
        {"username": "night-editor", "password": "right-password-123"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
