"""Roles are Django groups. The codes below are the group names; labels are translated.

Default permissions per role are granted once (`reception.policy.services.ensure_roles`, run on
every migrate): when the group is created, and a default a later release adds on the next
migrate. Each grant is recorded (RoleDefaultGrant), so a permission an administrator removes
from a group in the admin stays removed.
"""

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

_VISITS_VIEW = ["visits.view_visitrequest"]
_HOST = ["visits.host_visitors"]
# Filing non-commercial guests' visits (government, associations, schools, media: the office).
_VISITS_FILE_NON_COMMERCIAL = [
    *_VISITS_VIEW,
    *_HOST,
    "visits.add_visitrequest",
    "visits.change_visitrequest",
    "visits.add_visitsummary",
]
_VISITS_FILE = [*_VISITS_FILE_NON_COMMERCIAL, "visits.file_commercial"]
_APPROVE = [*_VISITS_VIEW, *_HOST, "approvals.view_approvalstep", "visits.add_visitsummary"]
_DESK = [
    "visits.view_arrivals",
    "visits.check_in_visitors",
    "visits.add_walkin",
    "visits.view_walkin",
]
_GATE = ["visits.view_arrivals", "visits.add_walkin", "visits.view_walkin"]
_REPORTS = ["visits.view_reports"]
_TASKS = [*_VISITS_VIEW, *_HOST, "visits.view_preptask", "visits.change_preptask"]

DEFAULT_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES: [*_CLIENT_EDIT_OWN, *_VISITS_FILE],
    Role.PROJECT_ENGINEER: [*_CLIENT_EDIT_OWN, *_VISITS_FILE],
    Role.MARKETING: [*_CLIENT_EDIT_ALL, *_APPROVE],
    Role.MARKETING_HEAD: [*_CLIENT_EDIT_ALL, *_APPROVE, *_REPORTS],
    Role.DEPUTY_GM: [*_CLIENT_VIEW, *_APPROVE, *_REPORTS],
    Role.GENERAL_MANAGER: [*_CLIENT_VIEW, *_APPROVE, *_REPORTS],
    Role.PRODUCT_DIRECTOR: [*_CLIENT_VIEW, *_APPROVE],
    Role.RECEPTIONIST: [*_CLIENT_VIEW, *_VISITS_VIEW, *_HOST, "visits.track_preparation", *_DESK],
    Role.FRONT_DESK: [*_CLIENT_VIEW, *_DESK],
    Role.SECURITY: [*_GATE],
    Role.DEPARTMENT_MEMBER: [*_TASKS],
    # heads write their department's part of the work summary
    Role.DEPARTMENT_HEAD: [*_TASKS, "visits.assign_preptask", "visits.add_visitsummary"],
    Role.HR: [*_VISITS_VIEW, *_HOST, "visits.add_visitsummary"],
    Role.OFFICE: [*_CLIENT_EDIT_OWN, *_VISITS_FILE_NON_COMMERCIAL],
    Role.ADMINISTRATOR: ["*"],
}


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
