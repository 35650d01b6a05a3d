"""Two sweeps at the same moment (two beat ticks, a duplicated task) send each reminder and
each notification email once. Row locks are PostgreSQL's: CI runs this on PostgreSQL."""

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from reception.models import Notification
from reception.notifications.tasks import send_unsent_notification_emails
from tests.factories import sixteen_reminders_due
from visits.models import Reminder, ReminderStatus
from visits.reminders import delivery, sweep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locking is tested on PostgreSQL (DATABASE_URL); CI runs it there")


@pytest.fixture
def slow_mail(monkeypatch):
    """Each email takes a moment, so that the two sweeps overlap while sending."""
    real = EmailBackend.send_messages

    def slow(self, messages):
        time.sleep(0.02)
        return real(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow)


def at_once(work, count=2):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(work())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


def test_two_sweeps_at_once_send_each_reminder_once(
    four_tier, sales, staff, slow_mail, monkeypatch
):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 3)  # each sweep claims several batches
    now = sixteen_reminders_due(sales, four_tier["routine"])

    reports = at_once(lambda: sweep(now=now))

    rows = Reminder.objects.count()
    assert rows == 4 * (1 + 3)  # the receptionist and three office members, per visit
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == rows
    assert sum(r.reminders["sent"] for r in reports) == rows == len(mail.outbox)
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == rows
    assert set(Reminder.objects.values_list("attempts", flat=True)) == {1}  # claimed once each


def test_a_batch_failing_in_one_of_two_sweeps_is_sent_once_later(
    four_tier, sales, staff, slow_mail, monkeypatch
):
    """Batches commit as they go: one sweep's batch fails as a whole, the two sweeps send all
    the rest, and the sweep after the retry delay sends that batch, each reminder once."""
    monkeypatch.setattr(delivery, "BATCH_SIZE", 3)
    now = sixteen_reminders_due(sales, four_tier["routine"])
    real, calls, lock = delivery.read_ahead, [], threading.Lock()

    def first_fails(batch):
        with lock:
            calls.append([r.pk for r in batch])
            first = len(calls) == 1
        if first:
            raise ConnectionError("lost the connection")
        real(batch)

    monkeypatch.setattr(delivery, "read_ahead", first_fails)

    reports = at_once(lambda: sweep(now=now))

    rows = Reminder.objects.count()
    assert sum(r.reminders["sent"] for r in reports) == rows - 3 == len(mail.outbox)
    failed = Reminder.objects.filter(pk__in=calls[0])
    assert set(failed.values_list("status", flat=True)) == {ReminderStatus.FAILED}
    sweep(now=now + timedelta(minutes=16))
    assert Reminder.objects.filter(status=ReminderStatus.SENT).count() == rows == len(mail.outbox)
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == rows
    assert set(failed.values_list("attempts", flat=True)) == {2}
    assert Reminder.objects.exclude(pk__in=calls[0]).filter(attempts=1).count() == rows - 3


def test_two_sweeps_at_once_send_each_left_over_notification_email_once(staff, slow_mail):
    for n in range(12):
        Notification.objects.create(recipient=staff.gm, kind="test", title=f"note {n}")
    later = timezone.now() + timedelta(minutes=2)

    sent = at_once(lambda: send_unsent_notification_emails(now=later))

    assert sum(sent) == 12 == len(mail.outbox)
    assert sorted(m.subject for m in mail.outbox) == sorted(f"note {n}" for n in range(12))
