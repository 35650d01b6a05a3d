"""Roles are Django groups. The codes below are the group names; labels are translated.

Default permissions per role (DEFAULT_PERMISSIONS: reception's own, and what each app above
adds with grant_defaults from its AppConfig.ready()) are granted once
(`reception.policy.services.ensure_roles`, run on every migrate): when the group is created, and a
default a later release adds on the next migrate. Each grant is recorded (RoleDefaultGrant),
so a permission an administrator removes from a group in the admin stays removed.
"""

from collections.abc import Iterable

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SALES = "sales", _("Sales")
    PROJECT_ENGINEER = "project_engineer", _("Project engineer")
    MARKETING = "marketing", _("Marketing (grades visits)")
    MARKETING_HEAD = "marketing_head", _("Marketing head")
    DEPUTY_GM = "deputy_gm", _("Deputy general manager")
    GENERAL_MANAGER = "general_manager", _("General manager")
    PRODUCT_DIRECTOR = "product_director", _("Product director")
    RECEPTIONIST = "receptionist", _("Customer receptionist")
    FRONT_DESK = "front_desk", _("Front desk")
    SECURITY = "security", _("Gate security")
    DEPARTMENT_MEMBER = "department_member", _("Department member")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    HR = "hr", _("Human resources")
    OFFICE = "office", _("Office (receives non-commercial guests)")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles that file visit requests (and own clients); the office files non-commercial ones only.
APPLICANT_ROLES = (Role.SALES, Role.PROJECT_ENGINEER, Role.OFFICE)
# Roles that decide approval steps somewhere in a chain.
APPROVER_ROLES = (
    Role.MARKETING,
    Role.MARKETING_HEAD,
    Role.DEPUTY_GM,
    Role.GENERAL_MANAGER,
    Role.PRODUCT_DIRECTOR,
)

_CLIENT_VIEW = ["reception.view_client"]
_CLIENT_EDIT_OWN = [*_CLIENT_VIEW, "reception.add_client", "reception.change_client"]
_CLIENT_EDIT_ALL = [*_CLIENT_EDIT_OWN, "reception.change_any_client"]

# Each role's default permissions ("app_label.codename"; "*" is every permission). reception
# lists its own here; every app above grants its own from its AppConfig.ready() with
# grant_defaults, so this module names no permission of theirs. ensure_roles reads the whole.
DEFAULT_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: [*_CLIENT_EDIT_OWN],
    Role.PROJECT_ENGINEER: [*_CLIENT_EDIT_OWN],
    Role.MARKETING: [*_CLIENT_EDIT_ALL],
    Role.MARKETING_HEAD: [*_CLIENT_EDIT_ALL],
    Role.DEPUTY_GM: [*_CLIENT_VIEW],
    Role.GENERAL_MANAGER: [*_CLIENT_VIEW],
    Role.PRODUCT_DIRECTOR: [*_CLIENT_VIEW],
    Role.RECEPTIONIST: [*_CLIENT_VIEW],
    Role.FRONT_DESK: [*_CLIENT_VIEW],
    Role.SECURITY: [],
    Role.DEPARTMENT_MEMBER: [],
    Role.DEPARTMENT_HEAD: [],
    Role.HR: [],
    Role.OFFICE: [*_CLIENT_EDIT_OWN],
    Role.ADMINISTRATOR: ["*"],
}


def grant_defaults(roles: Iterable[str], codes: Iterable[str]) -> None:
    """Add permissions to the defaults of each of `roles`, from an app's AppConfig.ready().

    A code already there is not added twice (ready() may run again in a test); a role that
    has every permission ("*") keeps just that."""
    codes = list(codes)
    for role in roles:
        granted = DEFAULT_PERMISSIONS[role]
        if granted != ["*"]:
            granted.extend(code for code in codes if code not in granted)


def role_label(code: str) -> str | Promise:
    try:
        return Role(code).label
    except ValueError:
        return code


def user_roles(user) -> frozenset[str]:
    """The role codes a user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_jiedai_roles", None)
    if cached is None:
        rows = list(user.groups.values_list("pk", "name"))
        cached = frozenset(name for _pk, name in rows)
        user._jiedai_roles = cached
        user._jiedai_role_ids = frozenset(pk for pk, _name in rows)
    return cached


def role_group_ids(user) -> list[int]:
    """The ids of the role groups a user holds (read with user_roles, in the same query)."""
    if not getattr(user, "is_authenticated", False):
        return []
    user_roles(user)
    ids = getattr(user, "_jiedai_role_ids", None)
    if ids is None:  # roles cached by other means: read the ids
        ids = frozenset(user.groups.values_list("pk", flat=True))
        user._jiedai_role_ids = ids
    return sorted(ids)


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & {str(r) for r in roles})


def is_administrator(user) -> bool:
    """A superuser or a holder of the administrator role: the one definition (visits' rules
    and approvals' services ask this)."""
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.ADMINISTRATOR)
