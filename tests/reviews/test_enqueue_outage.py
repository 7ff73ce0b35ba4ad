"""With the broker down, a request owing many e-mails or webhooks tries twice, not per row."""

import pytest

from reviews.services import notifications, webhooks
from reviews.tasks import deliver_webhook, send_notification


class BrokerDown:
    """Stand in for `.delay` while the broker is unreachable; count the attempts."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **kwargs) -> None:
        self.calls += 1
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.parametrize(
    ("module", "task"),
    [(notifications, send_notification), (webhooks, deliver_webhook)],
    ids=["notifications", "webhooks"],
)
def test_a_broker_outage_costs_two_publish_attempts_per_batch_not_one_per_row(
    monkeypatch, settings, caplog, module, task
):
    # A broker that can be down is a configured broker: tasks are not run in-process.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    down = BrokerDown()
    monkeypatch.setattr(task, "delay", down)

    module.enqueue(list(range(1, 51)))

    assert down.calls == 2  # the batch tried twice, not once per row
    assert "50" in caplog.text and "stay pending" in caplog.text


def test_notifications_are_all_queued_when_the_broker_answers(monkeypatch):
    queued = []
    monkeypatch.setattr(send_notification, "delay", lambda **kwargs: queued.append(kwargs))

    notifications.enqueue([1, 2, 3])

    assert queued == [{"notification_id": 1}, {"notification_id": 2}, {"notification_id": 3}]
