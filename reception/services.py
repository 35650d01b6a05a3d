"""Write operations on organisation and policy data."""

from django.contrib.auth.models import Group
from django.db import transaction

from .loading import LoadReport, set_m2m, upsert
from .models import (
    GradingScheme,
    ReceptionExtra,
    ReceptionGrade,
    ReceptionPolicy,
    ReceptionStandard,
)
from .roles import ensure_roles
from .seeds import EXTRAS, SCHEMES


@transaction.atomic
def load_grades(*, scheme_code: str, report: LoadReport) -> GradingScheme:
    """Load one rulebook's grades and standards and make it the scheme in use."""
    ensure_roles()
    data = SCHEMES[scheme_code]
    extras = {
        code: upsert(ReceptionExtra, {"code": code}, {"name": zh, "name_en": en}, report)
        for code, zh, en in EXTRAS
    }
    scheme = upsert(
        GradingScheme,
        {"code": scheme_code},
        {k: data[k] for k in ("name", "name_en", "description")},
        report,
    )
    for grade_data in data["grades"]:
        standard = dict(grade_data["standard"])
        extra_codes = standard.pop("extras")
        standard["main_host_role"] = Group.objects.get(name=standard["main_host_role"])
        grade = upsert(
            ReceptionGrade,
            {"scheme": scheme, "code": grade_data["code"]},
            {k: v for k, v in grade_data.items() if k not in ("code", "standard")}
            | {"active": True},
            report,
        )
        std = upsert(ReceptionStandard, {"grade": grade}, standard, report)
        set_m2m(std, "extras", [extras[c] for c in extra_codes], report)

    policy = ReceptionPolicy.get()
    if policy.scheme_id != scheme.pk:
        policy.scheme = scheme
        policy.save(update_fields=["scheme"])
        report.record("updated", policy)
    return scheme
