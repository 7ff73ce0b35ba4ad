"""Talk to the running stack as its clients do: the CMS, API clients and the desk's people."""

from __future__ import annotations

import html
import itertools
import uuid

import httpx

# Any 32 letters: Django compares the CSRF cookie with the header, and both are ours.
CSRF = "S" * 16 + "y" * 16
_pieces = itertools.count()


def desk_client(base_url: str, session: str, **kwargs) -> httpx.Client:
    """Return a client logged in with `session`, sending the CSRF token the API asks for."""
    return httpx.Client(
        base_url=base_url,
        cookies={"sessionid": session, "csrftoken": CSRF},
        headers={"X-CSRFToken": CSRF},
        timeout=kwargs.pop("timeout", 30),
        **kwargs,
    )


def key_client(base_url: str, key: str, **kwargs) -> httpx.Client:
    """Return a client authenticating with an API key."""
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Api-Key {key}"},
        timeout=kwargs.pop("timeout", 30),
        **kwargs,
    )


def piece(urls: list[str], *, tag: str = "") -> dict:
    """Return an ingestion payload: a new HTML piece whose claims cite each of `urls`."""
    n = next(_pieces)
    tag = tag or uuid.uuid4().hex[:8]
    paragraphs = [
        f"<p>The council spent {4 + i}.2 million dollars on bridge {tag}-{n}-{i} in 2023, "
        f'according to <a href="{html.escape(url)}">the audit</a>.</p>'
        for i, url in enumerate(urls)
    ]
    paragraphs.append(f"<p>It feels wasteful, says reader {tag}-{n}.</p>")
    return {"title": f"Bridge spending {tag}-{n}", "body": "\n".join(paragraphs), "format": "html"}


def ingest(client: httpx.Client, payload: dict, **headers: str) -> httpx.Response:
    return client.post("/api/v1/articles/", json=payload, headers=headers)


def transition(client: httpx.Client, claim_id: int, action: str, **fields) -> httpx.Response:
    """Take a workflow action on a claim's ticket, at the version the desk shows now."""
    if "expected_version" not in fields:
        fields["expected_version"] = ticket(client, claim_id)["version"]
    return client.post(f"/api/v1/claims/{claim_id}/transitions/", json={"action": action, **fields})


def ticket(client: httpx.Client, claim_id: int) -> dict:
    response = client.get(f"/api/v1/claims/{claim_id}/")
    response.raise_for_status()
    return response.json()["ticket"]


def drive(client: httpx.Client, claim_id: int, *steps: tuple[str, dict]) -> dict:
    """Run each (action, fields) step in turn; fail on the first refusal; return the claim."""
    body = {}
    for action, fields in steps:
        response = transition(client, claim_id, action, **fields)
        assert response.status_code == 200, (action, response.status_code, response.text)
        body = response.json()
    return body


DRAFT = {
    "rating": "false",
    "summary": "The council spent 2.1 million dollars, not 4 million.",
    "short_claim": "The council spent 4 million dollars on the bridge",
    "explanation": "The council's 2023 accounts list the bridge at 2.1 million dollars.",
}
TO_REVIEW = [("queue", {}), ("take", {}), ("save_draft", DRAFT), ("submit", {})]
