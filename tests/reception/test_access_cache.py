"""A user's permissions, roles and departments are kept between requests
(reception/accounts/access.py), and any change to them takes effect on the user's next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Department, StaffMembership, User
from tests.factories import DepartmentFactory, user_with

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        status = client.get(url).status_code
    return status, len(captured)


def test_a_users_permissions_and_roles_are_read_once_not_on_every_request(client):
    client.force_login(user_with(Role.SALES))
    url = reverse("notifications")
    _status, first = _queries(client, url)
    status, second = _queries(client, url)
    assert status == 200
    # permissions (the user's and the groups'), the roles and the department question
    assert second <= first - 4


def test_a_role_given_takes_effect_on_the_next_request(client):
    person = user_with(Role.SALES)
    client.force_login(person)
    assert client.get(reverse("visits:board")).status_code == 403
    person.groups.add(Group.objects.get(name=Role.RECEPTIONIST))
    assert client.get(reverse("visits:board")).status_code == 200


def test_a_role_taken_away_takes_effect_on_the_next_request(client):
    person = user_with(Role.RECEPTIONIST)
    client.force_login(person)
    assert client.get(reverse("visits:board")).status_code == 200
    Group.objects.get(name=Role.RECEPTIONIST).user_set.remove(person)
    assert client.get(reverse("visits:board")).status_code == 403


def test_everyone_in_a_role_loses_a_permission_taken_from_the_role(client):
    first, second = user_with(Role.RECEPTIONIST), user_with(Role.RECEPTIONIST)
    for person in (first, second):
        client.force_login(person)
        assert client.get(reverse("visits:board")).status_code == 200
    group = Group.objects.get(name=Role.RECEPTIONIST)
    group.permissions.remove(Permission.objects.get(codename="view_arrivals"))
    for person in (first, second):
        client.force_login(person)
        assert client.get(reverse("visits:board")).status_code == 403
    Permission.objects.get(codename="view_arrivals").group_set.add(group)
    assert client.get(reverse("visits:board")).status_code == 200


def test_joining_and_leaving_a_department_opens_and_closes_its_task_page(client):
    engineer = user_with(Role.PROJECT_ENGINEER)
    department = DepartmentFactory()
    client.force_login(engineer)
    assert client.get(reverse("visits:tasks")).status_code == 403
    membership = StaffMembership.objects.create(user=engineer, department=department)
    assert client.get(reverse("visits:tasks")).status_code == 200
    membership.delete()
    assert client.get(reverse("visits:tasks")).status_code == 403


def test_a_new_head_of_department_gets_its_task_page_and_the_old_one_loses_it(client):
    old, new = user_with(Role.PROJECT_ENGINEER), user_with(Role.PROJECT_ENGINEER)
    department = DepartmentFactory(head=old)
    client.force_login(old)
    assert client.get(reverse("visits:tasks")).status_code == 200
    client.force_login(new)
    assert client.get(reverse("visits:tasks")).status_code == 403
    department.head = new
    department.save()
    assert client.get(reverse("visits:tasks")).status_code == 200
    client.force_login(old)
    assert client.get(reverse("visits:tasks")).status_code == 403


def test_a_user_deactivated_or_made_superuser_is_read_again(client):
    person = user_with(Role.SALES)
    client.force_login(person)
    assert client.get(reverse("reception:client_list")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302
    User.objects.filter(pk=person.pk).update(is_superuser=True, is_staff=True)
    assert client.get(reverse("admin:index")).status_code == 200


def test_saving_a_user_read_before_a_role_change_keeps_the_change_in_force(client):
    person = user_with(Role.RECEPTIONIST)
    stale = User.objects.get(pk=person.pk)
    client.force_login(person)
    assert client.get(reverse("visits:board")).status_code == 200
    person.groups.remove(Group.objects.get(name=Role.RECEPTIONIST))
    stale.full_name = "新名字"
    stale.save()  # must not put the old access_version back
    assert client.get(reverse("visits:board")).status_code == 403
    assert User.objects.get(pk=person.pk).full_name == "新名字"


def test_a_deleted_department_no_longer_gives_its_members_a_task_page(client):
    engineer = user_with(Role.PROJECT_ENGINEER)
    department = DepartmentFactory()
    StaffMembership.objects.create(user=engineer, department=department)
    client.force_login(engineer)
    assert client.get(reverse("visits:tasks")).status_code == 200
    Department.objects.filter(pk=department.pk).delete()
    assert client.get(reverse("visits:tasks")).status_code == 403
