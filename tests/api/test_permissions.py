"""Who may do what: anonymous, a read key, an ingest key, a fact-checker, an editor, everywhere."""

import pytest

from reviews.models import ClientKey
from reviews.workflow import Stage
from tests.api.conftest import ROLES, client_as
from tests.api.verdicts import published_verdict
from tests.reviews.factories import ticket_in

pytestmark = pytest.mark.django_db

PIECE = "The council spent 4.2 million dollars on the bridge in 2023. It feels wasteful."


def statuses(anonymous, read, ingest, checker, editor) -> dict[str, int]:
    return dict(zip(ROLES, [anonymous, read, ingest, checker, editor], strict=True))


READ = statuses(200, 200, 200, 200, 200)
READ_BY_KEY = statuses(401, 200, 403, 200, 200)
READ_ONLY = statuses(405, 405, 405, 405, 405)
READ_ONLY_BY_KEY = statuses(401, 405, 403, 405, 405)
STAFF = statuses(401, 403, 403, 200, 200)
STAFF_ONLY = statuses(401, 403, 403, 405, 405)

# (method, route, body) → expected status per role, with public reading on and off.
MATRIX = [
    ("get", "/api/v1/verdicts/", None, READ, READ_BY_KEY),
    ("get", "/api/v1/verdicts/{verdict}/", None, READ, READ_BY_KEY),
    ("get", "/api/v1/verdicts/{verdict}/claimreview/", None, READ, READ_BY_KEY),
    ("post", "/api/v1/verdicts/", {}, READ_ONLY, READ_ONLY_BY_KEY),
    ("put", "/api/v1/verdicts/{verdict}/", {}, READ_ONLY, READ_ONLY_BY_KEY),
    ("patch", "/api/v1/verdicts/{verdict}/", {}, READ_ONLY, READ_ONLY_BY_KEY),
    ("delete", "/api/v1/verdicts/{verdict}/", None, READ_ONLY, READ_ONLY_BY_KEY),
    ("post", "/api/v1/verdicts/{verdict}/claimreview/", {}, READ_ONLY, READ_ONLY_BY_KEY),
    ("get", "/api/v1/articles/{article}/claimreview/", None, READ, READ_BY_KEY),
    ("delete", "/api/v1/articles/{article}/claimreview/", None, READ_ONLY, READ_ONLY_BY_KEY),
    (
        "post",
        "/api/v1/articles/",
        {"title": "Bridge", "body": PIECE},
        *[statuses(401, 403, 201, 201, 201)] * 2,
    ),
    ("get", "/api/v1/articles/", None, READ_ONLY, READ_ONLY_BY_KEY),
    ("get", "/api/v1/claims/", None, STAFF, STAFF),
    ("get", "/api/v1/claims/{claim}/", None, STAFF, STAFF),
    ("post", "/api/v1/claims/", {}, STAFF_ONLY, STAFF_ONLY),
    ("delete", "/api/v1/claims/{claim}/", None, STAFF_ONLY, STAFF_ONLY),
    (
        "post",
        "/api/v1/claims/{claim}/transitions/",
        {"action": "queue", "expected_version": 0},
        STAFF,
        STAFF,
    ),
    (
        "post",
        "/api/v1/claims/{approved}/transitions/",
        {"action": "publish", "expected_version": 0},
        *[statuses(401, 403, 403, 403, 200)] * 2,
    ),
    (
        "post",
        "/api/v1/claims/{claim}/citations/",
        {"url": "https://ledger.example/audit"},
        *[statuses(401, 403, 403, 201, 201)] * 2,
    ),
    ("get", "/api/v1/claims/{claim}/transitions/", None, STAFF_ONLY, STAFF_ONLY),
]


def cases():
    for method, route, body, public, keys_only in MATRIX:
        for public_read, expected in ((True, public), (False, keys_only)):
            for role in ROLES:
                yield pytest.param(
                    method,
                    route,
                    body,
                    public_read,
                    role,
                    expected[role],
                    id=f"{method} {route} {'public' if public_read else 'keys'} {role}",
                )


@pytest.mark.parametrize(
    ("method", "route", "body", "public_read", "role", "expected"), list(cases())
)
def test_permission_matrix(method, route, body, public_read, role, expected, settings):
    settings.API_PUBLIC_READ = public_read
    verdict = published_verdict()
    ids = {
        "verdict": verdict.pk,
        "article": verdict.ticket.claim.article_id,
        "claim": ticket_in(Stage.NEW).claim_id,
        "approved": ticket_in(Stage.APPROVED).claim_id,
    }
    client = client_as(role)

    response = getattr(client, method)(route.format(**ids), body, format="json")

    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert response.json()["error"]["status"] == expected


def test_a_401_says_how_to_authenticate(settings):
    settings.API_PUBLIC_READ = False

    response = client_as("anonymous").get("/api/v1/verdicts/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


@pytest.mark.parametrize(
    "header",
    ["Api-Key nope.nothing", "Api-Key ", "Api-Key revoked"],
)
def test_a_bad_or_revoked_key_is_refused_even_where_anonymous_may_read(header, db):
    key, secret = ClientKey.objects.create_key(name="old", scopes=["read"])
    key.revoked = True
    key.save()
    client = client_as("anonymous")
    header = header.replace("revoked", secret)

    response = client.get("/api/v1/verdicts/", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert "key" in response.json()["error"]["message"].lower()


def test_an_api_key_never_reaches_the_desk_even_with_every_scope(db):
    _key, secret = ClientKey.objects.create_key(name="all", scopes=["read", "ingest"])
    client = client_as("anonymous")
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {secret}")

    assert client.get("/api/v1/claims/").status_code == 403


def test_keys_are_stored_hashed(db):
    key, secret = ClientKey.objects.create_key(name="cms", scopes=["ingest"])

    assert secret not in key.hashed_key and secret not in key.id
    assert key.hashed_key.startswith("sha512$$")
