"""The bell: in-app notifications with an unread count, a list, mark read; and their emails."""

import pytest
from django.core import mail
from django.urls import reverse

from approvals.models import ApprovalStep, StepState
from reception.models import Notification
from reception.notifications.notify import Msg, notify
from tests.factories import file_visit

pytestmark = pytest.mark.django_db


def test_the_bell_counts_unread_and_opening_marks_read(four_tier, sales, staff, login):
    file_visit(sales, four_tier["routine"])
    browser = login(staff.marketing)
    home = browser.get(reverse("home"))
    assert home.context["unread_notifications"] == 1
    note = staff.marketing.notifications.get()
    response = browser.post(reverse("notification_open", args=[note.pk]))
    # the link opens the step's own decision card in the queue
    step = ApprovalStep.objects.get(state=StepState.PENDING)
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:step", args=[step.pk])
    card = browser.get(response["Location"])
    assert card["Location"] == f"{reverse('approvals:queue')}?step={step.pk}#step-{step.pk}"
    note.refresh_from_db()
    assert note.read_at is not None
    assert browser.get(reverse("home")).context["unread_notifications"] == 0


def test_mark_all_read(four_tier, sales, staff, login):
    file_visit(sales, four_tier["routine"])
    file_visit(sales, four_tier["guest"])
    browser = login(staff.marketing)
    browser.post(reverse("notifications_read_all"))
    assert not Notification.objects.filter(recipient=staff.marketing, read_at__isnull=True).exists()


def test_nobody_opens_someone_elses_notification(four_tier, sales, staff, login):
    file_visit(sales, four_tier["routine"])
    note = staff.marketing.notifications.get()
    assert login(staff.gm).post(reverse("notification_open", args=[note.pk])).status_code == 404


def test_notifications_are_emailed_after_commit_in_the_readers_language(
    staff, sales, django_capture_on_commit_callbacks
):
    from django.utils.translation import gettext_lazy as _

    staff.gm.language = "zh-hans"
    staff.gm.save()
    sales.language = "en"
    sales.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff.gm, sales], kind="test", title=Msg(_("Approval queue")), url="/approvals/")
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {staff.gm.email: "待审批", sales.email: "Approval queue"}
    assert all("http://127.0.0.1:8000/approvals/" in m.body for m in mail.outbox)
    assert Notification.objects.filter(email_sent_at__isnull=False).count() == 2


def test_a_broker_outage_loses_no_notification(
    staff, monkeypatch, django_capture_on_commit_callbacks
):
    from reception.notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.send_notification_emails, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff.gm], kind="test", title=Msg("hello"))
    note = Notification.objects.get()
    assert note.email_sent_at is None  # still unsent, for the sweep to pick up


def test_a_plural_message_chooses_its_form_by_the_number():
    from django.utils.translation import ngettext_lazy

    text = ngettext_lazy("%(count)s visit", "%(count)s visits", "count")
    assert [Msg(text, count=n).render("en") for n in (1, 2)] == ["1 visit", "2 visits"]
