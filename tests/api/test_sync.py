"""A client syncing by cursor ends with exactly the server's published set, changes included."""

import random
import threading
import time

import pytest
from django.db import connection

from reviews import services
from reviews.models import Verdict
from reviews.services import webhooks
from reviews.workflow import Stage
from tests.api.conftest import client_as
from tests.api.verdicts import published_verdict
from tests.reviews.factories import new_editor, rating, ticket_in

LIST = "/api/v1/verdicts/"


class Replica:
    """What a syncing client keeps: the latest version of every verdict it was sent."""

    def __init__(self, client, page_size: int = 3):
        self.client = client
        self.url = f"{LIST}?page_size={page_size}"
        self.rows: dict[int, dict] = {}
        self.pages = 0

    def pull(self) -> None:
        """Follow next until the end, then keep the resume link for the next poll."""
        url = self.url
        while url:
            response = self.client.get(url)
            assert response.status_code == 200, response.content
            body = response.json()
            self.pages += 1
            for row in body["results"]:
                self.rows[row["id"]] = row
            url, self.url = body["next"], body["resume"]

    def state(self) -> dict[int, tuple]:
        return {pk: (r["updated_at"], r["revision"], r["retracted"]) for pk, r in self.rows.items()}


def server_state() -> dict[int, tuple]:
    """Return the published set as one unpaged read of the API shows it."""
    rows = client_as("anonymous").get(LIST, {"page_size": 200}).json()["results"]
    return {r["id"]: (r["updated_at"], r["revision"], r["retracted"]) for r in rows}


def publish(ticket, editor):
    return services.verdict_publish(ticket=ticket, by=editor)


def correct(ticket, editor, editor2):
    services.correction_open(ticket=ticket, by=editor, note="A reader wrote in.")
    services.verdict_save_draft(
        ticket=ticket,
        by=ticket.assignee,
        rating=rating("mostly-false"),
        summary=f"Corrected at {time.monotonic()}.",
        short_claim="Council spent 4 million dollars on the bridge",
        explanation="The second payment changes the total.",
    )
    services.verdict_submit(ticket=ticket, by=ticket.assignee)
    services.vote_cast(ticket=ticket, by=editor2, approve=True)
    services.verdict_publish(ticket=ticket, by=editor, correction_note="We missed a payment.")


def retract(ticket, editor):
    services.verdict_retract(ticket=ticket, by=editor, reason="The documents were forged.")


@pytest.mark.django_db
def test_pages_cover_every_verdict_once_and_resume_brings_only_what_changed():
    made = [published_verdict(evidence=False) for _ in range(7)]
    replica = Replica(client_as("read key"))

    replica.pull()

    assert sorted(replica.rows) == sorted(v.pk for v in made)
    assert replica.pages == 3
    editor = new_editor()
    newcomer = ticket_in(Stage.APPROVED)
    publish(newcomer, editor)
    resumed = replica.client.get(replica.url).json()
    assert [row["id"] for row in resumed["results"]] == [newcomer.verdict.pk]
    assert resumed["next"] is None


@pytest.mark.django_db
def test_a_client_that_pulls_between_every_change_ends_with_the_servers_set():
    editor, editor2 = new_editor(), new_editor()
    published = [ticket_in(Stage.PUBLISHED) for _ in range(4)]
    approved = [ticket_in(Stage.APPROVED) for _ in range(4)]
    replica = Replica(client_as("anonymous"), page_size=2)
    replica.pull()
    changes = [
        lambda: publish(approved[0], editor),
        lambda: correct(published[0], editor, editor2),
        lambda: retract(published[1], editor),
        lambda: publish(approved[1], editor),
        lambda: correct(approved[0], editor, editor2),
        lambda: retract(approved[1], editor),
        lambda: publish(approved[2], editor),
    ]

    for change in changes:
        change()
        replica.pull()

    assert replica.state() == server_state()
    assert sum(row["retracted"] for row in replica.rows.values()) == 2


def test_the_same_timestamp_on_two_verdicts_splits_across_pages_without_loss(db):
    made = [published_verdict(evidence=False) for _ in range(5)]
    Verdict.objects.filter(pk__in=[v.pk for v in made]).update(updated_at=made[0].updated_at)
    replica = Replica(client_as("anonymous"), page_size=2)

    replica.pull()

    assert sorted(replica.rows) == sorted(v.pk for v in made)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_polling_client_misses_nothing_while_the_desk_publishes_corrects_and_retracts(
    desk_data, monkeypatch
):
    # Hold each change's transaction open a while after it stamps the verdict, as a busy
    # database would: without the services' ordering, a later change could commit first.
    original = webhooks.deliveries_create
    jitter = random.Random(5)

    def slow_deliveries(**kwargs):
        # Half the changes linger: a quick one often starts after and commits before them.
        time.sleep(0.08 if jitter.random() < 0.5 else 0)
        return original(**kwargs)

    monkeypatch.setattr(webhooks, "deliveries_create", slow_deliveries)
    editor, editor2 = new_editor(), new_editor()
    published = [ticket_in(Stage.PUBLISHED) for _ in range(6)]
    approved = [ticket_in(Stage.APPROVED) for _ in range(10)]
    plans = []
    for half, seed in ((slice(0, 3), 6), (slice(3, 6), 7)):
        mine = approved[half.start * 5 // 3 : half.stop * 5 // 3]
        plan = [(publish, t, (editor,)) for t in mine]
        plan += [(correct, t, (editor, editor2)) for t in published[half][:2]]
        plan += [(retract, t, (editor,)) for t in published[half][2:]]
        random.Random(seed).shuffle(plan)
        # Retracting needs a publication first: these come once the half is published.
        plans.append(plan + [(retract, t, (editor,)) for t in mine[:2]])
    errors: list[BaseException] = []

    def desk_at_work(plan):
        try:
            for action, ticket, people in plan:
                action(ticket, *people)
                time.sleep(random.random() / 100)
        except BaseException as error:  # Reported by the test, not lost in the thread.
            errors.append(error)
        finally:
            connection.close()

    # Two editors' sessions at once: their changes commit in an order of their own.
    workers = [threading.Thread(target=desk_at_work, args=(plan,)) for plan in plans]
    replica = Replica(client_as("read key"), page_size=4)
    for worker in workers:
        worker.start()
    while any(worker.is_alive() for worker in workers):
        replica.pull()
    for worker in workers:
        worker.join()
    replica.pull()

    assert errors == []
    assert replica.state() == server_state()
    assert len(replica.rows) == 16
