"""The arrivals board: visitor names per visit, search, and the pick-up the office recorded."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import StaffMembership
from tests.factories import ClientFactory, file_visit, user_with
from visits.forms.desk import ArrangementsForm
from visits.models import EventKind, PrepStatus, StandardHint
from visits.services import desk
from visits.services.preparation import complete_task

pytestmark = pytest.mark.django_db

BOARD = reverse("visits:board")


def approved_tomorrow(sales, grade, **extra):
    arrival = (timezone.localtime() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    visit = file_visit(
        sales,
        grade,
        late_reason="急",
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=6),
        **extra,
    )
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


@pytest.fixture
def frontdesk(db):
    return user_with(Role.FRONT_DESK, username="frontdesk")


@pytest.fixture
def visit(four_tier, sales, staff):
    return approved_tomorrow(sales, four_tier["vip"])


def car_task(visit):
    return visit.prep_tasks.get(template__standard_hint=StandardHint.CAR)


def office_member(task):
    member = user_with(Role.DEPARTMENT_MEMBER, username="office_clerk")
    StaffMembership.objects.create(user=member, department=task.department)
    return member


def board_page(browser, **params):
    response = browser.get(BOARD, {"tab": "tomorrow", **params})
    assert response.status_code == 200
    return response


def test_the_board_names_each_visitor_and_marks_who_checked_in(visit, frontdesk, login):
    first, *others = list(visit.visitors.order_by("pk"))
    desk.check_in(visit=visit, by=frontdesk, visitor_ids=[first.pk])
    page = board_page(login(frontdesk)).content.decode()
    assert f'<span class="fw-semibold">{first.name}</span>' in page
    for other in others:  # the desk checks them in with one click
        assert f'data-visitor="{other.pk}" title="check in"><i class="bi bi-circle"' in page
    page = board_page(login(user_with(Role.SECURITY))).content.decode()  # the gate only reads
    assert "board-check-in" not in page
    for other in others:
        assert f'bi-circle text-body-secondary" aria-hidden="true"></i> {other.name}' in page


def test_the_board_searches_by_visitor_or_company_name(four_tier, sales, staff, frontdesk, login):
    acme = approved_tomorrow(sales, four_tier["routine"], client=ClientFactory(name="苏州精密"))
    other = approved_tomorrow(
        sales,
        four_tier["routine"],
        client=ClientFactory(name="宁波模具"),
        visitors=[{"name": "欧阳娜娜", "title": "采购", "phone": "13900000001"}],
        headcount=1,
    )
    browser = login(frontdesk)
    assert [v.pk for v in board_page(browser, q="精密").context["visits"]] == [acme.pk]
    assert [v.pk for v in board_page(browser, q="欧阳").context["visits"]] == [other.pk]
    assert len(board_page(browser).context["visits"]) == 2


def test_the_car_and_driver_the_office_records_on_its_task_are_what_the_board_shows(
    visit, frontdesk, login
):
    task = car_task(visit)
    member = office_member(task)
    login(member).post(
        reverse("visits:task_action", args=[task.pk, "done"]),
        {f"task{task.pk}-car": "别克GL8 沪A·12345", f"task{task.pk}-driver": "王师傅 13800000000"},
    )
    task.refresh_from_db()
    visit.refresh_from_db()
    assert task.status == PrepStatus.DONE
    assert visit.pickup_car == "别克GL8 沪A·12345"
    assert visit.pickup_driver == "王师傅 13800000000"
    assert visit.events.filter(kind=EventKind.CHANGE, actor=member).exists()
    page = board_page(login(frontdesk)).content.decode()
    assert "别克GL8 沪A·12345" in page and "car to be assigned" not in page


def test_a_note_alone_on_the_car_task_shows_on_the_board(visit, frontdesk, login):
    task = car_task(visit)
    complete_task(task=task, by=office_member(task), note="已安排:商务车,机场T2接")
    [row] = board_page(login(frontdesk)).context["visits"]
    assert row.pickup_done and row.pickup_note == "已安排:商务车,机场T2接"
    assert "已安排:商务车,机场T2接" in board_page(login(frontdesk)).content.decode()


def test_other_tasks_do_not_touch_the_pickup(visit):
    task = visit.prep_tasks.exclude(template__standard_hint=StandardHint.CAR).first()
    complete_task(task=task, by=office_member(task), car="不该写入")
    visit.refresh_from_db()
    assert visit.pickup_car == ""


def test_the_desk_no_longer_types_the_car_a_second_time():
    assert "pickup_car" not in ArrangementsForm().fields


def test_the_day_shows_beside_the_time_only_where_the_time_alone_could_mislead(
    visit, frontdesk, login
):
    browser = login(frontdesk)
    arrival = timezone.localtime(visit.arrival_at)
    time_cell = f'<span class="board-time fw-semibold">{arrival:%H:%M}</span>'
    with_day = time_cell + f'<div class="small text-body-secondary">{arrival:%m-%d} '
    # One day shown, and the visit arrives that day: the time is enough.
    page = board_page(browser).content.decode()
    assert time_cell + "</td>" in page
    # Seven days shown: each row says which day.
    assert with_day in board_page(browser, tab="week").content.decode()
    # Two days after arrival the group is still on site: its row says when it came.
    visit.departure_at = visit.arrival_at + timedelta(days=3)
    visit.save(update_fields=["departure_at"])
    day_after = (arrival.date() + timedelta(days=2)).isoformat()
    assert with_day in board_page(browser, day=day_after).content.decode()
