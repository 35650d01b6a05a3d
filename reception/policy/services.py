"""Write operations on organisation and policy data."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ..accounts.roles import DEFAULT_PERMISSIONS, Role
from ..models import (
    GradingScheme,
    ReceptionExtra,
    ReceptionGrade,
    ReceptionPolicy,
    ReceptionStandard,
    RoleDefaultGrant,
    RoleRank,
    Site,
)
from ..rulebooks import EXTRAS, ROLE_RANKS, SCHEMES
from .loading import LoadReport, load_m2m, load_row


def _permission_code(perm: Permission) -> str:
    return f"{perm.content_type.app_label}.{perm.codename}"


@transaction.atomic
def ensure_roles() -> None:
    """Create every role's group and grant each default permission once. A default already
    granted is never granted again, even when an administrator has removed it since."""
    every = {_permission_code(p): p for p in Permission.objects.select_related("content_type")}
    granted = set(RoleDefaultGrant.objects.values_list("role", "permission"))
    for role in Role:
        group, created = Group.objects.get_or_create(name=role.value)
        codes = DEFAULT_PERMISSIONS[role]
        codes = sorted(every) if codes == ["*"] else codes
        # a group created now (again, if an administrator deleted it) gets all its defaults
        new = codes if created else [c for c in codes if (role.value, c) not in granted]
        if not new:
            continue
        group.permissions.add(*(every[code] for code in new))
        RoleDefaultGrant.objects.bulk_create(
            [RoleDefaultGrant(role=role.value, permission=code) for code in new],
            ignore_conflicts=True,
        )


@transaction.atomic
def load_role_ranks(*, report: LoadReport) -> None:
    """The rulebook's order of authority among the approving roles: a missing rank is created,
    a rank the company changed is kept (a reset sets it back)."""
    ensure_roles()
    for role, rank in ROLE_RANKS.items():
        load_row(RoleRank, {"role": Group.objects.get(name=role)}, {"rank": rank}, report)


@transaction.atomic
def load_grades(*, scheme_code: str, report: LoadReport, use: bool = False) -> GradingScheme:
    """Load one rulebook's grades and standards (missing rows only, unless the report resets).

    The scheme becomes the one in use when none is, when it is new, or when `use` (or a reset)
    asks for it; otherwise the company's choice stays."""
    ensure_roles()
    data = SCHEMES[scheme_code]
    extras = {
        code: load_row(ReceptionExtra, {"code": code}, {"name": zh, "name_en": en}, report)
        for code, zh, en in EXTRAS
    }
    scheme = load_row(
        GradingScheme,
        {"code": scheme_code},
        {k: data[k] for k in ("name", "name_en", "description")},
        report,
    )
    for grade_data in data["grades"]:
        standard = dict(grade_data["standard"])
        extra_codes = standard.pop("extras")
        standard["main_host_role"] = Group.objects.get(name=standard["main_host_role"])
        grade = load_row(
            ReceptionGrade,
            {"scheme": scheme, "code": grade_data["code"]},
            {k: v for k, v in grade_data.items() if k not in ("code", "standard")}
            | {"active": True},
            report,
        )
        std = load_row(ReceptionStandard, {"grade": grade}, standard, report)
        load_m2m(std, "extras", [extras[c] for c in extra_codes], report)

    policy = ReceptionPolicy.get()
    switch = use or report.reset or report.created_in_this_run(scheme) or policy.scheme is None
    if policy.scheme_id != scheme.pk:
        if switch:
            policy.scheme = scheme
            policy.save(update_fields=["scheme"])
            report.record("updated", policy, f"scheme: {scheme}")
        else:
            report.keep(policy, f"scheme in use: {policy.scheme}; --use switches to {scheme}")
    return scheme


# The one site of a company that has not described its sites: named after the company.
DEFAULT_SITE_CODE = "main"


@transaction.atomic
def load_sites(*, report: LoadReport) -> None:
    """A company without sites gets one, named after the policy's company name, so a one-site
    company works as before. Sites that exist are left as they are (none is created then)."""
    if Site.objects.exists():
        return
    policy = ReceptionPolicy.get()
    with translation.override(settings.LANGUAGE_CODE):
        name = policy.company_name or str(_("Head office"))
    with translation.override("en"):
        name_en = policy.company_name_en or str(_("Head office"))
    site = Site.objects.create(code=DEFAULT_SITE_CODE, name=name, name_en=name_en)
    report.record("created", site)
