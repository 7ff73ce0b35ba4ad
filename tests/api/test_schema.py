"""The OpenAPI schema describes the API truthfully: schemathesis finds no 5xx and no mismatch."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from reviews.workflow import Stage
from tests.api.conftest import key_with
from tests.api.verdicts import published_verdict
from tests.reviews.factories import ticket_in


@pytest.fixture
def api_schema(db, settings):
    """Load /api/schema/ from the WSGI app, over a desk with public and hidden verdicts."""
    # Hundreds of requests from one address: the rate limit is tested on its own.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "key": None, "staff": None},
    }
    published_verdict()
    published_verdict(stage=Stage.RETRACTED)
    ticket_in(Stage.IN_REVIEW)
    # Called as a real WSGI app, Django would close the test's connection (and its transaction)
    # at each request's start and end; Django's own test client holds these back the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def read_key_header(db) -> dict[str, str]:
    return {"Authorization": f"Api-Key {key_with('read')}"}


# A schema-valid request may still be refused: a cursor is opaque (only one the API handed out
# works) and a workflow action depends on the ticket's stage. Every other check runs.
EXCLUDED = [positive_data_acceptance]
SETTINGS = hypothesis_settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_every_operation(schema, headers: dict[str, str]) -> list[str]:
    """Run generated requests against each operation; return the operations checked."""
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @SETTINGS
        def check(case):
            response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
            assert response.status_code < 500

        check()
        checked.append(f"{operation.method.upper()} {operation.path}")
    return checked


# schemathesis's own pytest plugin (schema.parametrize) does not run under pytest 9 yet, so the
# operations are walked here, each with its own bounded Hypothesis run.
def test_every_operation_answers_an_anonymous_client_within_its_schema(api_schema):
    checked = check_every_operation(api_schema, {})

    assert "GET /api/v1/verdicts/" in checked
    assert len(checked) >= 9


def test_every_operation_answers_a_key_holder_within_its_schema(api_schema, read_key_header):
    checked = check_every_operation(api_schema, read_key_header)

    assert "GET /api/v1/verdicts/{id}/claimreview/" in checked


def test_the_schema_lists_the_verdict_endpoints_and_the_key_scheme(client, db):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/verdicts/" in document["paths"]
    assert document["components"]["securitySchemes"]["ApiKey"]["in"] == "header"


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_only_from_this_site(client, db, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert "fonts.googleapis" not in html
    assert "<script>" not in html  # the CSP allows no inline script
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy


def test_only_redoc_may_add_inline_styles(client, db):
    assert "'unsafe-inline'" in client.get("/api/redoc/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in client.get("/api/docs/")["Content-Security-Policy"]


def test_swagger_uis_start_up_script_is_served_as_its_own_request(client, db):
    response = client.get("/api/docs/", {"script": ""})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")


def test_the_schema_documents_a_verdicts_attachments(client, db):
    schemas = client.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    verdict = schemas["Verdict"]
    assert "attachments" in verdict["required"]
    assert verdict["properties"]["attachments"]["type"] == "array"
    attachment = schemas["Attachment"]
    assert set(attachment["required"]) == {"url", "caption", "content_type", "size"}
    assert attachment["properties"]["url"]["format"] == "uri"
    assert attachment["properties"]["size"]["type"] == "integer"
