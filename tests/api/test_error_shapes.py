"""Every answer under /api/ is the documented JSON error shape: unknown routes, bad ids, 500s."""

import json

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from reviews.workflow import Stage
from tests.api.conftest import key_with
from tests.api.verdicts import published_verdict
from tests.reviews.factories import new_fact_checker, ticket_in

pytestmark = pytest.mark.django_db


def assert_api_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["status"] == status
    assert error["code"]
    assert error["message"]
    return error


@pytest.mark.parametrize(
    "path", ["/api/v2/verdicts/", "/api/v1/nothing-here/", "/api/v1/verdicts/1/extra/", "/api/x"]
)
def test_an_unknown_api_route_is_a_json_404(client, path):
    error = assert_api_error(client.get(path), 404)

    assert error["code"] == "not_found"


def test_an_unknown_page_outside_the_api_is_still_the_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "Page not found" in response.content.decode()


def test_an_unexpected_error_in_the_api_is_a_json_500(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    # Every list request sums up its page (the page's own reads are compiled once per process).
    monkeypatch.setattr("reviews.api.views.fingerprint_of", broken)
    client = Client(raise_request_exception=False)

    error = assert_api_error(client.get("/api/v1/verdicts/"), 500)

    assert "a bug" not in json.dumps(error)


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_is_a_400_in_the_api_error_shape(client, depth):
    key = key_with("ingest", name="cms")
    body = "[" * depth + "]" * depth

    response = client.post(
        "/api/v1/articles/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {key}",
    )

    error = assert_api_error(response, 400)
    assert "nested too deeply" in error["message"]


def test_deeply_nested_json_to_a_workflow_endpoint_is_a_400(admin_client):
    claim_id = ticket_in(Stage.NEW).claim_id
    body = '{"action": ' + "[" * 5_000 + "]" * 5_000 + "}"

    response = admin_client.post(
        f"/api/v1/claims/{claim_id}/transitions/", body, content_type="application/json"
    )

    assert_api_error(response, 400)


@pytest.mark.parametrize("raw", ["%C2%B2", "%D9%A1", "%DB%B1", "1%D9%A1", "%EF%BC%91"])
@pytest.mark.parametrize(
    "template", ["/api/v1/verdicts/{}/", "/api/v1/verdicts/{}/claimreview/", "/api/v1/claims/{}/"]
)
def test_an_id_in_non_ascii_digits_is_a_json_404_never_another_verdict(client, raw, template):
    # Verdict 1 exists: int() reads the Arabic-Indic "١" as 1, which must not serve it.
    published_verdict()

    assert_api_error(client.get(template.format(raw)), 404)


def test_a_page_size_in_non_ascii_digits_is_a_400(client):
    error = assert_api_error(client.get("/api/v1/verdicts/?page_size=%C2%B2"), 400)

    assert "page_size" in error["fields"]


@pytest.mark.parametrize(
    "path",
    ["/verdicts/%D9%A1/", "/archive/%D9%A1/", "/admin/reviews/ticket/%D9%A1/change/"],
)
def test_pages_and_desk_screens_refuse_non_ascii_digit_ids(admin_client, path):
    published_verdict()

    assert admin_client.get(path).status_code == 404


@given(st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=4))
def test_no_unicode_digit_id_is_ever_a_5xx(raw):
    response = Client(raise_request_exception=False).get(f"/api/v1/verdicts/{raw}/")

    assert response.status_code < 500


def test_property_based_tests_run_with_a_fixed_seed_by_default():
    from hypothesis import settings as hypothesis_settings

    assert hypothesis_settings.get_profile("default").derandomize
    assert not hypothesis_settings.get_profile("random").derandomize


@pytest.mark.parametrize("raw", ["abc", "%C2%B2", "%D9%A1", "0", "-1", "201", str(2**70), "5.0"])
@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/claims/?page_size={}", "page_size"),
        ("/api/v1/verdicts/?page_size={}", "page_size"),
        ("/api/v1/verdicts/similar/?text=the+bridge+cost&top={}", "top"),
    ],
)
def test_a_bad_number_in_the_query_is_a_400_naming_it(raw, path, name):
    client = Client()
    client.force_login(new_fact_checker())

    error = assert_api_error(client.get(path.format(raw)), 400)

    assert name in error["fields"]


@pytest.mark.parametrize("query", ["top=%C2%B2", "top=5", "limit=3"])
def test_a_parameter_the_claim_matches_do_not_read_is_a_400_naming_it(query):
    claim = ticket_in(Stage.NEW).claim
    client = Client()
    client.force_login(new_fact_checker())

    error = assert_api_error(client.get(f"/api/v1/claims/{claim.pk}/matches/?{query}"), 400)

    assert query.split("=")[0] in error["fields"]


def test_a_parameter_the_desk_list_does_not_read_is_a_400_naming_it():
    client = Client()
    client.force_login(new_fact_checker())

    error = assert_api_error(client.get("/api/v1/claims/?limit=3"), 400)

    assert "limit" in error["fields"]


def test_a_page_size_in_range_still_pages_the_desk_list():
    ticket_in(Stage.NEW), ticket_in(Stage.NEW)
    client = Client()
    client.force_login(new_fact_checker())

    response = client.get("/api/v1/claims/?page_size=1")

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert response.json()["next"]
