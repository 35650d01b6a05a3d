"""The itinerary: drafted from the reception procedure on approval, editable, on the visit page."""

from datetime import timedelta

import pytest
from django.urls import reverse

from approvals.models import StepState
from approvals.services import decide
from tests.factories import file_visit, user_with
from visits.models import ProcedureStep

pytestmark = pytest.mark.django_db


def approve_through(visit):
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


def test_approval_drafts_the_itinerary_from_the_procedure_and_services(four_tier, sales):
    visit = approve_through(
        file_visit(sales, four_tier["vip"])
    )  # car from the airport, meals, hotel
    steps = [item.step for item in visit.itinerary.all()]
    assert steps[0] == ProcedureStep.PICK_UP and steps[-1] == ProcedureStep.SEND_OFF
    assert {
        ProcedureStep.WELCOME,
        ProcedureStep.TOUR,
        ProcedureStep.MEALS,
        ProcedureStep.ACCOMMODATION,
    } <= set(steps)
    pick_up = visit.itinerary.first()
    assert pick_up.starts_at == visit.arrival_at and pick_up.place == visit.arrival_point


def test_without_car_meals_or_rooms_those_steps_are_left_out(four_tier, sales):
    visit = approve_through(
        file_visit(sales, four_tier["routine"], services=[], purposes=["drop_by"], meals=0, rooms=0)
    )
    steps = {item.step for item in visit.itinerary.all()}
    assert not steps & {
        ProcedureStep.PICK_UP,
        ProcedureStep.TOUR,
        ProcedureStep.MEALS,
        ProcedureStep.ACCOMMODATION,
    }


def test_the_receptionist_edits_the_itinerary_and_it_shows_on_the_visit_page(
    four_tier, sales, staff, login
):
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    browser = login(staff.receptionist)
    start = visit.arrival_at + timedelta(hours=1)
    response = browser.post(
        reverse("visits:itinerary", args=[visit.pk]),
        {
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "0",
            "items-0-step": "welcome",
            "items-0-starts_at": start.astimezone().strftime("%Y-%m-%dT%H:%M"),
            "items-0-place": "一号会议室",
            "items-0-responsible": staff.gm.pk,
            "items-1-step": "tour",
            "items-1-starts_at": (start + timedelta(hours=1))
            .astimezone()
            .strftime("%Y-%m-%dT%H:%M"),
            "items-1-title": "参观总装车间",
        },
    )
    assert response.status_code == 302
    assert [i.label for i in visit.itinerary.all()] == [
        "Welcome into the meeting room",
        "参观总装车间",
    ]
    page = browser.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "参观总装车间" in page and "一号会议室" in page
    assert visit.events.filter(kind="change", changes__0__field="itinerary").exists()


def test_an_itinerary_item_needs_a_time(four_tier, sales, staff, login):
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    response = login(staff.receptionist).post(
        reverse("visits:itinerary", args=[visit.pk]),
        {"items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-0-step": "welcome"},
    )
    assert response.status_code == 400
    assert visit.itinerary.count() > 0  # nothing lost


def test_other_sales_staff_cannot_edit_it(four_tier, sales, other_sales, login):
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    assert login(other_sales).get(reverse("visits:itinerary", args=[visit.pk])).status_code == 404
