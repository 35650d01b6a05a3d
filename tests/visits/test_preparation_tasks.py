"""Preparation tasks: generated from the division of labour on final approval, ticked off by
departments, kept in step with changes, tracked by the receptionist."""

from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import ClientCategory, Department
from reception.policy.calendar import working_days_before
from tests.factories import ClientFactory, file_visit, user_with, visit_data
from visits.models import PrepStatus, PrepTask
from visits.services.preparation import generate_tasks, quantity_hint, standard_hint
from visits.services.requests import update_visit_request

pytestmark = pytest.mark.django_db


def approve_through(visit):
    """Approve every pending step with a fresh holder of its role."""
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


def task_codes(visit):
    return {
        t.template.code
        for t in visit.prep_tasks.exclude(status=PrepStatus.CANCELLED).select_related("template")
    }


VIP_EXTRAS = {"office-flowers-cards", "logistics-flowers", "leader-vip-pickup"}


@pytest.mark.parametrize(
    "scheme, top, bottom", [("four-tier", "vip", "routine"), ("abc", "a", "c")]
)
def test_a_top_grade_visit_gets_flowers_cards_and_the_best_car_a_routine_one_none(
    scheme, top, bottom, sales, request
):
    grades = request.getfixturevalue("four_tier" if scheme == "four-tier" else "abc")
    vip = approve_through(file_visit(sales, grades[top]))
    routine = approve_through(file_visit(sales, grades[bottom]))
    assert task_codes(vip) >= VIP_EXTRAS
    assert "office-car" in task_codes(vip)
    car = vip.prep_tasks.get(template__code="office-car")
    assert standard_hint(car) == "BMW class or above"
    assert not (VIP_EXTRAS | {"office-car"}) & task_codes(routine)


def test_a_business_visit_gets_a_passat_class_car(four_tier, sales):
    visit = approve_through(file_visit(sales, four_tier["business"]))
    assert (
        standard_hint(visit.prep_tasks.get(template__code="office-car")) == "Passat class or above"
    )


def test_the_car_task_only_comes_when_a_car_is_wanted(four_tier, sales):
    visit = approve_through(file_visit(sales, four_tier["vip"], services=["guided_tour"]))
    assert "office-car" not in task_codes(visit)
    assert "tech-tour-guide" in task_codes(visit)


def test_an_audit_gets_the_audit_checklist(four_tier, sales):
    audit = approve_through(file_visit(sales, four_tier["guest"], purposes=["system_audit"]))
    tour = approve_through(file_visit(sales, four_tier["guest"], purposes=["tour"]))
    checklist = {"audit-plan", "audit-documents", "audit-inspection-records", "audit-site-check"}
    assert checklist <= task_codes(audit)
    assert not checklist & task_codes(tour)


def test_a_technical_customer_gives_the_project_engineer_tasks(four_tier):
    engineer = user_with(Role.PROJECT_ENGINEER)
    technical = ClientFactory(category=ClientCategory.EXISTING_TECHNICAL)
    visit = approve_through(file_visit(engineer, four_tier["business"], client=technical))
    task = visit.prep_tasks.get(template__code="engineer-technical-preparation")
    assert task.assignee == engineer and task.department.code == "technology"


def test_tasks_are_generated_on_final_approval_only(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    decide(step=visit.approval_steps.get(state="pending"), by=staff.marketing, decision="approved")
    assert not visit.prep_tasks.exists()  # one approval of three is not approval
    approve_through(visit)
    assert visit.prep_tasks.count() > 5


def test_generating_twice_never_duplicates(four_tier, sales):
    visit = approve_through(file_visit(sales, four_tier["vip"]))
    count = visit.prep_tasks.count()
    assert generate_tasks(visit) == ([], [])
    assert visit.prep_tasks.count() == count


def test_due_dates_count_working_days_and_skip_the_weekend(four_tier, sales):
    monday = date(2030, 3, 4)
    assert monday.weekday() == 0
    assert working_days_before(monday, 1) == date(2030, 3, 1)  # Friday
    assert working_days_before(monday, 2) == date(2030, 2, 28)  # Thursday
    arrival = timezone.make_aware(datetime.combine(monday, time(9, 30)))
    visit = approve_through(
        file_visit(
            sales, four_tier["vip"], arrival_at=arrival, departure_at=arrival + timedelta(hours=8)
        )
    )
    due = {t.template.code: t.due_date for t in visit.prep_tasks.select_related("template")}
    assert due["office-car"] == date(2030, 2, 28)  # two working days before
    assert due["office-meeting-room"] == date(2030, 3, 1)
    assert due["logistics-gate"] == monday  # on the day


def test_hints_come_from_the_request_and_the_grades_standard(four_tier, sales):
    visit = approve_through(
        file_visit(sales, four_tier["vip"], headcount=4, meal_staff=3, meals=2, rooms=2, nights=3)
    )
    hint = {t.template.code: t for t in visit.prep_tasks.select_related("template", "visit")}
    assert quantity_hint(hint["office-meeting-room"]) == "7 seats"
    assert quantity_hint(hint["office-hotel"]) == "2 rooms × 3 nights"
    assert standard_hint(hint["office-hotel"]) == "4-star hotel"
    assert standard_hint(hint["logistics-canteen"]) == "¥150 per person"


# ---- departments tick their tasks ----------------------------------------------------------


@pytest.fixture
def office_member(db):
    member = user_with(Role.DEPARTMENT_MEMBER, username="office_m")
    return member


@pytest.fixture
def approved_vip(four_tier, sales, office_member):
    Department.objects.get(code="office").memberships.create(user=office_member)
    return approve_through(file_visit(sales, four_tier["vip"]))


def test_a_member_ticks_a_task_in_place_with_a_note_and_can_undo(
    approved_vip, office_member, login
):
    browser = login(office_member)
    task = approved_vip.prep_tasks.get(template__code="office-car")
    url = reverse("visits:task_action", args=[task.pk, "done"])
    response = browser.post(
        url, {f"task{task.pk}-note": "宝马 沪A12345,司机老王"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and f'id="task-{task.pk}"' in response.content.decode()
    task.refresh_from_db()
    assert (task.status, task.done_by, task.note) == (
        PrepStatus.DONE,
        office_member,
        "宝马 沪A12345,司机老王",
    )
    assert task.done_at is not None
    browser.post(reverse("visits:task_action", args=[task.pk, "reopen"]), HTTP_HX_REQUEST="true")
    task.refresh_from_db()
    assert task.status == PrepStatus.OPEN and task.done_by is None


def test_a_member_of_another_department_cannot_tick_the_task(approved_vip, login):
    outsider = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="logistics").memberships.create(user=outsider)
    task = approved_vip.prep_tasks.get(template__code="office-car")
    response = login(outsider).post(reverse("visits:task_action", args=[task.pk, "done"]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == PrepStatus.OPEN


def test_the_department_page_shows_my_departments_open_tasks_overdue_first(
    approved_vip, office_member, login
):
    car = approved_vip.prep_tasks.get(template__code="office-car")
    PrepTask.objects.filter(pk=car.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    page = login(office_member).get(reverse("visits:tasks"))
    overdue = [row["task"].pk for row in page.context["overdue"]]
    assert overdue == [car.pk]
    listed = {row["task"].department.code for _day, rows in page.context["groups"] for row in rows}
    assert listed == {"office"}


def test_the_head_assigns_tasks_to_members_and_they_are_told(approved_vip, office_member, login):
    office = Department.objects.get(code="office")
    head = user_with(Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER)
    office.head = head
    office.save()
    task = approved_vip.prep_tasks.get(template__code="office-hotel")
    login(head).post(
        reverse("visits:task_action", args=[task.pk, "assign"]), {"assignee": office_member.pk}
    )
    task.refresh_from_db()
    assert task.assignee == office_member
    assert office_member.notifications.filter(kind="task_assigned").exists()
    response = login(office_member).post(
        reverse("visits:task_action", args=[task.pk, "assign"]),
        {"assignee": office_member.pk},
        follow=True,
    )
    assert "Only the head of the department" in response.content.decode()


def test_the_department_page_runs_the_same_queries_for_5_and_50_tasks(
    four_tier, sales, login, count_queries, django_assert_num_queries
):
    member = user_with(Role.DEPARTMENT_MEMBER)
    office = Department.objects.get(code="office")
    office.memberships.create(user=member)
    office.head = member
    office.save()
    browser = login(member)
    url = reverse("visits:tasks")

    def office_tasks():
        return PrepTask.objects.filter(department=office, status=PrepStatus.OPEN).count()

    def cold():  # no row kept rendered yet (the page reads their tasks' objects then)
        caches["template_fragments"].clear()
        browser.get(url)

    approve_through(file_visit(sales, four_tier["routine"], services=[]))
    while office_tasks() < 5:
        approve_through(file_visit(sales, four_tier["routine"], services=[]))
    few = count_queries(lambda: browser.get(url))  # warm: the rows kept rendered
    few_cold = count_queries(cold)
    while office_tasks() < 50:
        approve_through(file_visit(sales, four_tier["vip"]))
    assert count_queries(cold) == few_cold
    with django_assert_num_queries(few):
        browser.get(url)


# ---- changes after approval ---------------------------------------------------------------


def change(visit, by, **overrides):
    data = visit_data(visit.proposed_grade, client=visit.client)
    data |= {"arrival_at": visit.arrival_at, "departure_at": visit.departure_at}
    data |= {
        k: getattr(visit, k)
        for k in (
            "services",
            "purposes",
            "headcount",
            "meals",
            "rooms",
            "nights",
            "meal_staff",
            "banner_text",
        )
    }
    data |= overrides
    return update_visit_request(visit=visit, by=by, data=data, visitors=None)


def test_a_changed_headcount_marks_the_tasks_it_affects_for_re_check(
    approved_vip, sales, office_member
):
    room = approved_vip.prep_tasks.get(template__code="office-meeting-room")
    cleaning = approved_vip.prep_tasks.get(template__code="logistics-cleaning")
    change(approved_vip, sales, headcount=5)
    room.refresh_from_db()
    cleaning.refresh_from_db()
    assert room.needs_recheck and room.recheck_fields == ["headcount"]
    assert not cleaning.needs_recheck
    assert office_member.notifications.filter(title__contains="re-check").exists()


def test_a_new_day_moves_every_due_date_but_flags_only_the_tasks_that_depend_on_it(
    approved_vip, sales
):
    before = {t.pk: t.due_date for t in approved_vip.prep_tasks.all()}
    later = approved_vip.arrival_at + timedelta(days=7)
    change(approved_vip, sales, arrival_at=later, departure_at=later + timedelta(hours=8))
    tasks = {
        t.template.code: t for t in approved_vip.prep_tasks.exclude(status=PrepStatus.CANCELLED)
    }
    assert all(t.due_date > before[t.pk] for t in tasks.values())
    assert tasks["logistics-gate"].due_date == timezone.localtime(later).date()
    assert tasks["logistics-gate"].needs_recheck and tasks["office-car"].needs_recheck
    assert not tasks["marketing-brochures"].needs_recheck


def test_a_removed_service_cancels_its_tasks_and_an_added_one_adds_them(approved_vip, sales):
    assert "office-car" in task_codes(approved_vip)
    change(approved_vip, sales, services=["guided_tour", "welcome_banner", "fruit"])
    codes = task_codes(approved_vip)
    assert "office-car" not in codes
    assert approved_vip.prep_tasks.get(template__code="office-car").status == PrepStatus.CANCELLED
    assert "logistics-fruit" in codes


def test_readiness_moves_when_tasks_are_ticked(approved_vip, office_member, login, staff):
    browser = login(staff.receptionist)
    before = browser.get(reverse("visits:preparation")).context["rows"][0]["visit"].readiness
    for task in approved_vip.prep_tasks.filter(department__code="office"):
        login(office_member).post(reverse("visits:task_action", args=[task.pk, "done"]))
    after = (
        login(staff.receptionist)
        .get(reverse("visits:preparation"))
        .context["rows"][0]["visit"]
        .readiness
    )
    assert before == 0 and 0 < after < 100


def test_the_preparation_page_puts_the_least_ready_soonest_visit_first(
    four_tier, sales, staff, login
):
    soon = approve_through(file_visit(sales, four_tier["routine"], late_reason="急", **_in(2)))
    later = approve_through(file_visit(sales, four_tier["routine"], **_in(9)))
    ready_soon = approve_through(
        file_visit(sales, four_tier["routine"], late_reason="急", **_in(1))
    )
    ready_soon.prep_tasks.update(status=PrepStatus.DONE)
    rows = login(staff.receptionist).get(reverse("visits:preparation")).context["rows"]
    order = [row["visit"].pk for row in rows]
    assert order == [soon.pk, later.pk, ready_soon.pk]


def _in(days):
    arrival = (timezone.localtime() + timedelta(days=days)).replace(hour=10, minute=0)
    return {"arrival_at": arrival, "departure_at": arrival + timedelta(hours=6)}


def test_only_the_receptionist_tracks_everyone(login, four_tier):
    assert (
        login(user_with(Role.DEPARTMENT_MEMBER)).get(reverse("visits:preparation")).status_code
        == 403
    )
    assert login(user_with(Role.RECEPTIONIST)).get(reverse("visits:preparation")).status_code == 200
