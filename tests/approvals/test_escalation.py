"""Approvals never stall: a step nobody may decide escalates at once, overdue steps remind
and then escalate (in working hours), administrators decide with a stated reason."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from approvals.models import DecidedAs, EscalationReason, StepState
from approvals.selectors import queue_for
from approvals.services import NotYourStep, ReasonRequired, decide, sweep_steps
from reception.accounts.roles import Role
from reception.models import ReceptionPolicy
from reception.policy.calendar import working_hours_between
from tests.factories import file_visit, moment, user_with
from visits.services.notifications import Kind

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 20)


def pending(visit):
    return visit.approval_steps.select_related("escalated_to").get(state=StepState.PENDING)


@pytest.fixture
def only_grader(db):
    """Files requests and is the only holder of the grading role: nobody else may grade."""
    return user_with(Role.SALES, Role.MARKETING, username="only_grader")


def test_a_step_nobody_may_decide_escalates_at_once_to_the_role_its_chain_step_names(
    four_tier, only_grader, staff
):
    staff.marketing.groups.clear()  # the only other grader left the role
    visit = file_visit(only_grader, four_tier["business"])
    step = pending(visit)
    assert step.escalated_to.name == Role.MARKETING_HEAD
    assert step.escalation_reason == EscalationReason.STALLED
    note = staff.marketing_head.notifications.get(kind=Kind.APPROVAL_ESCALATED)
    assert visit.reference in note.title
    decide(step=step, by=staff.marketing_head, decision=StepState.APPROVED)
    step.refresh_from_db()
    assert step.decided_as == DecidedAs.ESCALATION


def test_a_step_another_holder_of_the_role_may_decide_is_not_escalated(
    four_tier, only_grader, staff
):
    visit = file_visit(only_grader, four_tier["business"])  # staff.marketing grades it
    assert pending(visit).escalated_to is None


def test_with_nobody_in_the_escalation_role_a_stalled_step_goes_to_the_administrators(
    four_tier, only_grader, client
):
    admin = user_with(Role.ADMINISTRATOR, username="admin")
    visit = file_visit(only_grader, four_tier["business"])
    assert pending(visit).escalated_to.name == Role.ADMINISTRATOR
    note = admin.notifications.get(kind=Kind.APPROVAL_ESCALATED)
    step = pending(visit)
    assert note.url == reverse("approvals:step", args=[step.pk])
    # administrators decide it on the oversight page, with a reason
    client.force_login(admin)
    landing = client.get(note.url)
    assert landing["Location"] == f"{reverse('approvals:oversight')}?step={step.pk}#step-{step.pk}"


def test_the_sweep_escalates_a_step_that_stalled_later(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["business"])
    assert pending(visit).escalated_to is None
    staff.marketing.is_active = False  # the only grader left the company
    staff.marketing.save()
    assert sweep_steps()["stalled"] == 1
    assert pending(visit).escalation_reason == EscalationReason.STALLED


def test_working_hours_count_only_the_working_day_on_working_days():
    hours = dict(day_start=moment(MONDAY, 8, 30).time(), day_end=moment(MONDAY, 17, 30).time())
    assert working_hours_between(moment(MONDAY, 9), moment(MONDAY, 17), **hours) == 8
    assert (
        working_hours_between(moment(MONDAY, 16), moment(MONDAY + timedelta(1), 10), **hours) == 3
    )
    # Friday 16:30 to Monday 15:30: one hour on Friday, seven on Monday, none at the weekend
    assert working_hours_between(moment(FRIDAY, 16, 30), moment(MONDAY, 15, 30), **hours) == 8


@pytest.fixture
def waiting_since_monday(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["business"])
    visit.approval_steps.filter(state=StepState.PENDING).update(activated_at=moment(MONDAY, 9))
    return visit


def test_a_step_pending_for_the_reminder_hours_reminds_its_approvers_once(
    waiting_since_monday, staff
):
    assert sweep_steps(now=moment(MONDAY, 16, 59))["reminded"] == 0
    assert sweep_steps(now=moment(MONDAY, 17))["reminded"] == 1
    assert sweep_steps(now=moment(MONDAY, 17, 20))["reminded"] == 0
    assert staff.marketing.notifications.filter(kind=Kind.APPROVAL_OVERDUE).count() == 1
    assert not staff.marketing_head.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()


def test_the_reminder_hours_are_policy(waiting_since_monday, staff):
    policy = ReceptionPolicy.get()
    policy.approval_reminder_hours = 2
    policy.save()
    assert sweep_steps(now=moment(MONDAY, 11))["reminded"] == 1


def test_after_the_escalation_hours_the_escalation_role_is_told_and_may_decide(
    waiting_since_monday, staff
):
    tuesday = MONDAY + timedelta(days=1)
    assert sweep_steps(now=moment(tuesday, 15, 59))["overdue"] == 0
    assert sweep_steps(now=moment(tuesday, 16))["overdue"] == 1
    assert sweep_steps(now=moment(tuesday, 17))["overdue"] == 0
    step = pending(waiting_since_monday)
    assert step.escalated_to.name == Role.MARKETING_HEAD
    assert step.escalation_reason == EscalationReason.OVERDUE
    assert staff.marketing_head.notifications.filter(kind=Kind.APPROVAL_ESCALATED).count() == 1
    assert step.pk in [s.pk for s in queue_for(staff.marketing_head)]


# ---- administrators decide with a stated reason ---------------------------------------------


@pytest.fixture
def admin(db):
    return user_with(Role.ADMINISTRATOR, username="admin", full_name="系统管理员")


def test_an_administrator_decides_with_a_reason_and_the_timeline_shows_it(
    four_tier, sales, admin, login
):
    visit = file_visit(sales, four_tier["business"])
    step = pending(visit)
    response = login(admin).post(
        reverse("approvals:decide_as_administrator", args=[step.pk]),
        {
            f"step{step.pk}-decision": "approved",
            f"step{step.pk}-grade": four_tier["business"].pk,
            f"step{step.pk}-comment": "营销部长出差,客户明早到访",
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.state == StepState.APPROVED and step.decided_as == DecidedAs.ADMINISTRATOR
    page = login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "营销部长出差,客户明早到访" in page and "系统管理员" in page


def test_an_administrator_must_state_the_reason(four_tier, sales, admin):
    visit = file_visit(sales, four_tier["business"])
    with pytest.raises(ReasonRequired):
        decide(step=pending(visit), by=admin, decision=StepState.APPROVED, as_administrator=True)
    assert pending(visit).decided_by is None


def test_only_administrators_decide_in_place_of_the_approvers(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["business"])
    with pytest.raises(NotYourStep):
        decide(
            step=pending(visit),
            by=staff.deputy_gm,
            decision=StepState.APPROVED,
            comment="急",
            as_administrator=True,
        )


def test_the_oversight_page_lists_stalled_and_overdue_steps_only(
    four_tier, sales, only_grader, staff, admin, login
):
    staff.marketing.groups.clear()
    stalled = file_visit(only_grader, four_tier["business"])
    calm = file_visit(sales, four_tier["business"])
    page = login(admin).get(reverse("approvals:oversight"))
    listed = [row["step"].subject_id for row in page.context["rows"]]
    assert listed == [stalled.pk] and calm.pk not in listed


def test_a_sweep_that_finds_a_step_long_overdue_reminds_and_escalates_once(
    waiting_since_monday, staff
):
    later = moment(MONDAY + timedelta(days=3), 12)
    assert sweep_steps(now=later) == {"stalled": 0, "reminded": 1, "overdue": 1}
    assert sweep_steps(now=later + timedelta(hours=1)) == {
        "stalled": 0,
        "reminded": 0,
        "overdue": 0,
    }
    assert staff.marketing.notifications.filter(kind=Kind.APPROVAL_OVERDUE).count() == 1


def test_an_overdue_step_already_escalated_to_the_role_goes_on_to_the_administrators(
    four_tier, only_grader, staff
):
    admin = user_with(Role.ADMINISTRATOR, username="admin2")
    staff.marketing.groups.clear()
    visit = file_visit(only_grader, four_tier["business"])
    assert pending(visit).escalated_to.name == Role.MARKETING_HEAD  # stalled at once
    # filed (and escalated) on Monday at 9:00; the marketing head has 16 working hours
    visit.approval_steps.filter(state=StepState.PENDING).update(
        activated_at=moment(MONDAY, 9), escalated_at=moment(MONDAY, 9)
    )
    sweep_steps(now=moment(MONDAY + timedelta(days=1), 15))
    assert pending(visit).escalated_to.name == Role.MARKETING_HEAD
    sweep_steps(now=moment(MONDAY + timedelta(days=2), 12))
    assert pending(visit).escalated_to.name == Role.ADMINISTRATOR
    assert admin.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()
