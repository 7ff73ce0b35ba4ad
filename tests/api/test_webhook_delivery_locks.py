"""A slow subscriber holds up nothing: no transaction spans the POST, no lock but the delivery's."""

import threading

import pytest
from django.db import connection

from reviews import services
from reviews.models import WebhookDelivery, WebhookSubscription
from reviews.services import webhooks
from reviews.tasks import deliver_webhook
from reviews.workflow import Stage
from tests.claims.httpserver import LocalServer, reply
from tests.reviews.factories import new_editor, ticket_in
from tests.system.stack import wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("desk_data")]


@pytest.fixture
def slow_subscriber(settings):
    """A subscriber whose endpoint holds every POST until the test lets it answer."""
    released = threading.Event()
    arrived = []

    def hold(request):
        arrived.append(request.path)
        released.wait(60)
        reply(request, status=204, body=b"")

    local = LocalServer().start()
    local.route("/hook", hold)
    settings.FETCH_ALLOW_PRIVATE_NETWORKS = True
    settings.FETCH_ALLOWED_PORTS = [local.port]
    local.arrived, local.released = arrived, released
    yield local
    released.set()
    local.stop()


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """Leave deliveries queued at commit: the test plays the workers that take them."""
    ids: list[int] = []
    monkeypatch.setattr(webhooks, "enqueue", ids.extend)
    return ids


def send_in_thread(delivery_id: int, results: list) -> threading.Thread:
    def run():
        try:
            results.append(deliver_webhook.apply(kwargs={"delivery_id": delivery_id}).get())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def sessions_in_transaction() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'"
        )
        return [row[0] for row in cursor.fetchall()]


def test_deliveries_to_one_slow_subscriber_go_out_side_by_side_and_publication_never_waits(
    slow_subscriber,
):
    WebhookSubscription.objects.create(
        name="Slow partner", url=slow_subscriber.url("/hook"), events=["verdict.published"]
    )
    editor = new_editor()
    first, second, third = (ticket_in(Stage.APPROVED) for _ in range(3))
    services.verdict_publish(ticket=first, by=editor)
    services.verdict_publish(ticket=second, by=editor)
    one, two = WebhookDelivery.objects.order_by("id").values_list("pk", flat=True)
    results: list = []

    threads = [send_in_thread(one, results)]
    wait_until(lambda: len(slow_subscriber.arrived) == 1, timeout=30, what="the first POST")
    threads.append(send_in_thread(two, results))
    # Today the second delivery found the subscriber's row locked and gave up at once.
    wait_until(lambda: len(slow_subscriber.arrived) == 2, timeout=30, what="the second POST")

    # While both POSTs hang, no database session holds a transaction open ...
    assert sessions_in_transaction() == []
    # ... and a publication that owes the same subscriber a delivery commits without waiting.
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '10s'")
    services.verdict_publish(ticket=third, by=editor)
    assert WebhookDelivery.objects.filter(verdict__ticket=third).count() == 1

    slow_subscriber.released.set()
    for thread in threads:
        thread.join(timeout=60)
    assert results == [True, True]
    states = set(WebhookDelivery.objects.filter(pk__in=[one, two]).values_list("state", "attempts"))
    assert states == {(WebhookDelivery.State.DELIVERED, 1)}


def test_a_second_message_for_a_delivery_in_flight_sends_nothing(
    slow_subscriber,
):
    WebhookSubscription.objects.create(
        name="Slow partner", url=slow_subscriber.url("/hook"), events=["verdict.published"]
    )
    services.verdict_publish(ticket=ticket_in(Stage.APPROVED), by=new_editor())
    delivery = WebhookDelivery.objects.get()
    results: list = []
    thread = send_in_thread(delivery.pk, results)
    wait_until(lambda: len(slow_subscriber.arrived) == 1, timeout=30, what="the POST")

    # The broker hands the same delivery to another worker (a redelivery, the sweeper).
    assert deliver_webhook.apply(kwargs={"delivery_id": delivery.pk}).get() is False

    slow_subscriber.released.set()
    thread.join(timeout=60)
    assert results == [True]
    assert len(slow_subscriber.arrived) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (WebhookDelivery.State.DELIVERED, 1)
    assert delivery.attempts_made.count() == 1
