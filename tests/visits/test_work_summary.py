"""After the visit: the work summary in two parts, the visited department's and HR's; the
visit closes when both are in, or when HR waives the department's part with a reason."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import StaffMembership
from reception.policy.calendar import working_days_after
from tests.factories import DepartmentFactory, file_visit, moment, user_with
from visits.models import FollowUpAction, Reminder, ReminderStatus, SummarySide, VisitStatus
from visits.reminders import sweep
from visits.selectors import follow_ups_of
from visits.services import desk
from visits.services.lifecycle import VisitError
from visits.services.summary import (
    close_follow_up,
    waive_department_part,
    write_part,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def department(sales):
    """Sales' own department (the visited department), with its head."""
    head = user_with(Role.DEPARTMENT_HEAD, username="dept_head", full_name="钱峰")
    dept = DepartmentFactory(head=head)
    StaffMembership.objects.create(user=sales, department=dept)
    return dept


@pytest.fixture
def finished_visit(four_tier, sales, staff, department):
    visit = file_visit(sales, four_tier["routine"])
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    return visit


@pytest.fixture
def hr(db):
    return user_with(Role.HR, username="hr_a", full_name="孙丽")


def status(visit):
    visit.refresh_from_db()
    return visit.status


def test_the_visit_stays_open_with_one_part_and_closes_with_both(finished_visit, department, hr):
    write_part(visit=finished_visit, side=SummarySide.HR, by=hr, data={"outcome": "接待流程顺畅"})
    assert status(finished_visit) == VisitStatus.COMPLETED
    write_part(
        visit=finished_visit,
        side=SummarySide.DEPARTMENT,
        by=department.head,
        data={"outcome": "达成年度框架协议意向"},
    )
    assert status(finished_visit) == VisitStatus.CLOSED
    assert finished_visit.applicant.notifications.filter(kind="visit_closed").exists()


def test_the_department_head_and_the_applicant_write_the_department_part(
    finished_visit, department, sales, hr
):
    assert department.head.has_perm("visits.write_department_summary", finished_visit)
    assert sales.has_perm("visits.write_department_summary", finished_visit)
    assert not hr.has_perm("visits.write_department_summary", finished_visit)


def test_a_member_of_another_department_may_not_write_the_department_part(finished_visit):
    stranger = user_with(Role.DEPARTMENT_MEMBER)
    StaffMembership.objects.create(user=stranger, department=DepartmentFactory())
    with pytest.raises(VisitError, match="head of the visited department"):
        write_part(
            visit=finished_visit, side=SummarySide.DEPARTMENT, by=stranger, data={"outcome": "x"}
        )


def test_a_department_member_named_on_the_visit_writes_its_part(finished_visit, department):
    member = user_with(Role.DEPARTMENT_MEMBER)
    StaffMembership.objects.create(user=member, department=department)
    assert not member.has_perm("visits.write_department_summary", finished_visit)
    finished_visit.accompanying_staff.add(member)
    assert member.has_perm("visits.write_department_summary", finished_visit)


def test_only_hr_writes_hrs_part(finished_visit, sales, department):
    with pytest.raises(VisitError, match="HR writes"):
        write_part(visit=finished_visit, side=SummarySide.HR, by=sales, data={"outcome": "x"})
    assert not department.head.has_perm("visits.write_hr_summary", finished_visit)


def test_each_part_is_written_once(finished_visit, hr):
    write_part(visit=finished_visit, side=SummarySide.HR, by=hr, data={"outcome": "好"})
    with pytest.raises(VisitError, match="already in"):
        write_part(visit=finished_visit, side=SummarySide.HR, by=hr, data={"outcome": "再写"})


def test_hr_closes_with_the_department_part_waived_with_a_reason(finished_visit, hr):
    with pytest.raises(VisitError, match="why"):
        waive_department_part(visit=finished_visit, by=hr, reason="  ")
    waive_department_part(visit=finished_visit, by=hr, reason="部门负责人长期出差")
    assert status(finished_visit) == VisitStatus.COMPLETED  # HR's own part is still missing
    write_part(visit=finished_visit, side=SummarySide.HR, by=hr, data={"outcome": "顺利"})
    assert status(finished_visit) == VisitStatus.CLOSED
    part = finished_visit.summary_parts.get(side=SummarySide.DEPARTMENT)
    assert part.is_waived and part.waived_reason == "部门负责人长期出差"


def test_only_hr_waives_the_department_part(finished_visit, sales):
    with pytest.raises(VisitError, match="HR waives"):
        waive_department_part(visit=finished_visit, by=sales, reason="没空")


def test_no_summary_before_the_guests_have_left(four_tier, sales, department):
    visit = file_visit(sales, four_tier["routine"])
    with pytest.raises(VisitError, match="once the guests have left"):
        write_part(visit=visit, side=SummarySide.DEPARTMENT, by=sales, data={"outcome": "x"})


def test_the_outcome_is_required_on_the_page(finished_visit, login, hr):
    response = login(hr).post(
        reverse("visits:summary", args=[finished_visit.pk]), {"side": "hr", "hr-outcome": ""}
    )
    assert response.status_code == 400
    assert not finished_visit.summary_parts.exists()


def test_hr_writes_its_part_on_the_page_with_a_follow_up(finished_visit, login, hr, sales):
    due = timezone.localdate() + timedelta(days=7)
    browser = login(hr)
    page = browser.get(reverse("visits:summary", args=[finished_visit.pk]))
    assert [s["form"] is not None for s in page.context["sections"]] == [False, True]
    assert page.context["waive_form"] is not None
    response = browser.post(
        reverse("visits:summary", args=[finished_visit.pk]),
        {
            "side": "hr",
            "hr-outcome": "接待规范",
            "hr-lessons": "接站准时",
            "hr-fu-TOTAL_FORMS": "3",
            "hr-fu-INITIAL_FORMS": "0",
            "hr-fu-0-description": "寄送样品",
            "hr-fu-0-owner": sales.pk,
            "hr-fu-0-due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    action = FollowUpAction.objects.get()
    assert (action.owner, action.due_on, action.description) == (sales, due, "寄送样品")
    assert sales.notifications.filter(kind="follow_up").exists()


def test_a_follow_up_without_owner_or_date_is_refused(finished_visit, login, hr):
    response = login(hr).post(
        reverse("visits:summary", args=[finished_visit.pk]),
        {
            "side": "hr",
            "hr-outcome": "接待规范",
            "hr-fu-TOTAL_FORMS": "1",
            "hr-fu-INITIAL_FORMS": "0",
            "hr-fu-0-description": "寄送样品",
        },
    )
    assert response.status_code == 400
    assert not finished_visit.summary_parts.exists()


def test_follow_ups_show_on_my_tasks_until_done(finished_visit, hr, sales, login):
    write_part(
        visit=finished_visit,
        side=SummarySide.HR,
        by=hr,
        data={"outcome": "好"},
        follow_ups=[
            {"description": "回访客户", "owner": sales, "due_on": timezone.localdate()},
        ],
    )
    action = FollowUpAction.objects.get()
    assert list(follow_ups_of(sales)) == [action]
    browser = login(sales)
    assert "回访客户" in browser.get(reverse("visits:my_tasks")).content.decode()
    browser.post(reverse("visits:follow_up_done", args=[action.pk]))
    assert list(follow_ups_of(sales)) == []
    assert "回访客户" not in browser.get(reverse("visits:my_tasks")).content.decode()


def test_only_the_owner_closes_a_follow_up(finished_visit, hr, sales):
    write_part(
        visit=finished_visit,
        side=SummarySide.HR,
        by=hr,
        data={"outcome": "好"},
        follow_ups=[{"description": "回访", "owner": sales, "due_on": timezone.localdate()}],
    )
    with pytest.raises(VisitError, match="owner"):
        close_follow_up(action=FollowUpAction.objects.get(), by=hr)


def test_an_open_follow_up_reminds_its_owner_on_its_due_date_once(finished_visit, hr, sales):
    due = working_days_after(timezone.localdate(), 3)
    write_part(
        visit=finished_visit,
        side=SummarySide.HR,
        by=hr,
        data={"outcome": "好"},
        follow_ups=[
            {"description": "寄送报价单", "owner": sales, "due_on": due},
            {"description": "已办的事", "owner": sales, "due_on": due},
        ],
    )
    done = FollowUpAction.objects.get(description="已办的事")
    close_follow_up(action=done, by=sales)
    sweep(now=moment(due, 8, 0))  # before the rule's 09:00
    assert not Reminder.objects.filter(rule__code="follow-up-due").exists()
    sweep(now=moment(due, 9, 1))
    sweep(now=moment(due, 9, 6))
    sent = Reminder.objects.filter(rule__code="follow-up-due", status=ReminderStatus.SENT)
    assert [(r.recipient, r.follow_up.description) for r in sent] == [(sales, "寄送报价单")]
    assert sales.notifications.filter(title__contains="follow-up due").count() == 1


def test_the_visited_departments_head_writes_its_part_on_the_page(
    finished_visit, department, login
):
    browser = login(department.head)
    assert finished_visit.pk in [
        v.pk for v in browser.get(reverse("visits:summaries")).context["object_list"]
    ]
    page = browser.get(reverse("visits:summary", args=[finished_visit.pk]))
    assert [s["form"] is not None for s in page.context["sections"]] == [True, False]
    response = browser.post(
        reverse("visits:summary", args=[finished_visit.pk]),
        {
            "side": "department",
            "department-outcome": "达成合作意向",
            "department-fu-TOTAL_FORMS": "0",
            "department-fu-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert finished_visit.summary_parts.get().written_by == department.head
