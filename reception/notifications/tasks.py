import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import Notification
from ..validators import one_line
from .channels import delivery as channel_delivery

log = logging.getLogger(__name__)

# The sweep leaves fresh notifications to the task enqueued on commit, and gives up on
# emails that could not be sent for this long.
SWEEP_GRACE = timedelta(minutes=1)
SWEEP_MAX_AGE = timedelta(days=3)


def send_notification_email(notification: Notification) -> bool:
    """Claim and send one notification's email; True if this call sent it.

    The row stays locked (FOR UPDATE SKIP LOCKED on PostgreSQL) until the email is sent and
    marked, and the claim is a conditional update, so concurrent sweeps and tasks never send
    it twice. A process dying before the commit leaves it unsent for the next sweep.
    """
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification.pk, email_sent_at__isnull=True)
            .only("pk")
            .first()
        )
        if row is None:
            return False
        claimed = Notification.objects.filter(pk=row.pk, email_sent_at__isnull=True).update(
            email_sent_at=timezone.now()
        )
        if not claimed:
            return False
        note = Notification.objects.select_related("recipient").get(pk=row.pk)
        if not note.recipient.email:
            Notification.objects.filter(pk=note.pk).update(email_error="no email address")
            return False
        link = f"{settings.SITE_URL.rstrip('/')}{note.url}" if note.url else ""
        body = "\n\n".join(part for part in (note.body, link) if part)
        try:
            send_mail(
                subject=one_line(note.title),
                message=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[note.recipient.email],
            )
        except Exception as error:  # SMTP trouble: release the claim so a later sweep retries
            log.exception("Email for notification %s failed", note.pk)
            Notification.objects.filter(pk=note.pk).update(
                email_sent_at=None, email_error=str(error)[:1000]
            )
            return False
        Notification.objects.filter(pk=note.pk).update(email_error="")
        return True


@shared_task(name="reception.send_notification_emails")
def send_notification_emails(ids: list[int]) -> int:
    pending = Notification.objects.filter(pk__in=ids, email_sent_at__isnull=True)
    return sum(send_notification_email(n) for n in pending)


def send_unsent_notification_emails(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the emails of notifications whose task never ran (broker down, worker lost)."""
    now = now or timezone.now()
    unsent = Notification.objects.filter(
        email_sent_at__isnull=True,
        created_at__lte=now - SWEEP_GRACE,
        created_at__gte=now - SWEEP_MAX_AGE,
    ).order_by("pk")[:limit]
    return sum(send_notification_email(n) for n in unsent)


@shared_task(name="reception.send_channel_messages")
def send_channel_messages(ids: list[int]) -> int:
    """Send these outbox rows (WeCom, DingTalk, Feishu); what is not due yet waits for the sweep."""
    return channel_delivery.deliver_all(ids)


@shared_task(name="reception.send_webhooks")
def send_webhooks(ids: list[int]) -> int:
    """Send these webhook deliveries (reception/webhooks); what is not due waits for the sweep."""
    from ..webhooks import delivery as webhooks  # local: it imports notify, which imports us

    return webhooks.deliver_all(ids)


def send_due_channel_messages(*, now: datetime | None = None, limit: int = 500) -> int:
    """Send the channel messages and webhook deliveries that are due: never sent, retried
    after a failure, or held back by a rate limit. Run by the reminder sweep every 5 minutes."""
    from ..webhooks import delivery as webhooks  # local: it imports notify, which imports us

    now = now or timezone.now()
    sent = channel_delivery.deliver_all(channel_delivery.due_ids(now=now, limit=limit), now=now)
    return sent + webhooks.deliver_all(webhooks.due_ids(now=now, limit=limit), now=now)
