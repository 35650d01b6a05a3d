"""The home page is each person's work queue: counts and short lists with links."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import Notification, StaffMembership
from tests.factories import approve_fully, file_visit, user_with
from visits import links
from visits.models import PrepStatus, VisitStatus, WalkIn

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def work(browser) -> dict:
    response = browser.get(HOME)
    assert response.status_code == 200
    return {section.key: section for section in response.context["work"]}


def walk_in_for(person, desk, n=1):
    for i in range(n):
        WalkIn.objects.create(
            recorded_by=desk,
            company=f"无锡精工{i}",
            names="王先生",
            phone="13900000000",
            wants_to_see=person,
            purpose="洽谈",
        )


def test_home_counts_the_requests_waiting_for_my_decision(four_tier, sales, staff, login):
    file_visit(sales, four_tier["routine"])
    visit = file_visit(sales, four_tier["vip"])
    section = work(login(staff.marketing))["decisions"]
    assert section.count == 2
    assert reverse("visits:detail", args=[visit.pk]) in [row.url for row in section.rows]
    assert "decisions" not in work(login(staff.gm))


def test_home_lists_my_drafts_and_returned_requests_but_not_submitted_ones(four_tier, sales, login):
    draft = file_visit(sales, four_tier["routine"], submit=False)
    file_visit(sales, four_tier["routine"])
    section = work(login(sales))["requests"]
    assert section.count == 1
    assert section.rows[0].url == reverse("visits:detail", args=[draft.pk])


def test_home_shows_the_tasks_i_hold_that_are_overdue(four_tier, sales, login):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    held = visit.prep_tasks.filter(assignee=sales, status=PrepStatus.OPEN)
    assert held.exists()
    assert "tasks" not in work(login(sales))  # due days before the visit, not yet
    held.update(due_date=timezone.localdate() - timedelta(days=1))
    section = work(login(sales))["tasks"]
    assert section.count == held.count()
    assert section.rows[0].late
    row = held.order_by("due_date", "pk").first()
    assert section.rows[0].url == f"{reverse('visits:my_tasks')}?visit={visit.pk}#task-{row.pk}"


def test_home_shows_todays_arrivals_to_the_host_and_the_desk(four_tier, sales, login):
    arrival = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    visit = file_visit(
        sales,
        four_tier["routine"],
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=2),
        late_reason="客户临时通知",
    )
    approve_fully(visit)
    assert visit.status == VisitStatus.APPROVED
    desk = user_with(Role.FRONT_DESK)
    section = work(login(desk))["arrivals"]
    assert section.count == 1
    assert section.rows[0].url == reverse("visits:desk", args=[visit.pk])
    assert work(login(sales))["arrivals"].rows[0].url == reverse("visits:detail", args=[visit.pk])
    assert "arrivals" not in work(login(user_with(Role.SALES)))


def test_home_shows_walk_ins_waiting_for_the_person_asked_for(sales, login):
    desk = user_with(Role.FRONT_DESK)
    walk_in_for(sales, desk)
    assert work(login(sales))["walk_ins"].count == 1
    assert "walk_ins" not in work(login(user_with(Role.SALES)))
    assert work(login(desk))["walk_ins"].count == 1


def test_home_counts_unread_notifications(sales, login):
    Notification.objects.create(recipient=sales, kind="test", title="一")
    Notification.objects.create(recipient=sales, kind="test", title="二", read_at=timezone.now())
    assert work(login(sales))["notifications"].count == 1


def test_home_says_so_when_nothing_waits(sales, login):
    response = login(sales).get(HOME)
    assert response.context["work"] == []


def _home_queries(browser) -> int:
    browser.get(HOME)
    with CaptureQueriesContext(connection) as ctx:
        assert browser.get(HOME).status_code == 200
    return len(ctx.captured_queries)


ONE = {"name": "孙立群", "title": "采购副总裁", "phone": "13900139002"}


def _fill(n, person, other_sales, desk, grade):
    for _ in range(n):
        file_visit(person, grade, submit=False, visitors=[])
        file_visit(other_sales, grade, visitors=[ONE], headcount=1)
        Notification.objects.create(recipient=person, kind="test", title="通知")
    walk_in_for(person, desk, n)


def test_the_home_page_runs_as_many_queries_for_20_items_as_for_2(four_tier, login):
    person = user_with(Role.SALES, Role.MARKETING, username="busy")
    other_sales, desk = user_with(Role.SALES), user_with(Role.FRONT_DESK)
    browser = login(person)
    _fill(2, person, other_sales, desk, four_tier["routine"])
    small = work(browser)
    few = _home_queries(browser)
    _fill(18, person, other_sales, desk, four_tier["routine"])
    many = _home_queries(browser)
    big = work(browser)
    assert {k: s.count for k, s in small.items() if k != "notifications"} == {
        "walk_ins": 2,
        "decisions": 2,
        "requests": 2,
    }
    assert big["decisions"].count == 20 and len(big["decisions"].rows) == 5
    assert few == many


# ---- mine apart from my department's; overdue apart from due today -------------------------


@pytest.fixture
def marketing_tasks(four_tier, sales, other_sales):
    """A colleague's approved visit: its marketing tasks nobody holds are the department's."""
    from reception.models import Department, StaffMembership

    marketing = Department.objects.get(code="marketing")
    for person in (sales, other_sales):
        StaffMembership.objects.get_or_create(user=person, department=marketing)
    visit = approve_fully(file_visit(other_sales, four_tier["routine"]))
    tasks = visit.prep_tasks.filter(department=marketing, assignee__isnull=True)
    assert tasks.exists()
    tasks.update(due_date=timezone.localdate())
    return tasks


def test_the_departments_tasks_nobody_holds_are_apart_from_mine(marketing_tasks, sales, login):
    sections = work(login(sales))
    assert "tasks" not in sections  # sales holds none of them
    untaken = sections["department_tasks"]
    assert untaken.count == marketing_tasks.count()
    assert all(row.take_url for row in untaken.rows)


def test_taking_a_task_makes_it_mine(marketing_tasks, sales, login):
    task = marketing_tasks.order_by("pk").first()
    browser = login(sales)
    response = browser.post(reverse("visits:task_action", args=[task.pk, "take"]), {"next": HOME})
    assert response.status_code == 302 and response["Location"] == HOME
    task.refresh_from_db()
    assert task.assignee == sales
    sections = work(browser)
    assert [row.url for row in sections["tasks"].rows] == [
        links.visit_tasks(task.visit_id, held=True, task_id=task.pk)  # on My tasks
    ]
    assert sections["department_tasks"].count == marketing_tasks.count()  # the rest


def test_a_task_someone_took_cannot_be_taken_again(marketing_tasks, sales, other_sales):
    from visits.services.lifecycle import VisitError
    from visits.services.preparation import take_task

    task = marketing_tasks.order_by("pk").first()
    take_task(task=task, by=other_sales)
    with pytest.raises(VisitError, match="already taken"):
        take_task(task=task, by=sales)


def test_only_a_member_of_the_department_takes_its_tasks(marketing_tasks):
    from visits.services.lifecycle import VisitError
    from visits.services.preparation import take_task

    outsider = user_with(Role.SALES, username="outsider")
    with pytest.raises(VisitError, match="member of the department"):
        take_task(task=marketing_tasks.first(), by=outsider)


def test_overdue_and_due_today_differ_in_word_and_colour(marketing_tasks, sales, login):
    late = marketing_tasks.order_by("pk").first()
    PrepTaskModel = type(late)
    PrepTaskModel.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - timedelta(days=2)
    )
    browser = login(sales)
    rows = {row.url.rsplit("-", 1)[1]: row for row in work(browser)["department_tasks"].rows}
    assert rows[str(late.pk)].late and not rows[str(late.pk)].due_today
    assert all(row.due_today and not row.late for pk, row in rows.items() if pk != str(late.pk))
    page = browser.get(HOME).content.decode()
    assert page.count("work-overdue") == 1 and "overdue</span>" in page
    assert "work-due-today" in page and "due today</span>" in page


# ---- hosts see what they host, 7 working days ahead ----------------------------------------


def test_the_next_7_working_days_follow_the_reception_calendar(db):
    from datetime import date

    from visits.views.home import last_day_ahead

    # Mon 29 Sep 2025: 29, 30 Sep, then National Day (1–8 Oct), 9, 10, Sat 11 (make-up), 13, 14
    assert last_day_ahead(date(2025, 9, 29)) == date(2025, 10, 14)
    # a Saturday counts from the Monday after
    assert last_day_ahead(date(2025, 6, 7)) == date(2025, 6, 17)


def test_the_host_sees_the_visit_she_hosts_next_week(four_tier, sales, staff, login):
    from visits.views.home import last_day_ahead

    today = timezone.localdate()
    last = last_day_ahead(today)
    arrival = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)

    def hosted(day, hour=10):
        moment = arrival + timedelta(days=(day - today).days, hours=hour - 10)
        visit = file_visit(
            sales, four_tier["vip"], arrival_at=moment, departure_at=moment + timedelta(hours=5)
        )
        visit = approve_fully(visit)
        assert visit.main_host == staff.gm
        return visit

    inside = hosted(last, 16)
    outside = hosted(last + timedelta(days=1))
    rows = [row.url for row in work(login(staff.gm))["arrivals"].rows]
    assert reverse("visits:detail", args=[inside.pk]) in rows
    assert reverse("visits:detail", args=[outside.pk]) not in rows
    # the desk keeps today and tomorrow only (every arrival): the board shows the rest
    desk = work(login(user_with(Role.FRONT_DESK))).get("arrivals")
    assert desk is None or reverse("visits:desk", args=[inside.pk]) not in [
        row.url for row in desk.rows
    ]


def test_the_host_sees_a_visit_in_approval_once_she_may_open_it(four_tier, sales, staff, login):
    from approvals.models import StepState
    from approvals.services import decide
    from visits.views.home import last_day_ahead

    day = last_day_ahead(timezone.localdate())
    arrival = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    arrival += timedelta(days=(day - timezone.localdate()).days)
    visit = file_visit(
        sales,
        four_tier["vip"],
        main_host=staff.gm,
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=5),
        late_reason="客户临时通知",
    )
    url = reverse("visits:detail", args=[visit.pk])
    arrivals = work(login(staff.gm)).get("arrivals")
    assert arrivals is None  # waiting for marketing: not hers to open yet
    step = visit.approval_steps.get(state=StepState.PENDING)
    decide(step=step, by=staff.marketing, decision=StepState.APPROVED, grade=four_tier["vip"])
    browser = login(staff.gm)
    [row] = work(browser)["arrivals"].rows
    assert row.url == url and "In approval" in row.detail
    assert browser.get(url).status_code == 200  # the link opens


def test_the_bell_on_home_counts_the_unread_section_s_notifications(sales, login):
    """Home gives the bell its unread section's count (no query of its own): the same number,
    none when nothing is unread, and one more as soon as one arrives."""
    browser = login(sales)
    assert 'id="unread-count"' not in browser.get(reverse("home")).content.decode()
    for title in ("一", "二", "三", "四", "五", "六"):  # more than the section's five rows
        Notification.objects.create(recipient=sales, kind="test", title=title)
    page = browser.get(reverse("home")).content.decode()
    assert 'id="unread-count">6<' in page
    Notification.objects.create(recipient=sales, kind="test", title="七")
    assert 'id="unread-count">7<' in browser.get(reverse("home")).content.decode()


def test_a_new_membership_shows_the_department_s_tasks_on_home(marketing_tasks, login):
    """The user's departments are kept with their access: a membership given raises the
    access version, and the next home page lists the department's tasks nobody holds."""
    newcomer = user_with(Role.SALES, username="newcomer")
    browser = login(newcomer)
    assert "department_tasks" not in work(browser)
    StaffMembership.objects.create(user=newcomer, department=marketing_tasks[0].department)
    assert "department_tasks" in work(browser)
