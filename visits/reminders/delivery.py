"""Sending due reminders exactly once.

Each reminder is sent inside its own transaction that holds its row: PostgreSQL's
`SELECT … FOR UPDATE SKIP LOCKED` makes a concurrent sweep pass over it, and the conditional
update that claims it makes a sweep that read it before the first one committed find nothing
to claim (on SQLite, which has no row locks, that update is the whole guard). The bell
notification and the sent mark commit together; if the process dies before the commit,
nothing is marked and the next sweep sends it. Only a crash between the mail server accepting
the email and the commit can repeat one, which no database can rule out.
"""

import logging
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from reception.models import Notification
from reception.validators import one_line

from ..models import Reminder, ReminderStatus
from ..services.notifications import Kind
from .content import NoLongerApplies, compose

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=15)


def ready(now: datetime):
    """Due and unsent, or failed and due for another try."""
    return Reminder.objects.filter(
        Q(status=ReminderStatus.PENDING, due_at__lte=now)
        | Q(
            status=ReminderStatus.FAILED,
            attempts__lt=MAX_ATTEMPTS,
            last_attempt_at__lte=now - RETRY_AFTER,
        )
    )


def _deliver(reminder: Reminder, now: datetime) -> Notification:
    """The bell notification and the email, in the recipient's language."""
    message = compose(reminder)
    user = reminder.recipient
    language = user.preferred_language
    title = one_line(message.title.render(language))[:200]
    body = message.body.render(language)
    note = Notification.objects.create(
        recipient=user,
        kind=Kind.for_reminder(reminder.rule.kind)[:40],
        title=title,
        body=body,
        url=message.url,
        email_sent_at=now,  # the reminder sends its own email, with any attachments
        email_error="" if user.email else "no email address",
    )
    if user.email:
        link = f"{settings.SITE_URL.rstrip('/')}{message.url}" if message.url else ""
        email = EmailMessage(
            subject=title,
            body="\n\n".join(part for part in (body, link) if part),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
        )
        for filename, content, mimetype in message.attachments:
            email.attach(filename, content, mimetype)
        email.send()  # last: if it raises, the savepoint takes the notification back
    return note


def _send_next(now: datetime, visit_id: int | None = None) -> str | None:
    """Send the next ready reminder; its new status, "raced", or None when none is left."""
    candidates = ready(now) if visit_id is None else ready(now).filter(visit_id=visit_id)
    with transaction.atomic():
        row = (
            candidates.select_for_update(skip_locked=True)
            .order_by("due_at", "pk")
            .only("pk", "status", "attempts")
            .first()
        )
        if row is None:
            return None
        claimed = Reminder.objects.filter(
            pk=row.pk, status=row.status, attempts=row.attempts
        ).update(attempts=F("attempts") + 1, last_attempt_at=now)
        if not claimed:
            return "raced"
        reminder = Reminder.objects.select_related(
            "rule", "recipient", "visit", "task", "follow_up"
        ).get(pk=row.pk)
        try:
            with transaction.atomic():
                note = _deliver(reminder, now)
        except NoLongerApplies as reason:
            reminder.status, reminder.error = ReminderStatus.SKIPPED, str(reason)
        except Exception as error:  # the mail server refused: record it, retry later
            log.exception("Reminder %s failed", reminder.pk)
            reminder.status, reminder.error = ReminderStatus.FAILED, str(error)[:2000]
        else:
            reminder.status, reminder.error = ReminderStatus.SENT, ""
            reminder.sent_at, reminder.notification = timezone.now(), note
        reminder.save(update_fields=["status", "error", "sent_at", "notification"])
        return reminder.status


def send_due_reminders(*, now: datetime, limit: int = 500, visit_id: int | None = None) -> Counter:
    """Send what is due (only one visit's reminders with visit_id)."""
    counts: Counter = Counter()
    for _ in range(limit):
        outcome = _send_next(now, visit_id)
        if outcome is None:
            break
        counts[outcome] += 1
    return counts


def retry(reminders) -> int:
    """Make failed or skipped reminders due again; the next sweep sends them."""
    return reminders.exclude(status=ReminderStatus.SENT).update(
        status=ReminderStatus.PENDING, error=""
    )
