"""Reminder rules as data, and the sweep that sends each reminder once: T−2 warnings and the
hand-over to reception, department lists, the front desk's morning list, overdue tasks, the
work summary."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import CalendarDay, DayKind, Department, StaffMembership
from tests.factories import approve_fully, file_visit, moment, t_minus, user_with
from visits.models import PrepStatus, Reminder, ReminderRule, ReminderStatus
from visits.reminders import sweep
from visits.reminders.planning import plan_due_reminders
from visits.services.requests import cancel_visit_request

pytestmark = pytest.mark.django_db


def sent_to(user, rule_code):
    return Reminder.objects.filter(
        recipient=user, rule__code=rule_code, status=ReminderStatus.SENT
    ).count()


def emails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def handover_moment(visit):
    """Just after the T−2 reminders fall due (08:30 on the second working day before)."""
    return moment(t_minus(visit, 2), 8, 31)


@pytest.fixture
def office(db):
    """The office department with one member and its head."""
    department = Department.objects.get(code="office")
    member = user_with(Role.DEPARTMENT_MEMBER, username="office_member")
    head = user_with(Role.DEPARTMENT_HEAD, username="office_chief")
    StaffMembership.objects.create(user=member, department=department)
    department.head = head
    department.save()
    return department


@pytest.fixture
def routine(four_tier):
    return four_tier["routine"]


def test_load_policy_loads_seven_reminder_rules_with_t_minus_2_hand_over(four_tier):
    rules = {r.code: r for r in ReminderRule.objects.all()}
    assert len(rules) == 7
    assert rules["handover-visitor-information"].offset_working_days == -2
    assert list(rules["front-desk-arrivals"].recipient_roles.values_list("name", flat=True)) == [
        "front_desk"
    ]


def test_nothing_is_sent_before_the_t_minus_2_morning(routine, sales, staff):
    visit = file_visit(sales, routine)
    mail.outbox.clear()
    sweep(now=moment(t_minus(visit, 2), 8, 29))
    assert not Reminder.objects.exists() and mail.outbox == []


def test_an_unapproved_visit_warns_the_pending_approver_and_the_applicant_at_t_minus_2(
    routine, sales, staff
):
    visit = file_visit(sales, routine)
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    assert sent_to(staff.marketing, "handover-not-approved") == 1
    assert sent_to(sales, "handover-not-approved") == 1
    assert "still not approved" in emails_to(staff.marketing)[0].subject
    assert not Reminder.objects.filter(rule__code="handover-visitor-information").exists()


def test_an_approved_visit_sends_the_receptionist_the_visitor_information_link(
    routine, sales, staff
):
    visit = approve_fully(file_visit(sales, routine))
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    (email,) = emails_to(staff.receptionist)
    assert email.subject.startswith(f"Visitor information: {visit.reference}")
    assert f"http://127.0.0.1:8000/visits/{visit.pk}/" in email.body
    assert "孙立群, 采购副总裁" in email.body
    assert not Reminder.objects.filter(rule__code="handover-not-approved").exists()


def test_the_visitor_information_carries_what_the_attachment_seam_returns(
    routine, sales, staff, monkeypatch
):
    from visits.reminders import content

    pdf = ("visitor-information.pdf", b"%PDF-1.7 stub", "application/pdf")
    monkeypatch.setattr(content, "attachments_for", lambda reminder: [pdf])
    visit = approve_fully(file_visit(sales, routine))
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    assert emails_to(staff.receptionist)[0].attachments == [pdf]


def test_the_receptionist_gets_the_visitor_information_sheet_as_a_pdf(routine, sales, staff):
    from io import BytesIO

    from pypdf import PdfReader

    visit = approve_fully(file_visit(sales, routine))
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    (email,) = emails_to(staff.receptionist)
    [(filename, content, mimetype)] = email.attachments
    assert filename == f"{visit.reference}-visitor-information.pdf"
    assert mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
    assert visit.client.name in text and "孙立群" in text


def test_every_department_with_open_tasks_gets_its_own_list(routine, sales, staff, office):
    visit = approve_fully(file_visit(sales, routine))
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    office_tasks = visit.prep_tasks.filter(department=office, status=PrepStatus.OPEN)
    (email,) = emails_to(Department.objects.get(code="office").head)
    listed = {line for line in email.body.splitlines() if " — Office — due " in line}
    assert listed == {f"{t.name_en} — Office — due {t.due_date}" for t in office_tasks} != set()
    assert sent_to(office.memberships.get().user, "handover-open-tasks") == 1


def test_a_department_that_finished_its_tasks_gets_no_list(routine, sales, staff, office):
    visit = approve_fully(file_visit(sales, routine))
    visit.prep_tasks.filter(department=office).update(status=PrepStatus.DONE)
    sweep(now=handover_moment(visit))
    assert not Reminder.objects.filter(rule__code="handover-open-tasks").exists()


def test_the_front_desk_gets_the_days_arrivals_on_a_working_morning(routine, sales, staff):
    frontdesk = user_with(Role.FRONT_DESK, username="frontdesk")
    visit = approve_fully(file_visit(sales, routine))
    arrival_day = timezone.localtime(visit.arrival_at).date()
    CalendarDay.objects.create(day=arrival_day, kind=DayKind.WORKING)  # whatever the weekday
    mail.outbox.clear()
    sweep(now=moment(arrival_day, 8, 1))
    (email,) = emails_to(frontdesk)
    assert email.subject == f"Arrivals on {arrival_day}: 1 visit"
    assert f"09:30 {visit.client.name_en} ({visit.reference}): 3 guests" in email.body


def test_no_arrivals_list_on_a_day_off(routine, sales, staff):
    user_with(Role.FRONT_DESK, username="frontdesk")
    visit = approve_fully(file_visit(sales, routine))
    arrival_day = timezone.localtime(visit.arrival_at).date()
    CalendarDay.objects.create(day=arrival_day, kind=DayKind.OFF, note="公司停产")
    sweep(now=moment(arrival_day, 8, 1))
    assert not Reminder.objects.filter(rule__code="front-desk-arrivals").exists()


def test_a_task_past_due_reminds_its_department_head_on_the_next_working_day(
    routine, sales, staff, office
):
    from reception.policy.calendar import working_days_after

    visit = approve_fully(file_visit(sales, routine))
    task = visit.prep_tasks.filter(department=office).order_by("due_date").first()
    mail.outbox.clear()
    sweep(now=moment(working_days_after(task.due_date, 1), 9, 1))
    reminder = Reminder.objects.get(rule__code="task-overdue", task=task)
    assert reminder.recipient == office.head and reminder.status == ReminderStatus.SENT
    assert "is past due" in emails_to(office.head)[-1].subject


def test_the_work_summary_is_asked_of_hr_and_the_visited_department_after_departure(
    routine, sales, staff
):
    from reception.policy.calendar import working_days_after

    hr = user_with(Role.HR, username="hr")
    marketing = Department.objects.get(code="marketing")
    StaffMembership.objects.create(user=sales, department=marketing)
    marketing.head = staff.marketing_head
    marketing.save()
    visit = approve_fully(file_visit(sales, routine))
    departure = timezone.localtime(visit.departure_at).date()
    sweep(now=moment(working_days_after(departure, 1), 9, 1))
    asked = set(
        Reminder.objects.filter(rule__code="work-summary", status=ReminderStatus.SENT).values_list(
            "recipient__username", flat=True
        )
    )
    assert asked == {hr.username, staff.marketing_head.username, sales.username}


def test_the_sweep_run_twice_sends_one_email(routine, sales, staff):
    visit = approve_fully(file_visit(sales, routine))
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    sweep(now=handover_moment(visit) + timedelta(minutes=5))
    assert len(emails_to(staff.receptionist)) == 1
    assert Reminder.objects.filter(recipient=staff.receptionist).count() == 1


def test_a_reminder_whose_reason_has_gone_is_skipped_not_sent(routine, sales, staff):
    visit = file_visit(sales, routine)
    plan_due_reminders(now=handover_moment(visit))  # due: the visit is still in approval
    approve_fully(visit)  # …and approved before the sweep sends it
    mail.outbox.clear()
    sweep(now=handover_moment(visit))
    warning = Reminder.objects.get(rule__code="handover-not-approved", recipient=sales)
    assert warning.status == ReminderStatus.SKIPPED and "Approved" in warning.error
    assert not [m for m in mail.outbox if "still not approved" in m.subject]


def test_a_cancelled_visit_gets_no_reminders(routine, sales, staff):
    visit = approve_fully(file_visit(sales, routine))
    cancel_visit_request(visit=visit, by=sales, reason="客户改期")
    sweep(now=handover_moment(visit))
    assert not Reminder.objects.exists()


def test_the_next_approver_is_warned_once_the_step_moves_on(four_tier, sales, staff):
    from approvals.models import StepState
    from approvals.services import decide

    visit = file_visit(sales, four_tier["guest"])  # marketing, then the deputy GM
    sweep(now=handover_moment(visit))
    decide(
        step=visit.approval_steps.get(state=StepState.PENDING),
        by=staff.marketing,
        decision=StepState.APPROVED,
    )
    sweep(now=handover_moment(visit) + timedelta(minutes=5))
    warned = Reminder.objects.filter(rule__code="handover-not-approved")
    # Two working days before arrival each step has waited past the escalation hours, so each
    # was escalated up its chain step's targets (grading to the marketing head, the deputy GM's
    # step to the GM) and those who may now decide it are warned as well; never anyone below.
    assert set(warned.values_list("recipient__username", flat=True)) == {
        sales.username,
        staff.marketing.username,
        staff.marketing_head.username,
        staff.deputy_gm.username,
        staff.gm.username,
    }
    assert sent_to(sales, "handover-not-approved") == 1


def test_a_failed_email_is_recorded_and_sent_after_a_retry(routine, sales, staff, monkeypatch):
    from django.core.mail import EmailMessage

    visit = approve_fully(file_visit(sales, routine))
    real_send = EmailMessage.send

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    sweep(now=handover_moment(visit))
    failed = Reminder.objects.get(recipient=staff.receptionist)
    assert failed.status == ReminderStatus.FAILED and failed.error == "smtp down"
    assert not staff.receptionist.notifications.filter(kind__startswith="reminder").exists()
    monkeypatch.setattr(EmailMessage, "send", real_send)
    sweep(now=handover_moment(visit) + timedelta(minutes=16))
    failed.refresh_from_db()
    assert failed.status == ReminderStatus.SENT and failed.attempts == 2


def test_every_reminder_also_appears_in_the_bell(routine, sales, staff):
    visit = approve_fully(file_visit(sales, routine))
    sweep(now=handover_moment(visit))
    reminder = Reminder.objects.get(recipient=staff.receptionist)
    assert reminder.notification.recipient == staff.receptionist
    assert reminder.notification.url == reverse("visits:detail", args=[visit.pk])


def test_a_recipient_who_may_not_open_the_visit_gets_no_link(routine, sales, staff):
    from reception.policy.calendar import working_days_after

    hr = user_with(Role.HR, username="hr")
    visit = approve_fully(file_visit(sales, routine))
    departure = timezone.localtime(visit.departure_at).date()
    sweep(now=moment(working_days_after(departure, 1), 9, 1))
    assert Reminder.objects.get(recipient=hr).notification.url == ""


def test_send_due_reminders_runs_the_sweep(routine, sales, staff):
    file_visit(sales, routine)
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    assert "Reminders: 0 sent" in out.getvalue()  # nothing is due ten days ahead


def test_the_admin_lists_failed_reminders_with_their_error_and_retries_them(
    routine, sales, staff, client, django_user_model
):
    visit = approve_fully(file_visit(sales, routine))
    plan_due_reminders(now=handover_moment(visit))
    Reminder.objects.update(status=ReminderStatus.FAILED, error="smtp down", attempts=3)
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    url = reverse("admin:visits_reminder_changelist")
    page = client.get(url, {"status__exact": "failed"})
    assert "smtp down" in page.content.decode()
    ids = list(Reminder.objects.values_list("pk", flat=True))
    client.post(url, {"action": "retry_reminders", "_selected_action": ids})
    assert set(Reminder.objects.values_list("status", flat=True)) == {ReminderStatus.PENDING}


def test_send_due_reminders_prints_one_line_per_reminder_and_not_the_emails(
    routine, sales, staff, monkeypatch, settings, capsys
):
    visit = file_visit(sales, routine)
    monkeypatch.setattr(timezone, "now", lambda: handover_moment(visit))
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    lines = out.getvalue().splitlines()
    sent = Reminder.objects.filter(status=ReminderStatus.SENT)
    assert sent.count() >= 2 and len(lines) == sent.count() + 1
    assert any(
        line.endswith(
            f"→ {sales.username} ({visit.client.name}, "
            + f"{timezone.localtime(visit.arrival_at):%Y-%m-%d})"
        )
        for line in lines
    )
    assert "Subject:" not in capsys.readouterr().out
