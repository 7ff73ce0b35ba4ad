"""Run the desk's background jobs: notification e-mails and publication when embargoes lift."""

from celery import shared_task

from reviews.notifications import (
    NotificationNotSent,
    notification_send,
    notifications_resend_pending,
)
from reviews.services import verdicts_publish_due


@shared_task(
    name="reviews.send_notification",
    autoretry_for=(NotificationNotSent,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=3,
)
def send_notification(*, notification_id: int) -> bool:
    """Send one notification e-mail; the resend sweep covers it after the retries run out."""
    return notification_send(notification_id=notification_id)


@shared_task(name="reviews.resend_notifications")
def resend_notifications() -> int:
    """Queue again the notifications still pending (a broker outage, a mail server down)."""
    return notifications_resend_pending()


@shared_task(name="reviews.publish_due")
def publish_due() -> int:
    """Publish the scheduled verdicts whose article's embargo has lifted."""
    return verdicts_publish_due()
