"""/healthz reports the database and the broker without leaking settings."""

import socket
import threading

import pytest
from django.db import connection
from django.test import override_settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_healthz_is_ok_when_everything_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"] in {"ok", "in-process"}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down_and_does_not_hang(client):
    port = closed_port()
    outcome = {}

    def probe():
        try:
            outcome["r"] = client.get("/healthz")
        finally:
            connection.close()

    with override_settings(
        CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0"
    ):
        # Run in a thread so that a hang fails the test instead of stalling the suite.
        worker = threading.Thread(target=probe)
        worker.start()
        worker.join(timeout=30)
    assert "r" in outcome, "/healthz did not answer while the broker was down"
    response = outcome["r"]
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "down"},
    }
    assert str(port) not in response.content.decode()


@pytest.mark.django_db
def test_healthz_never_shows_connection_strings(client, settings):
    body = client.get("/healthz").content.decode()
    assert settings.SECRET_KEY not in body
    assert "redis://" not in body and "postgres" not in body and "sqlite" not in body
