"""After the visit: the work summary by HR or the visited side closes it."""

import pytest
from django.urls import reverse

from approvals.models import StepState
from approvals.services import decide
from reception.roles import Role
from tests.factories import file_visit, user_with
from visits.models import VisitStatus
from visits.services import desk
from visits.services.lifecycle import VisitError
from visits.services.summary import close_with_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_visit(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"])
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    return visit


def test_hr_writes_the_summary_and_it_closes_the_visit(finished_visit, login):
    hr = user_with(Role.HR)
    browser = login(hr)
    assert finished_visit.pk in [
        v.pk for v in browser.get(reverse("visits:summaries")).context["object_list"]
    ]
    response = browser.post(
        reverse("visits:summary", args=[finished_visit.pk]),
        {"outcome": "达成年度框架协议意向", "lessons": "接站时间需再确认", "expenses": "1280.50"},
    )
    assert response.status_code == 302
    finished_visit.refresh_from_db()
    assert finished_visit.status == VisitStatus.CLOSED
    assert finished_visit.summary.written_by == hr
    assert finished_visit.applicant.notifications.filter(kind="visit_closed").exists()


def test_the_outcome_is_required(finished_visit, login):
    response = login(user_with(Role.HR)).post(
        reverse("visits:summary", args=[finished_visit.pk]), {"outcome": ""}
    )
    assert response.status_code == 400
    finished_visit.refresh_from_db()
    assert finished_visit.status == VisitStatus.COMPLETED


def test_no_summary_before_the_guests_have_left(four_tier, sales):
    visit = file_visit(sales, four_tier["routine"])
    with pytest.raises(VisitError, match="once the guests have left"):
        close_with_summary(visit=visit, by=sales, data={"outcome": "x"})


def test_someone_unrelated_cannot_write_it(finished_visit):
    with pytest.raises(VisitError, match="writes the work summary"):
        close_with_summary(
            visit=finished_visit, by=user_with(Role.MARKETING), data={"outcome": "x"}
        )
