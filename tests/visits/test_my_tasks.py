"""Everyone's own tasks: whoever holds a task by name (the applicant, the project engineer, the
main host, the customer receptionist, or a member the head assigned) ticks, undoes and notes it
on "My tasks"; every task notification opens a page its reader may see."""

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import ClientCategory, Department
from tests.factories import ClientFactory, approve_fully, file_visit, user_with
from visits.models import PrepStatus
from visits.services.lifecycle import VisitError
from visits.services.preparation import complete_task
from visits.services.staff import change_reception_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer(db):
    user = user_with(Role.PROJECT_ENGINEER, username="eng", full_name="王强")
    Department.objects.get(code="technology").memberships.create(user=user)
    return user


@pytest.fixture
def technical_visit(four_tier, engineer, staff):
    client = ClientFactory(category=ClientCategory.EXISTING_TECHNICAL, account_owner=engineer)
    return approve_fully(file_visit(engineer, four_tier["business"], client=client))


def own_task(visit, user):
    return visit.prep_tasks.get(assignee=user, template__code="engineer-technical-preparation")


def test_the_engineer_opens_his_task_from_the_notification_and_ticks_it_with_a_note(
    technical_visit, engineer, login
):
    # he also belongs to the technology department, which hears of its tasks on its page
    note = engineer.notifications.get(
        kind="tasks", url__startswith=f"{reverse('visits:my_tasks')}?visit={technical_visit.pk}"
    )
    browser = login(engineer)
    page = browser.get(note.url)
    assert page.status_code == 200
    task = own_task(technical_visit, engineer)
    assert task in [row["task"] for row in page.context["to_do"]]
    response = browser.post(
        reverse("visits:task_action", args=[task.pk, "done"]),
        {f"task{task.pk}-note": "议题已确认"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert (task.status, task.done_by, task.note) == (PrepStatus.DONE, engineer, "议题已确认")


def test_the_engineer_undoes_his_ticked_task_from_the_done_list(technical_visit, engineer, login):
    task = own_task(technical_visit, engineer)
    complete_task(task=task, by=engineer)
    browser = login(engineer)
    assert [row["task"] for row in browser.get(reverse("visits:my_tasks")).context["done"]] == [
        task
    ]
    assert f"task-{task.pk}" in browser.get(reverse("visits:my_tasks")).content.decode()
    browser.post(reverse("visits:task_action", args=[task.pk, "reopen"]))
    task.refresh_from_db()
    assert task.status == PrepStatus.OPEN


def test_the_engineer_in_the_technology_department_opens_its_task_page_from_his_home(
    technical_visit, engineer, login
):
    """His role grants no department page, but he belongs to the department: its tasks nobody
    holds show on his home (to take), and their links open."""
    department = technical_visit.prep_tasks.filter(department__code="technology", assignee=None)
    department.update(due_date=timezone.localdate())
    browser = login(engineer)
    home = browser.get(reverse("home"))
    (tasks,) = [s for s in home.context["work"] if s.key == "department_tasks"]
    links = {row.url.split("#")[0] for row in tasks.rows}
    assert f"{reverse('visits:tasks')}?visit={technical_visit.pk}" in links
    for link in links:
        assert browser.get(link).status_code == 200
    page = browser.get(reverse("visits:tasks"))
    listed = {row["task"].pk for row in page.context["overdue"]} | {
        row["task"].pk for _, rows in page.context["groups"] for row in rows
    }
    assert set(department.values_list("pk", flat=True)) <= listed


def test_someone_in_no_department_is_refused_the_department_page(db, login):
    assert login(user_with(Role.PROJECT_ENGINEER)).get(reverse("visits:tasks")).status_code == 403


def test_a_holder_outside_the_department_may_tick_only_his_own_task(
    technical_visit, engineer, login
):
    Department.objects.get(code="technology").memberships.filter(user=engineer).delete()
    other = technical_visit.prep_tasks.filter(department__code="technology", assignee=None).first()
    assert other is not None
    response = login(engineer).post(reverse("visits:task_action", args=[other.pk, "done"]))
    assert response.status_code == 404
    with pytest.raises(VisitError):
        complete_task(task=other, by=engineer)


def test_the_main_host_holds_the_vip_pick_up_and_sees_it_on_my_tasks(
    four_tier, sales, staff, login
):
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    assert visit.main_host == staff.gm
    task = visit.prep_tasks.get(template__code="leader-vip-pickup")
    assert task.assignee == staff.gm
    note = staff.gm.notifications.get(kind="tasks")
    page = login(staff.gm).get(note.url)
    assert page.status_code == 200
    assert task in [row["task"] for row in page.context["to_do"]]


def test_the_receptionist_holds_the_organising_task(four_tier, sales, staff, login):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    task = visit.prep_tasks.get(template__code="marketing-organise")
    assert task.assignee == staff.receptionist
    complete_task(task=task, by=staff.receptionist)
    task.refresh_from_db()
    assert task.status == PrepStatus.DONE


def test_a_new_main_host_takes_over_the_hosts_tasks_and_is_told(four_tier, sales, staff):
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    change_reception_staff(
        visit=visit,
        by=staff.receptionist,
        main_host=staff.deputy_gm,
        receptionist=staff.receptionist,
    )
    task = visit.prep_tasks.get(template__code="leader-vip-pickup")
    assert task.assignee == staff.deputy_gm
    assert staff.deputy_gm.notifications.filter(
        kind="tasks", url=f"{reverse('visits:my_tasks')}?visit={visit.pk}#task-{task.pk}"
    ).exists()


def test_a_person_without_tasks_sees_an_empty_my_tasks_page(db, login):
    page = login(user_with(Role.FRONT_DESK)).get(reverse("visits:my_tasks"))
    assert page.status_code == 200
    assert "Nothing to do" in page.content.decode()


def test_my_tasks_is_in_everyones_navbar(db, login):
    page = login(user_with(Role.SECURITY)).get(reverse("home"))
    assert reverse("visits:my_tasks") in page.content.decode()


def test_department_people_are_sent_to_the_department_page_holders_to_their_own(
    four_tier, sales, staff
):
    member = user_with(Role.DEPARTMENT_MEMBER)
    Department.objects.get(code="office").memberships.create(user=member)
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    # each filtered to the visit: the department page runs to several pages
    assert {n.url for n in member.notifications.filter(kind="tasks")} == {
        f"{reverse('visits:tasks')}?visit={visit.pk}"
    }
    assert {n.url.split("#")[0] for n in staff.gm.notifications.filter(kind="tasks")} == {
        f"{reverse('visits:my_tasks')}?visit={visit.pk}"
    }


def test_my_tasks_runs_the_same_queries_for_2_and_10_tasks(
    four_tier, engineer, staff, login, count_queries, django_assert_num_queries
):
    client = ClientFactory(category=ClientCategory.EXISTING_TECHNICAL, account_owner=engineer)
    approve_fully(file_visit(engineer, four_tier["business"], client=client))
    browser = login(engineer)
    url = reverse("visits:my_tasks")

    def cold():  # no row kept rendered yet (the page reads their tasks' objects then)
        caches["template_fragments"].clear()
        browser.get(url)

    few = count_queries(lambda: browser.get(url))  # warm: the rows kept rendered
    few_cold = count_queries(cold)
    for _ in range(4):
        approve_fully(file_visit(engineer, four_tier["vip"], client=client))
    assert count_queries(cold) == few_cold
    assert len(browser.get(url).context["to_do"]) == 10
    with django_assert_num_queries(few):
        browser.get(url)
