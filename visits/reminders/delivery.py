"""Sending due reminders exactly once: in batches, until none is due or the time is up.

A sweep claims a batch of due rows in one short transaction and marks them "sending"
(attempts + 1, last attempt now). On PostgreSQL the batch is read with `SELECT … FOR UPDATE
SKIP LOCKED`, so parallel sweeps take disjoint batches and, once a claim commits, the "sending"
mark keeps everyone else off those rows. SQLite has no row locks: there a conditional update
per row is the claim, and a row another sweep claimed first no longer matches it.

Each claimed reminder is then sent in its own transaction: the bell notification and the sent
mark commit together (those skipped or refused are marked at the end of the batch, one update
each way: nothing went out for them). A claim lasts settings.REMINDER_CLAIM_SECONDS and the
sweep renews it for the rest of its batch as it goes (`_renew`); a sweep that dies leaves its
rows "sending", and once the claim has run out the next sweep takes them again at once (up to
MAX_ATTEMPTS attempts in all), not after a retry delay. Only a crash between the mail server
accepting the email and the commit can repeat one, which no database can rule out: every
reminder's email carries a Message-ID of its own (`message_id`), the same on every attempt, so
mail clients show a repeat once.

The loop claims BATCH_SIZE rows, sends them and claims again until no row is due or
settings.REMINDER_SWEEP_BUDGET_SECONDS are spent. The budget is checked between batches, so a
batch is never left half-sent; what is left goes out in the next sweep. Every batch commits as
it goes: a loaded machine sends fewer batches a sweep (the next sweep goes on), and a batch
that fails as a whole (reading what it needs) is given back as a failed attempt, retried
after RETRY_AFTER, while the batches before it stay sent and the next ones go. The claim walks the
index reminders_due_to_claim (status, due_at, id) and reads one batch: no sort of the backlog.
"""

import logging
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from reception.models import Notification
from reception.validators import one_line

from ..models import Reminder, ReminderStatus
from ..services.notifications import Kind
from .content import NoLongerApplies, compose, documents_rendered_once, read_ahead

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_AFTER = timedelta(minutes=15)
BATCH_SIZE = 100


def _due(now: datetime) -> QuerySet[Reminder]:
    """Due and never tried."""
    return Reminder.objects.filter(status=ReminderStatus.PENDING, due_at__lte=now)


def _retries(now: datetime) -> QuerySet[Reminder]:
    """Failed, and due for another try."""
    return Reminder.objects.filter(
        status=ReminderStatus.FAILED,
        attempts__lt=MAX_ATTEMPTS,
        last_attempt_at__lte=now - RETRY_AFTER,
    )


def claim_length() -> timedelta:
    return timedelta(seconds=settings.REMINDER_CLAIM_SECONDS)


def _record_interrupted(now: datetime) -> int:
    """Rows a sweep claimed and never finished (it died), their claim run out: due again at
    once, or failed for good after MAX_ATTEMPTS."""
    stranded = Reminder.objects.filter(
        status=ReminderStatus.SENDING, last_attempt_at__lte=now - claim_length()
    )
    error = gettext("The sweep sending it stopped before it finished.")
    given_up = stranded.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReminderStatus.FAILED, error=error
    )
    return given_up + stranded.update(status=ReminderStatus.PENDING, error=error)


def _renew(ids: list[int], now: datetime) -> None:
    """The claim of the batch's rows not sent yet, made to last again from `now`."""
    Reminder.objects.filter(pk__in=ids, status=ReminderStatus.SENDING).update(last_attempt_at=now)


def message_id(kind: str, pk: int) -> str:
    """A Message-ID that is the same on every attempt to send the same thing, so a mail client
    shows a rare repeat once."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<jiedai.{kind}.{pk}@{domain}>"


def _claim(candidates: QuerySet[Reminder], size: int, now: datetime) -> list[int]:
    """Mark up to `size` of the candidates (the earliest due first) as being sent by this sweep;
    their ids. Rows another sweep is claiming or has claimed are passed over."""
    claim = {"status": ReminderStatus.SENDING, "last_attempt_at": now}
    with transaction.atomic():
        rows = list(
            candidates.select_for_update(skip_locked=True)
            .order_by("due_at", "pk")
            .values_list("pk", "status", "attempts")[:size]
        )
        if connection.features.has_select_for_update_skip_locked:
            # The rows stay locked until the commit: nobody else can have claimed them.
            ids = [pk for pk, _status, _attempts in rows]
            Reminder.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, **claim)
            return ids
        # No row locks (SQLite): a row claimed meanwhile has changed and matches no longer.
        return [
            pk
            for pk, status, attempts in rows
            if Reminder.objects.filter(pk=pk, status=status, attempts=attempts).update(
                attempts=attempts + 1, **claim
            )
        ]


def _claim_ids(now: datetime, size: int, visit_id: int | None) -> list[int]:
    """The ids of the next batch of due reminders (retries after the never tried), claimed:
    the claim has committed when this returns."""
    due, retries = _due(now), _retries(now)
    if visit_id is not None:
        due, retries = due.filter(visit_id=visit_id), retries.filter(visit_id=visit_id)
    ids = _claim(due, size, now)
    if len(ids) < size:
        ids += _claim(retries, size - len(ids), now)
    return ids


def _read_batch(ids: list[int], people: dict) -> list[Reminder]:
    """Claimed reminders with what composing them reads. A recipient is one object for the
    whole sweep (`people`, by id), so that their roles and permissions are read once, not once
    per reminder."""
    batch = list(
        Reminder.objects.filter(pk__in=ids)
        .select_related("rule", "recipient", "visit", "task", "follow_up")
        .order_by("due_at", "pk")
    )
    for reminder in batch:
        reminder.recipient = people.setdefault(reminder.recipient_id, reminder.recipient)
    read_ahead(batch)
    return batch


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
            headers={"Message-ID": message_id("reminder", reminder.pk)},
        )
        for filename, content, mimetype in message.attachments:
            email.attach(filename, content, mimetype)
        email.send()  # last: if it raises, the savepoint takes the notification back
    return note


def _send(reminder: Reminder, now: datetime) -> tuple[str, str]:
    """Send one claimed reminder: (its new status, the error). A sent one is marked at once,
    in the transaction of its bell notification; the caller marks the others (no email went
    out, so a crash before that only makes the next sweep try them again)."""
    try:
        with transaction.atomic():
            note = _deliver(reminder, now)
            Reminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
                status=ReminderStatus.SENT, error="", sent_at=timezone.now(), notification=note
            )
    except NoLongerApplies as reason:
        return ReminderStatus.SKIPPED, str(reason)
    except Exception as problem:  # the mail server refused: record it, retry later
        log.exception("Reminder %s failed", reminder.pk)
        return ReminderStatus.FAILED, str(problem)[:2000]
    return ReminderStatus.SENT, ""


def _mark(outcomes: dict[tuple[str, str], list[int]]) -> None:
    """The batch's reminders that were not sent, one update per (status, error)."""
    for (status, error), ids in outcomes.items():
        Reminder.objects.filter(pk__in=ids, status=ReminderStatus.SENDING).update(
            status=status, error=error
        )


def send_due_reminders(
    *,
    now: datetime,
    visit_id: int | None = None,
    budget: float | None = None,
    batch_size: int | None = None,
) -> Counter:
    """Send everything due, a batch at a time, until none is left or `budget` seconds
    (settings.REMINDER_SWEEP_BUDGET_SECONDS) are spent; only one visit's with visit_id.
    Counts by outcome: sent, failed, skipped."""
    if budget is None:
        budget = settings.REMINDER_SWEEP_BUDGET_SECONDS
    batch_size = batch_size or BATCH_SIZE
    deadline = time.monotonic() + budget
    counts: Counter = Counter()
    people: dict = {}
    _record_interrupted(now)
    with documents_rendered_once():
        while ids := _claim_ids(now, batch_size, visit_id):
            outcomes: Counter = Counter()
            try:
                _send_batch(_read_batch(ids, people), now, outcomes)
            except Exception as problem:  # the batch, not one reminder: the next one may go
                log.exception("A batch of %s reminders failed", len(ids))
                outcomes = Counter(
                    {
                        ReminderStatus.SENT: outcomes[ReminderStatus.SENT],
                        ReminderStatus.FAILED: _give_back(ids, problem),
                    }
                )
            counts.update(outcomes)
            if time.monotonic() >= deadline:
                break
    return counts


def _send_batch(batch: list[Reminder], now: datetime, counts: Counter) -> None:
    unsent: dict[tuple[str, str], list[int]] = defaultdict(list)
    started = renewed = time.monotonic()
    renew_every = settings.REMINDER_CLAIM_SECONDS / 3
    for index, reminder in enumerate(batch):
        if time.monotonic() - renewed >= renew_every:  # a slow mail server: keep the claim
            renewed = time.monotonic()
            elapsed = timedelta(seconds=renewed - started)
            _renew([r.pk for r in batch[index:]], now + elapsed)
        status, error = _send(reminder, now)
        counts[status] += 1
        if status != ReminderStatus.SENT:
            unsent[status, error].append(reminder.pk)
    _mark(unsent)


def _give_back(ids: list[int], problem: Exception) -> int:
    """A batch that failed as a whole (reading what it needs, say): those of its reminders not
    sent yet are a failed attempt, tried again after RETRY_AFTER like any other; the sent ones
    stay sent. How many were given back."""
    return Reminder.objects.filter(pk__in=ids, status=ReminderStatus.SENDING).update(
        status=ReminderStatus.FAILED, error=str(problem)[:2000] or problem.__class__.__name__
    )


def retry(reminders) -> int:
    """Make failed or skipped reminders due again; the next sweep sends them."""
    return reminders.exclude(status__in=[ReminderStatus.SENT, ReminderStatus.SENDING]).update(
        status=ReminderStatus.PENDING, error=""
    )
