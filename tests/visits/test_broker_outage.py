"""With the Celery broker unreachable, requests are still filed and approved; the enqueue
failure is logged and the next sweep sends what was left: notification emails and reminders."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from reception.models import Notification
from tests.conftest import celery_broker
from tests.factories import approve_fully, file_visit, moment, t_minus
from visits.models import Reminder, ReminderStatus, VisitStatus
from visits.reminders import sweep

pytestmark = pytest.mark.django_db

UNREACHABLE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def filed_and_approved_while_the_broker_is_down(
    four_tier, sales, staff, caplog, django_capture_on_commit_callbacks
):
    with (
        celery_broker(UNREACHABLE),
        caplog.at_level(logging.ERROR, logger="reception.notifications.notify"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            visit = file_visit(sales, four_tier["routine"])
        with django_capture_on_commit_callbacks(execute=True):
            visit = approve_fully(visit)
    return visit


def test_a_request_is_filed_and_approved_while_the_broker_is_down(
    filed_and_approved_while_the_broker_is_down, caplog
):
    visit = filed_and_approved_while_the_broker_is_down
    assert visit.status == VisitStatus.APPROVED
    logged = [r.getMessage() for r in caplog.get_records("setup")]  # logged while filing
    assert any("Could not enqueue notification emails" in line for line in logged)
    assert mail.outbox == []
    assert Notification.objects.filter(email_sent_at__isnull=True).count() >= 3


def test_the_next_sweep_sends_the_notification_emails_the_outage_held_back(
    filed_and_approved_while_the_broker_is_down,
):
    unsent = Notification.objects.filter(email_sent_at__isnull=True).count()
    report = sweep(now=timezone.now() + timedelta(minutes=2))
    assert report.notification_emails == unsent == len(mail.outbox)
    assert not Notification.objects.filter(email_sent_at__isnull=True).exists()


def test_the_reminders_of_a_visit_approved_during_the_outage_go_out_on_the_next_sweep(
    filed_and_approved_while_the_broker_is_down, staff
):
    visit = filed_and_approved_while_the_broker_is_down
    with celery_broker(UNREACHABLE):  # the sweep itself needs no broker
        sweep(now=moment(t_minus(visit, 2), 8, 31))
    handover = Reminder.objects.get(rule__code="handover-visitor-information")
    assert handover.recipient == staff.receptionist and handover.status == ReminderStatus.SENT
    assert [m.to for m in mail.outbox if m.subject.startswith("Visitor information")] == [
        [staff.receptionist.email]
    ]
