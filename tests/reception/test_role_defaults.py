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


# Every role's default permissions as they were when reception still listed them all; since
# then each app grants its own from its AppConfig.ready() (visits/apps.py, approvals/apps.py).
EVERY_DEFAULT = {
    "sales": {
        "reception.add_client",
        "reception.change_client",
        "reception.view_client",
        "visits.add_visitrequest",
        "visits.add_visitsummary",
        "visits.change_visitrequest",
        "visits.file_commercial",
        "visits.host_visitors",
        "visits.view_visitrequest",
    },
    "project_engineer": {
        "reception.add_client",
        "reception.change_client",
        "reception.view_client",
        "visits.add_visitrequest",
        "visits.add_visitsummary",
        "visits.change_visitrequest",
        "visits.file_commercial",
        "visits.host_visitors",
        "visits.view_visitrequest",
    },
    "marketing": {
        "approvals.view_approvalstep",
        "reception.add_client",
        "reception.change_any_client",
        "reception.change_client",
        "reception.view_client",
        "visits.add_visitsummary",
        "visits.host_visitors",
        "visits.view_visitrequest",
    },
    "marketing_head": {
        "approvals.view_approvalstep",
        "reception.add_client",
        "reception.change_any_client",
        "reception.change_client",
        "reception.view_client",
        "visits.add_visitsummary",
        "visits.host_visitors",
        "visits.view_reports",
        "visits.view_visitrequest",
    },
    "deputy_gm": {
        "approvals.view_approvalstep",
        "reception.view_client",
        "visits.add_visitsummary",
        "visits.host_visitors",
        "visits.view_reports",
        "visits.view_visitrequest",
    },
    "general_manager": {
        "approvals.view_approvalstep",
        "reception.view_client",
        "visits.add_visitsummary",
        "visits.host_visitors",
        "visits.view_reports",
        "visits.view_visitrequest",
    },
    "product_director": {
        "approvals.view_approvalstep",
        "reception.view_client",
        "visits.add_visitsummary",
        "visits.host_visitors",
        "visits.view_visitrequest",
    },
    "receptionist": {
        "reception.view_client",
        "visits.add_walkin",
        "visits.check_in_visitors",
        "visits.host_visitors",
        "visits.track_preparation",
        "visits.view_arrivals",
        "visits.view_visitrequest",
        "visits.view_walkin",
    },
    "front_desk": {
        "reception.view_client",
        "visits.add_walkin",
        "visits.check_in_visitors",
        "visits.view_arrivals",
        "visits.view_walkin",
    },
    "security": {
        "visits.add_walkin",
        "visits.view_arrivals",
        "visits.view_walkin",
    },
    "department_member": {
        "visits.change_preptask",
        "visits.host_visitors",
        "visits.view_preptask",
        "visits.view_visitrequest",
    },
    "department_head": {
        "visits.add_visitsummary",
        "visits.assign_preptask",
        "visits.change_preptask",
        "visits.host_visitors",
        "visits.view_preptask",
        "visits.view_visitrequest",
    },
    "hr": {
        "visits.add_visitsummary",
        "visits.host_visitors",
        "visits.view_visitrequest",
    },
    "office": {
        "reception.add_client",
        "reception.change_client",
        "reception.view_client",
        "visits.add_visitrequest",
        "visits.add_visitsummary",
        "visits.change_visitrequest",
        "visits.host_visitors",
        "visits.view_visitrequest",
    },
    "administrator": {
        "*",
    },
}


def test_the_apps_together_grant_each_role_its_known_defaults():
    assert {role: set(codes) for role, codes in roles.DEFAULT_PERMISSIONS.items()} == EVERY_DEFAULT
    assert list(roles.DEFAULT_PERMISSIONS) == list(Role)


def test_an_app_granting_its_defaults_again_adds_nothing(monkeypatch):
    monkeypatch.setattr(
        roles,
        "DEFAULT_PERMISSIONS",
        {Role.SECURITY: ["visits.view_arrivals"], Role.ADMINISTRATOR: ["*"]},
    )
    for _ in range(2):
        roles.grant_defaults([Role.SECURITY, Role.ADMINISTRATOR], ["visits.view_arrivals", "x.y"])
    assert roles.DEFAULT_PERMISSIONS == {
        Role.SECURITY: ["visits.view_arrivals", "x.y"],
        Role.ADMINISTRATOR: ["*"],
    }
