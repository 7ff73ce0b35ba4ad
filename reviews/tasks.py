"""Run the desk's background jobs: e-mails, publication when embargoes lift, webhooks."""

from celery import shared_task

from factcheck.queueing import backoff_seconds
from reviews.services import verdicts_publish_due, webhooks
from reviews.services.intake import intake_run, intakes_sweep, piece_remove_run
from reviews.services.matching import claim_match, claims_match_sweep, embeddings_refresh
from reviews.services.notifications import (
    NotificationNotSent,
    notification_send,
    notifications_resend_pending,
)


@shared_task(name="reviews.send_notification", bind=True, max_retries=3)
def send_notification(self, *, notification_id: int) -> bool:
    """Send one notification e-mail; the resend sweep covers it after the retries run out."""
    try:
        return notification_send(notification_id=notification_id)
    except NotificationNotSent as exc:
        wait = backoff_seconds(self.request.retries + 1, base=30, cap=600, jitter=True)
        raise self.retry(exc=exc, countdown=wait) from exc


@shared_task(name="reviews.resend_notifications")
def resend_notifications() -> int:
    """Queue again the notifications still pending (a broker outage, a mail server down)."""
    return notifications_resend_pending()


@shared_task(name="reviews.publish_due")
def publish_due() -> int:
    """Publish the scheduled verdicts whose article's embargo has lifted."""
    return verdicts_publish_due()


@shared_task(name="reviews.deliver_webhook")
def deliver_webhook(*, delivery_id: int) -> bool:
    """Try one webhook delivery; retries come from the sweeper, by the row's next attempt time."""
    return webhooks.delivery_send(delivery_id=delivery_id)


@shared_task(name="reviews.sweep_webhooks")
def sweep_webhooks() -> int:
    """Queue the webhook deliveries that are due (retries, and any the broker lost)."""
    return webhooks.deliveries_send_due()


@shared_task(name="reviews.ingest_piece")
def ingest_piece(*, intake_id: int) -> str:
    """Ingest a long piece received in the admin; its page shows the progress."""
    return intake_run(intake_id=intake_id).state


@shared_task(name="reviews.remove_piece")
def remove_piece(*, intake_id: int) -> str:
    """Delete a piece removed by mistake, with its claims and tickets; the record stays."""
    return piece_remove_run(intake_id=intake_id).state


@shared_task(name="reviews.sweep_intakes", ignore_result=True)
def sweep_intakes() -> int:
    """Send again the pieces' ingestions and removals that were lost (beat, every minute)."""
    return intakes_sweep()


@shared_task(name="reviews.match_claim", ignore_result=True)
def match_claim(*, claim_id: int) -> int:
    """Match one new claim against verdicts, open tickets and external fact-checks."""
    run = claim_match(claim_id=claim_id)
    return 0 if run is None else run.matches.count()


@shared_task(name="reviews.sweep_matching", ignore_result=True)
def sweep_matching() -> int:
    """Queue the claim matchings still owed and due (a job the broker lost; beat, every minute)."""
    return claims_match_sweep()


@shared_task(name="reviews.refresh_embeddings", bind=True, ignore_result=True)
def refresh_embeddings(self, *, limit: int = 500) -> int:
    """Embed a batch of items that lack a vector under the current model; queue the next batch."""
    done = embeddings_refresh(limit=limit)
    if done >= limit and not self.request.is_eager:
        refresh_embeddings.delay(limit=limit)
    return done
