"""Directory login (LDAP): directory groups give roles; the directory is faked in the test."""

import os
from types import SimpleNamespace

import ldap
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group
from django_auth_ldap.backend import populate_user
from django_auth_ldap.config import ActiveDirectoryGroupType, LDAPSearch

from reception.accounts.directory import on_populate_user, parse_role_groups
from reception.accounts.roles import Role
from reception.models import User
from tests.factories import user_with
from tests.settings_probe import settings_under

pytestmark = pytest.mark.django_db

SALES_DN = "CN=Sales,OU=Groups,DC=corp,DC=example"
DESK_DN = "CN=Reception,OU=Groups,DC=corp,DC=example"
MAPPING = f"sales={SALES_DN};front_desk={DESK_DN}; front_desk = Lobby ;astronaut=CN=X"
USER_DN = "CN=Wang Fang,OU=People,DC=corp,DC=example"


def ldap_user(*, dns=(), names=()):
    return SimpleNamespace(group_dns=set(dns), group_names=set(names))


def roles_of(user):
    return set(user.groups.values_list("name", flat=True))


def test_the_mapping_reads_dns_with_commas_and_ignores_unknown_roles():
    assert parse_role_groups(MAPPING) == {"sales": [SALES_DN], "front_desk": [DESK_DN, "Lobby"]}


def test_directory_groups_give_their_roles(settings):
    settings.LDAP_ROLE_GROUPS = MAPPING
    user = user_with()
    # DNs compare without case and spaces; a group may also be given by its plain name
    found = ldap_user(dns=["cn=sales, ou=groups, dc=corp, dc=example"], names=["lobby"])
    on_populate_user(sender=None, user=user, ldap_user=found)
    assert roles_of(user) == {"sales", "front_desk"}


def test_leaving_a_group_takes_its_role_away_and_keeps_unmapped_roles(settings):
    settings.LDAP_ROLE_GROUPS = MAPPING
    user = user_with(Role.SALES, Role.HR)  # HR is not in the mapping: the admin gave it
    on_populate_user(sender=None, user=user, ldap_user=ldap_user(dns=[DESK_DN]))
    assert roles_of(user) == {"front_desk", "hr"}


def test_a_first_login_saves_the_new_person_with_their_roles(settings):
    settings.LDAP_ROLE_GROUPS = MAPPING
    user = User(username="newcomer")
    on_populate_user(sender=None, user=user, ldap_user=ldap_user(dns=[SALES_DN]))
    assert User.objects.get(username="newcomer").groups.get().name == "sales"


class FakeDirectory:
    """Answers like an Active Directory server holding one person in the Sales group."""

    def set_option(self, option, value):
        pass

    def simple_bind_s(self, dn, password):
        if dn == "CN=svc,DC=corp,DC=example" and password == "svc-secret":
            return
        if dn.lower() == USER_DN.lower() and password == "right":
            return
        raise ldap.INVALID_CREDENTIALS({"desc": "Invalid credentials"})

    def search_s(self, base, scope, filterstr, attrlist=None):
        if "sAMAccountName=wangfang" in filterstr:
            attrs = {"displayName": [b"\xe7\x8e\x8b\xe8\x8a\xb3"], "mail": [b"wf@corp.example"]}
            return [(USER_DN, attrs)]
        if f"member={USER_DN}".lower() in filterstr.lower():
            return [(SALES_DN, {"cn": [b"Sales"]})]
        return []


@pytest.fixture
def directory(settings, monkeypatch):
    monkeypatch.setattr(ldap, "initialize", lambda uri, bytes_mode=False: FakeDirectory())
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django_auth_ldap.backend.LDAPBackend",
        "django.contrib.auth.backends.ModelBackend",
        "rules.permissions.ObjectPermissionBackend",
    ]
    settings.AUTH_LDAP_SERVER_URI = "ldap://dc.corp.example"
    settings.AUTH_LDAP_BIND_DN = "CN=svc,DC=corp,DC=example"
    settings.AUTH_LDAP_BIND_PASSWORD = "svc-secret"
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(
        "OU=People,DC=corp,DC=example", ldap.SCOPE_SUBTREE, "(sAMAccountName=%(user)s)"
    )
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        "OU=Groups,DC=corp,DC=example", ldap.SCOPE_SUBTREE, "(objectClass=group)"
    )
    settings.AUTH_LDAP_GROUP_TYPE = ActiveDirectoryGroupType()
    settings.AUTH_LDAP_USER_ATTR_MAP = {"full_name": "displayName", "email": "mail"}
    settings.LDAP_ROLE_GROUPS = MAPPING
    populate_user.connect(on_populate_user, dispatch_uid="test-directory-roles")
    yield
    populate_user.disconnect(dispatch_uid="test-directory-roles")


def test_logging_in_through_the_directory_creates_the_person_with_the_sales_role(directory, rf):
    user = authenticate(rf.post("/accounts/login/"), username="wangfang", password="right")
    assert user is not None and user.backend == "django_auth_ldap.backend.LDAPBackend"
    user = User.objects.get(username="wangfang")
    assert (user.full_name, user.email) == ("王芳", "wf@corp.example")
    assert roles_of(user) == {"sales"}
    assert not user.has_usable_password()


def test_a_wrong_directory_password_logs_nobody_in(directory, rf):
    assert authenticate(rf.post("/accounts/login/"), username="wangfang", password="no") is None
    assert not User.objects.filter(username="wangfang").exists()
    assert not Group.objects.filter(name="sales", user__username="wangfang").exists()


def test_the_ldap_backend_is_used_only_when_a_server_is_configured():
    env = {"PATH": os.environ.get("PATH", ""), "DEBUG": "1"}

    def backends(**extra):
        return settings_under({**env, **extra})["AUTHENTICATION_BACKENDS"]

    assert "django_auth_ldap.backend.LDAPBackend" not in backends(LDAP_SERVER_URI="")
    assert backends(LDAP_SERVER_URI="ldap://dc.corp.example") == [
        "axes.backends.AxesStandaloneBackend",
        "django_auth_ldap.backend.LDAPBackend",
        "django.contrib.auth.backends.ModelBackend",
        "rules.permissions.ObjectPermissionBackend",
    ]
