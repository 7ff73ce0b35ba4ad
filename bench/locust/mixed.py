"""Mixed newsroom traffic for locust: readers, syncing API clients, a CMS and the desk at work."""

import itertools
import json
import os
import random
import uuid

from locust import HttpUser, between, constant_pacing, task

CONFIG = json.loads(open(os.environ["LOAD_CONFIG"]).read())  # noqa: SIM115
CSRF = "S" * 16 + "y" * 16
DRAFT = {
    "rating": "false",
    "summary": "The council spent 2.1 million dollars, not 4 million.",
    "short_claim": "The council spent 4 million dollars on the bridge",
    "explanation": "The council's 2023 accounts list the bridge at 2.1 million dollars.",
}
_desk_seats = itertools.count()


class Reader(HttpUser):
    """An anonymous reader opening annotated articles and verdict pages."""

    weight = 10
    wait_time = between(1, 3)

    @task(3)
    def article(self):
        slug = random.choice(CONFIG["slugs"])
        self.client.get(f"/articles/{slug}/", name="/articles/[slug]/")

    @task(1)
    def verdict(self):
        verdicts = self.client.get("/api/v1/verdicts/", name="/api/v1/verdicts/ (anonymous)")
        results = verdicts.json().get("results", []) if verdicts.ok else []
        if results:
            self.client.get(f"/verdicts/{random.choice(results)['id']}/", name="/verdicts/[id]/")


class SyncClient(HttpUser):
    """A partner newsroom's API client: page through every verdict, then poll for changes."""

    weight = 6
    wait_time = between(1, 3)

    def on_start(self):
        key = random.choice(CONFIG["read_keys"])
        self.client.headers["Authorization"] = f"Api-Key {key}"
        self.resume = None

    @task
    def sync(self):
        url = self.resume or "/api/v1/verdicts/?page_size=50"
        for _page in range(20):
            response = self.client.get(url, name="/api/v1/verdicts/ (sync)")
            body = response.json()
            if not body.get("next"):
                self.resume = body.get("resume") or self.resume
                return
            url = body["next"]


class Cms(HttpUser):
    """The newsroom's CMS, sending a new piece every few seconds."""

    fixed_count = 1
    wait_time = constant_pacing(3)

    def on_start(self):
        self.client.headers["Authorization"] = f"Api-Key {CONFIG['ingest_key']}"

    @task
    def ingest(self):
        tag = uuid.uuid4().hex[:10]
        links = [f"{CONFIG['origin']}/report?piece={tag}&link={n}" for n in range(2)]
        body = "\n".join(
            f"<p>The council spent {4 + n}.2 million dollars on bridge {tag}-{n} in 2023, "
            f'according to <a href="{url}">the audit</a>.</p>'
            for n, url in enumerate(links)
        )
        self.client.post(
            "/api/v1/articles/",
            json={"title": f"Bridge spending {tag}", "body": body, "format": "html"},
            name="/api/v1/articles/ (ingest)",
        )


class DeskPair(HttpUser):
    """A fact-checker and an editor taking new tickets through to publication.

    Each pair works only on claims whose id falls in its own share, as a desk splits its
    queue, so pairs never race each other for one ticket.
    """

    fixed_count = 4
    wait_time = between(1, 2)

    def on_start(self):
        seat = next(_desk_seats) % self.fixed_count
        self.seat = seat
        self.fact_checker = CONFIG["fact_checkers"][seat]
        self.editor = CONFIG["editors"][seat]
        self.client.headers["X-CSRFToken"] = CSRF

    def _as(self, person: dict) -> dict:
        return {"sessionid": person["session"], "csrftoken": CSRF}

    def _act(self, claim_id: int, person: dict, action: str, version: int, **fields) -> int:
        response = self.client.post(
            f"/api/v1/claims/{claim_id}/transitions/",
            json={"action": action, "expected_version": version, **fields},
            cookies=self._as(person),
            name=f"/api/v1/claims/[id]/transitions/ ({action})",
        )
        return response.json()["ticket"]["version"] if response.ok else -1

    @task
    def move_a_ticket(self):
        listing = self.client.get(
            "/api/v1/claims/?stage=new&page_size=50",
            cookies=self._as(self.fact_checker),
            name="/api/v1/claims/?stage=new",
        )
        mine = [
            claim
            for claim in (listing.json().get("results", []) if listing.ok else [])
            if claim["id"] % self.fixed_count == self.seat
        ]
        if not mine:
            return
        claim = mine[0]
        version = claim["ticket"]["version"]
        for person, action, fields in [
            (self.fact_checker, "queue", {}),
            (self.fact_checker, "take", {}),
            (self.fact_checker, "save_draft", DRAFT),
            (self.fact_checker, "submit", {}),
            (self.editor, "vote", {"approve": True}),
            (self.editor, "publish", {}),
        ]:
            version = self._act(claim["id"], person, action, version, **fields)
            if version < 0:
                return
