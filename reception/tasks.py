import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from .models import Notification

log = logging.getLogger(__name__)


def send_notification_email(notification: Notification) -> bool:
    """Claim and send one notification's email; True if this call sent it."""
    claimed = Notification.objects.filter(pk=notification.pk, email_sent_at__isnull=True).update(
        email_sent_at=timezone.now()
    )
    if not claimed:
        return False
    recipient = notification.recipient
    if not recipient.email:
        Notification.objects.filter(pk=notification.pk).update(email_error="no email address")
        return False
    link = f"{settings.SITE_URL.rstrip('/')}{notification.url}" if notification.url else ""
    body = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            subject=notification.title,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recipient.email],
        )
    except Exception as error:  # SMTP trouble: release the claim so a later sweep retries
        log.exception("Email for notification %s failed", notification.pk)
        Notification.objects.filter(pk=notification.pk).update(
            email_sent_at=None, email_error=str(error)[:1000]
        )
        return False
    Notification.objects.filter(pk=notification.pk).update(email_error="")
    return True


@shared_task(name="reception.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    pending = Notification.objects.filter(pk__in=ids).filter(Q(email_sent_at__isnull=True))
    return sum(send_notification_email(n) for n in pending.select_related("recipient"))
