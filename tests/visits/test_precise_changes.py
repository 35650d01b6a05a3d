"""Changes after approval are precise: only tasks whose watched fields changed are flagged,
and the re-check note shows the old and the new value."""

from datetime import timedelta

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import approve_fully, file_visit, user_with
from visits.services.requests import update_visit_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(four_tier, sales, staff):
    return approve_fully(file_visit(sales, four_tier["vip"], meals=2, headcount=3))


def change(visit, by, **data):
    update_visit_request(visit=visit, by=by, data=data, visitors=None)
    return {t.template.code: t for t in visit.prep_tasks.select_related("template")}


def flagged(tasks) -> set[str]:
    return {code for code, t in tasks.items() if t.needs_recheck}


def test_a_30_minute_arrival_shift_flags_pick_up_and_meals_not_the_brochures(visit, sales):
    tasks = change(visit, sales, arrival_at=visit.arrival_at + timedelta(minutes=30))
    assert {"office-car", "logistics-canteen", "office-offsite-meals"} <= flagged(tasks)
    assert not {"marketing-brochures", "office-hotel", "office-meeting-room"} & flagged(tasks)


def test_a_new_arrival_day_flags_the_hotel(visit, sales):
    tasks = change(
        visit,
        sales,
        arrival_at=visit.arrival_at + timedelta(days=1),
        departure_at=visit.departure_at + timedelta(days=1),
    )
    assert "office-hotel" in flagged(tasks)
    assert "marketing-brochures" not in flagged(tasks)


def test_the_hotel_task_watches_the_headcount_and_the_rooms(visit, sales):
    assert "office-hotel" in flagged(change(visit, sales, headcount=5))
    visit.prep_tasks.update(needs_recheck=False)
    assert "office-hotel" in flagged(change(visit, sales, rooms=4))


def test_a_changed_banner_flags_no_task_that_does_not_read_it(visit, sales):
    assert not flagged(change(visit, sales, banner_text="欢迎"))


def test_the_task_keeps_the_old_and_new_values(visit, sales):
    hotel = change(visit, sales, headcount=5)["office-hotel"]
    assert hotel.recheck_changes == [{"field": "headcount", "old": 3, "new": 5}]


def test_a_second_change_keeps_the_value_the_task_was_prepared_for(visit, sales):
    change(visit, sales, headcount=5)
    hotel = change(visit, sales, headcount=6)["office-hotel"]
    assert hotel.recheck_changes == [{"field": "headcount", "old": 3, "new": 6}]


def test_the_re_check_note_on_the_task_row_shows_old_and_new(visit, sales, login):
    member = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="office").memberships.create(user=member)
    change(visit, sales, headcount=5)
    page = login(member).get(reverse("visits:tasks")).content.decode()
    assert "3 → 5" in page
