"""Production hardening: login lockout, throttles behind proxies, limits, outages, request ids."""

import json
import logging
import logging.config
import socket

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import OperationalError
from django.test import RequestFactory, override_settings
from django.test.utils import override_settings as settings_override
from django_guid import clear_guid, set_guid

from factcheck.cache import FailOpenRedisCache
from factcheck.middleware import DatabaseUnavailableMiddleware
from tests.api.conftest import key_with
from tests.factories import UserFactory


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def axes_on():
    with override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3):
        yield


def login(client, password: str, address: str = "203.0.113.9"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "night-editor", "password": password},
        REMOTE_ADDR=address,
    )


@pytest.mark.django_db
def test_admin_login_locks_out_after_repeated_failures_even_with_the_right_password(
    client, axes_on
):
    UserFactory(username="night-editor", password="right-password-123", is_superuser=True)

    failures = [login(client, f"guess-{n}").status_code for n in range(3)]
    locked = login(client, "right-password-123")

    assert failures[:2] == [200, 200]
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_lockout_holds_one_username_at_one_address_only(client, axes_on):
    UserFactory(username="night-editor", password="right-password-123", is_staff=True)
    for n in range(3):
        login(client, f"guess-{n}")

    elsewhere = login(client, "right-password-123", address="198.51.100.20")

    assert elsewhere.status_code == 302
    assert elsewhere["Location"] == "/admin/"


def anonymous_reads(client, forwarded_for: list[str], **extra) -> list[int]:
    return [
        client.get(
            "/api/v1/verdicts/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=xff, **extra
        ).status_code
        for xff in forwarded_for
    ]


def throttled(num_proxies: int):
    return settings_override(
        NUM_PROXIES=num_proxies,
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "key": "3/min", "staff": "3/min"},
        },
    )


@pytest.fixture(autouse=True)
def empty_throttles():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.mark.django_db
def test_behind_one_proxy_each_real_client_address_has_its_own_allowance(client):
    with throttled(num_proxies=1):
        first = anonymous_reads(client, ["198.51.100.7"] * 4)
        # A client cannot pose as another by prepending addresses: the proxy's entry counts.
        spoofed = anonymous_reads(client, ["10.9.9.9, 198.51.100.7"])
        other = anonymous_reads(client, ["198.51.100.8"])

    assert first == [200, 200, 200, 429]
    assert spoofed == [429]
    assert other == [200]


@pytest.mark.django_db
def test_without_proxies_a_forged_forwarded_for_header_does_not_escape_the_throttle(client):
    with throttled(num_proxies=0):
        statuses = anonymous_reads(client, [f"198.51.100.{n}" for n in range(4)])

    assert statuses == [200, 200, 200, 429]


@pytest.mark.django_db
def test_a_body_over_the_limit_is_a_413_json_error_on_the_api(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    key = key_with("ingest", name="cms")
    body = json.dumps({"title": "Long", "body": "The council spent 4.2 million. " * 1000})

    response = client.post(
        "/api/v1/articles/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    message = response.json()["error"]["message"]
    assert "at most 10,000 bytes" in message
    assert "DJANGO_" not in message


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/api/v1/verdicts/", "application/json"), ("/articles/x/", "text/plain; charset=utf-8")],
)
def test_a_lost_database_connection_is_a_503_with_retry_after(path, content_type):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get(path)

    response = middleware.process_exception(request, OperationalError("connection refused"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == content_type


def test_other_errors_are_left_to_the_500_handler():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)

    assert middleware.process_exception(RequestFactory().get("/"), ValueError("bug")) is None


def test_the_throttle_cache_fails_open_while_redis_is_down(caplog):
    cache = FailOpenRedisCache(
        f"redis://127.0.0.1:{closed_port()}/1",
        {"OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
    )

    assert cache.get("throttle_anon_127.0.0.1", []) == []
    cache.set("throttle_anon_127.0.0.1", [1.0], 60)
    assert "cache unreachable" in caplog.text


@pytest.mark.django_db
def test_the_request_id_is_echoed_in_the_response(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="cms-7f3a")

    assert response["X-Request-ID"] == "cms-7f3a"


def test_the_request_id_goes_into_json_logs_and_the_headers_of_scheduled_tasks():
    from django_guid.integrations.celery.signals import publish_task_from_worker_or_request

    console = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    as_json = logging.config.dictConfigClass({}).configure_formatter(
        dict(settings.LOGGING["formatters"]["json"])
    )
    set_guid("cms-7f3a")
    try:
        record = logging.LogRecord("claims", logging.INFO, __file__, 1, "fetched", (), None)
        console.filter(record)
        line = json.loads(as_json.format(record))
        headers: dict = {}
        publish_task_from_worker_or_request(headers=headers)
    finally:
        clear_guid()

    assert line["request_id"] == "cms-7f3a"
    assert headers["X-Request-ID"] == "cms-7f3a"


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client):
    response = client.get("/healthz")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["x" * 129, "two words", "line\\nbreak", '"quoted"', "<script>", "naïve-id", "-leading-dash"],
)
def test_a_request_id_that_is_not_a_short_token_is_replaced(client, given):
    given = given.replace("\\n", "\n")

    response = client.get("/healthz", HTTP_X_REQUEST_ID=given)

    assert response["X-Request-ID"] != given
    assert len(response["X-Request-ID"]) == 32
    int(response["X-Request-ID"], 16)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given", ["0f8fad5b-d9cb-469f-a165-70867728950e", "a" * 128, "Root=1-67891233-abc"]
)
def test_a_request_id_that_is_a_short_token_is_kept(client, given):
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
