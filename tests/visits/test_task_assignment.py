"""A department head assigns a task from the task board. The board lists no members (a
department of 900 would repeat 900 options on every row); the row loads its "assign" form on
demand, for the head only, and the service still refuses anyone outside the department."""

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import file_visit, user_with
from tests.visits.test_preparation_tasks import approve_through

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(four_tier):
    return Department.objects.get(code="office")


@pytest.fixture
def head(office):
    head = user_with(Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER, username="office_head")
    office.head = head
    office.save()
    return head


@pytest.fixture
def members(office):
    people = [user_with(Role.DEPARTMENT_MEMBER, username=f"office{n}") for n in range(6)]
    for person in people:
        office.memberships.create(user=person)
    return people


@pytest.fixture
def task(four_tier, sales, head, members):
    visit = approve_through(file_visit(sales, four_tier["vip"]))
    return visit.prep_tasks.get(template__code="office-hotel")


def assign_form(task):
    return reverse("visits:task_assignee", args=[task.pk])


def test_the_board_lists_no_members_but_offers_the_head_an_assign_link(login, head, task):
    page = login(head).get(reverse("visits:tasks")).content.decode()
    assert 'name="assignee"' not in page and "Not assigned" not in page
    assert assign_form(task) in page


def test_a_member_sees_no_assign_link(login, members, task):
    page = login(members[0]).get(reverse("visits:tasks")).content.decode()
    assert assign_form(task) not in page


def test_the_head_loads_the_assign_form_with_the_departments_members(login, head, members, task):
    response = login(head).get(assign_form(task), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert set(response.context["members"]) == set(members)
    assert response.templates[0].name == "visits/_task_assign.html"  # a row's piece


def test_without_javascript_the_assign_form_is_a_page(login, head, task):
    response = login(head).get(assign_form(task))
    assert response.templates[0].name == "visits/task_assign.html"
    assert f'action="{reverse("visits:task_action", args=[task.pk, "assign"])}"' in (
        response.content.decode()
    )


def test_a_member_may_not_open_the_assign_form(login, members, task):
    assert login(members[0]).get(assign_form(task)).status_code == 403


def test_another_departments_head_may_not_open_the_assign_form(login, task):
    other = user_with(Role.DEPARTMENT_HEAD, username="it_head")
    it = Department.objects.exclude(code="office").first()
    it.head = other
    it.save()
    assert login(other).get(assign_form(task)).status_code == 404


def _outsider(members):
    return user_with(Role.DEPARTMENT_MEMBER, username="outsider")


def _member_who_left(members):
    gone = members[3]
    gone.is_active = False
    gone.save()
    return gone


@pytest.mark.parametrize("who", [_outsider, _member_who_left], ids=["outsider", "member_who_left"])
def test_someone_outside_the_active_department_posted_directly_is_not_assigned(
    login, head, members, task, who
):
    response = login(head).post(
        reverse("visits:task_action", args=[task.pk, "assign"]),
        {"assignee": who(members).pk},
        headers={"HX-Request": "true"},
    )
    task.refresh_from_db()
    assert task.assignee is None
    assert "Assign the task to a member of the department." in response.content.decode()


def test_the_head_assigns_through_the_loaded_form(login, head, members, task):
    login(head).post(
        reverse("visits:task_action", args=[task.pk, "assign"]), {"assignee": members[2].pk}
    )
    task.refresh_from_db()
    assert task.assignee == members[2]
