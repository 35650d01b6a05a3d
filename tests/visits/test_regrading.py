"""Regrading: a main host who does not hold the role the new grade's standard names makes way
for its first holder, the person regrading is told and the timeline says so; the tasks' hints
follow the new standard and those that depend on it are marked for re-check."""

import pytest

from approvals.models import StepState
from approvals.services import decide
from tests.factories import approve_fully, file_visit
from visits.models import EventKind, PrepStatus
from visits.services.preparation import standard_hint
from visits.services.requests import update_visit_request

pytestmark = pytest.mark.django_db


def regrade_at_first_step(visit, by, grade):
    step = visit.approval_steps.get(state=StepState.PENDING)
    decide(step=step, by=by, decision=StepState.APPROVED, grade=grade)
    visit.refresh_from_db()
    return visit


def test_marketing_regrading_vip_to_business_makes_the_deputy_gm_main_host(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["vip"])
    assert visit.main_host == staff.gm
    regrade_at_first_step(visit, staff.marketing, four_tier["business"])
    assert visit.main_host == staff.deputy_gm


def test_the_person_regrading_is_told_the_main_host_changed(four_tier, sales, staff):
    visit = regrade_at_first_step(
        file_visit(sales, four_tier["vip"]), staff.marketing, four_tier["business"]
    )
    note = staff.marketing.notifications.get(kind="visit_changed")
    assert visit.reference in note.title and "杨军" in note.title


def test_the_timeline_notes_the_new_main_host_and_why(four_tier, sales, staff):
    visit = regrade_at_first_step(
        file_visit(sales, four_tier["vip"]), staff.marketing, four_tier["business"]
    )
    event = visit.events.get(kind=EventKind.CHANGE)
    assert event.actor == staff.marketing
    assert [c["field"] for c in event.changes] == ["main_host"]
    assert "standard" in event.shown_message


def test_a_main_host_who_fits_the_new_standard_stays(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    host = visit.main_host
    regrade_at_first_step(visit, staff.marketing, four_tier["business"])
    assert visit.main_host == host
    assert not staff.marketing.notifications.filter(kind="visit_changed").exists()


@pytest.fixture
def vip_regraded_by_applicant(four_tier, sales, staff):
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    update_visit_request(
        visit=visit, by=sales, data={"proposed_grade": four_tier["business"]}, visitors=None
    )
    visit.refresh_from_db()
    return visit


def test_the_applicant_regrading_after_approval_gets_a_fitting_host_and_is_told(
    vip_regraded_by_applicant, sales, staff
):
    assert vip_regraded_by_applicant.main_host == staff.deputy_gm
    assert sales.notifications.filter(kind="visit_changed", title__contains="杨军").exists()


def test_the_hosts_task_passes_to_the_new_host(vip_regraded_by_applicant, staff):
    task = vip_regraded_by_applicant.prep_tasks.get(template__code="leader-vip-pickup")
    assert task.assignee == staff.deputy_gm


def test_the_new_standards_hints_replace_the_old_and_are_marked_for_re_check(
    vip_regraded_by_applicant,
):
    hotel = vip_regraded_by_applicant.prep_tasks.select_related("template", "visit").get(
        template__code="office-hotel"
    )
    assert standard_hint(hotel) != "4-star hotel"
    assert hotel.needs_recheck and "proposed_grade" in hotel.recheck_fields
    brochures = vip_regraded_by_applicant.prep_tasks.get(template__code="marketing-brochures")
    assert not brochures.needs_recheck


def test_a_grade_fixed_anew_in_the_second_round_marks_the_standard_tasks(four_tier, sales, staff):
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    update_visit_request(
        visit=visit, by=sales, data={"proposed_grade": four_tier["business"]}, visitors=None
    )
    car = visit.prep_tasks.get(template__code="office-car")
    car.needs_recheck, car.recheck_fields, car.recheck_changes = False, [], []
    car.save()
    regrade_at_first_step(visit, staff.marketing, four_tier["guest"])
    car.refresh_from_db()
    assert car.status != PrepStatus.CANCELLED
    assert car.needs_recheck and car.recheck_fields == ["final_grade"]
