"""Late requests: no task is due before the day of approval (those that would be are due today
and marked urgent), and the T−2 hand-over to the receptionist goes out on approval when its
moment has already passed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import approve_fully, file_visit, user_with
from visits.models import PrepStatus

pytestmark = pytest.mark.django_db


def arriving_in(days: int) -> dict:
    arrival = (timezone.localtime() + timedelta(days=days)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    return {"arrival_at": arrival, "departure_at": arrival + timedelta(hours=8)}


@pytest.fixture
def late_visit(four_tier, sales, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return approve_fully(
            file_visit(sales, four_tier["vip"], late_reason="客户临时决定", **arriving_in(1))
        )


def test_no_task_of_a_late_request_is_due_before_the_day_of_approval(late_visit):
    today = timezone.localdate()
    dues = list(late_visit.prep_tasks.values_list("due_date", flat=True))
    assert dues and min(dues) >= today


def test_a_task_whose_due_date_had_passed_is_due_today_and_urgent(late_visit):
    car = late_visit.prep_tasks.get(template__code="office-car")  # 2 working days ahead
    gate = late_visit.prep_tasks.get(template__code="logistics-gate")  # on the day
    assert (car.due_date, car.urgent) == (timezone.localdate(), True)
    assert (gate.due_date, gate.urgent) == (timezone.localtime(late_visit.arrival_at).date(), False)


def test_a_request_filed_in_time_has_no_urgent_task(four_tier, sales, staff):
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    assert not visit.prep_tasks.filter(urgent=True).exists()


def test_the_department_page_marks_the_urgent_tasks(late_visit, login):
    member = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="office").memberships.create(user=member)
    page = login(member).get(reverse("visits:tasks")).content.decode()
    assert "bi-lightning-charge" in page


def test_an_urgent_task_is_not_overdue(late_visit):
    assert not any(t.is_overdue for t in late_visit.prep_tasks.exclude(status=PrepStatus.CANCELLED))


def test_a_late_approval_hands_the_visitor_information_over_at_once(late_visit, staff):
    handover = staff.receptionist.notifications.filter(kind="reminder_visitor_information")
    assert handover.count() == 1
    assert late_visit.reference in handover.get().title


def test_an_approval_in_time_waits_for_the_hand_over_day(
    four_tier, sales, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        approve_fully(file_visit(sales, four_tier["vip"], **arriving_in(10)))
    assert not staff.receptionist.notifications.filter(kind="reminder_visitor_information").exists()
