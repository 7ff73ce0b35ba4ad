"""Configure the Celery app: settings under the CELERY namespace, tasks autodiscovered per app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")

# The task class lets `factcheck.queueing.together()` send many messages in one publish.
app = Celery("factcheck", task_cls="factcheck.queueing:Task")
app.config_from_object("django.conf:settings", namespace="CELERY")

# Longer than any task's hard time limit, so Redis never hands a running task to a second worker.
VISIBILITY_TIMEOUT = int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))

app.conf.update(
    # Acknowledge a message only after the task finished, so a crash mid-task redelivers it.
    task_acks_late=True,
    # A worker killed by the OS (OOM, SIGKILL) counts as lost: its message goes back to the queue.
    task_reject_on_worker_lost=True,
    # Reserve one message at a time: a dying worker strands at most the task it was running.
    worker_prefetch_multiplier=1,
    # JSON only: a pickled message from a compromised broker could run code in the worker.
    accept_content=["json"],
    task_serializer="json",
    result_serializer="json",
    broker_transport_options={
        # Redis redelivers unacknowledged messages after this; it must outlast the longest task.
        "visibility_timeout": VISIBILITY_TIMEOUT,
        # Fail fast when Redis is down, so web requests don't hang while the sweeper covers for it.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "max_retries": 2,
    },
    result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
    # Publishing gives up within about a second; the database row, not the message, is the record.
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    # On broker connection loss, stop tasks whose acks can no longer land; they are redelivered.
    worker_cancel_long_running_tasks_on_connection_loss=True,
    # Keep retrying the broker at worker start instead of exiting while Redis boots.
    broker_connection_retry_on_startup=True,
    # Task events cost a fetch worker about 0.7 ms of CPU per message (three publishes), so they
    # start off; Flower and `celery control enable_events` switch them on while someone watches.
    worker_send_task_events=False,
    task_send_sent_event=True,
)

app.autodiscover_tasks()


# The one task whose result someone reads: an operator's proof that a worker answers.
@app.task(name="factcheck.ping", ignore_result=False)
def ping() -> str:
    """Return "pong", so operators and tests can prove a worker consumes from the broker."""
    return "pong"
