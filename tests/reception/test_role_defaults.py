import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from reception.accounts import roles
from reception.accounts.roles import Role
from reception.models import RoleDefaultGrant
from reception.policy.services import ensure_roles

pytestmark = pytest.mark.django_db


def codes(role: Role) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_role_has_its_group_with_its_default_permissions():
    ensure_roles()
    assert codes(Role.SECURITY) == set(roles.DEFAULT_PERMISSIONS[Role.SECURITY])
    assert codes(Role.ADMINISTRATOR) == {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()
    }


def test_a_permission_the_administrator_removed_stays_removed_after_the_next_migrate():
    ensure_roles()
    gate = Group.objects.get(name=Role.SECURITY)
    gate.permissions.remove(Permission.objects.get(codename="add_walkin"))
    call_command("migrate", verbosity=0)  # runs ensure_roles after migrating
    assert "visits.add_walkin" not in codes(Role.SECURITY)
    assert "visits.view_arrivals" in codes(Role.SECURITY)


def test_a_default_added_by_a_later_release_is_granted_once(monkeypatch):
    ensure_roles()
    later = {**roles.DEFAULT_PERMISSIONS}
    later[Role.SECURITY] = [*later[Role.SECURITY], "visits.view_visitrequest"]
    monkeypatch.setattr("reception.policy.services.DEFAULT_PERMISSIONS", later)
    ensure_roles()
    assert "visits.view_visitrequest" in codes(Role.SECURITY)
    Group.objects.get(name=Role.SECURITY).permissions.remove(
        Permission.objects.get(codename="view_visitrequest")
    )
    ensure_roles()
    assert "visits.view_visitrequest" not in codes(Role.SECURITY)
    assert RoleDefaultGrant.objects.filter(
        role=Role.SECURITY, permission="visits.view_visitrequest"
    ).exists()


def test_a_deleted_role_group_comes_back_with_its_defaults():
    ensure_roles()
    Group.objects.filter(name=Role.FRONT_DESK).delete()
    ensure_roles()
    assert codes(Role.FRONT_DESK) == set(roles.DEFAULT_PERMISSIONS[Role.FRONT_DESK])
