"""The README's verification snippet, run as a subscriber runs it, against real deliveries."""

import json
import re
import time

import pytest

from reviews import services
from reviews.models import WebhookSubscription
from reviews.services import webhooks
from reviews.workflow import Stage
from tests.claims.httpserver import LocalServer, reply
from tests.reviews.factories import new_editor, ticket_in
from tests.services import REPO

pytestmark = pytest.mark.django_db


def readme_snippet():
    """Return `verify_delivery` as the README publishes it (the code block that defines it)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (code,) = [
        block
        for block in re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
        if "def verify_delivery(" in block
    ]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace["verify_delivery"]


@pytest.fixture
def delivery(settings, django_capture_on_commit_callbacks):
    """Publish a verdict to a loopback subscriber; return its secret and what it received."""
    local = LocalServer().start()
    local.route("/hook", lambda request: reply(request, status=204, body=b""))
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [local.port]
    subscription = WebhookSubscription.objects.create(
        name="Partner", url=local.url("/hook"), events=["verdict.published"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_publish(ticket=ticket_in(Stage.APPROVED), by=new_editor())
    local.stop()
    (request,) = local.received
    return subscription.secret, request


def test_the_readme_snippet_accepts_a_real_delivery_once_and_refuses_its_replay(delivery):
    verify = readme_snippet()
    secret, request = delivery
    header = request.headers["x-desk-signature"]
    seen: set[str] = set()

    accepted = verify(secret, header, request.body, seen)

    assert accepted is not None
    assert accepted["id"] == request.headers["x-desk-delivery"]
    # Replayed with a fresh X-Desk-Delivery: the signed body id still says it is a repeat.
    assert verify(secret, header, request.body, seen) is None
    assert verify("whsec_wrong", header, request.body, set()) is None
    assert verify(secret, header, request.body.replace(b'"event"', b'"evenT"'), set()) is None


@pytest.mark.parametrize(
    ("mangle", "valid"),
    [
        # Extra parts a later scheme may add, in any order, with spaces: still valid.
        (lambda t, v1: f"t={t},v0=deadbeef,v1={v1}", True),
        (lambda t, v1: f"v0=deadbeef, v1={v1} , t={t}", True),
        # Several v1 (secret rotation): valid when any one matches.
        (lambda t, v1: f"t={t},v1={'0' * 64},v1={v1}", True),
        # Non-ASCII look-alikes: Arabic-Indic digits for t (int() would accept them) ...
        (lambda t, v1: "t=" + "".join(chr(0x660 + int(d)) for d in t) + f",v1={v1}", False),
        # ... a v1 with a non-ASCII character (compare_digest on str would raise) ...
        (lambda t, v1: f"t={t},v1={v1[:-1]}é", False),
        # ... and headers with no t, two t, no v1, or nothing usable at all.
        (lambda t, v1: f"v1={v1}", False),
        (lambda t, v1: f"t={t},t={t},v1={v1}", False),
        (lambda t, v1: f"t={t},v0={v1}", False),
        (lambda t, v1: "garbage\u2028\x00,=,==", False),
        (lambda t, v1: f"t={int(t) - 301},v1={v1}", False),
    ],
)
def test_the_readme_snippet_parses_the_header_robustly(delivery, mangle, valid):
    verify = readme_snippet()
    secret, request = delivery
    parts = dict(part.split("=", 1) for part in request.headers["x-desk-signature"].split(","))
    header = mangle(parts["t"], parts["v1"])
    if header.startswith(f"t={int(parts['t']) - 301},"):
        # The stale case carries a signature that is right for its own time.
        stale = str(int(parts["t"]) - 301)
        header = webhooks.sign(secret, request.body, timestamp=int(stale))

    assert (verify(secret, header, request.body, set()) is not None) is valid
    assert webhooks.signature_valid(secret, header, request.body) is valid


def test_the_body_id_is_what_the_signature_covers(delivery):
    secret, request = delivery
    body = json.loads(request.body)
    forged = json.dumps({**body, "id": "00000000-0000-0000-0000-000000000000"}).encode()
    header = request.headers["x-desk-signature"]

    assert webhooks.signature_valid(secret, header, request.body)
    assert not webhooks.signature_valid(secret, header, forged)
    assert int(dict(p.split("=", 1) for p in header.split(","))["t"]) <= time.time() + 1
