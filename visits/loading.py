from datetime import time

from django.contrib.auth.models import Group

from reception.models import Department, ReceptionGrade, ReceptionPolicy, Site
from reception.policy.loading import LoadReport, load_m2m, load_row

from .models import BadgeFormat, GradeColour, GuestNotice, PrepTaskTemplate, ReminderRule, TimeWatch
from .rulebooks import (
    BADGE_FORMATS,
    DEPARTMENTS,
    GRADE_COLOURS,
    GRADE_GROUPS,
    GUEST_NOTICES,
    NON_COMMERCIAL_DEPARTMENT,
    REMINDER_RULES,
    SITE_TEMPLATES,
    TEMPLATES,
)


def load_task_templates(*, scheme_code: str, report: LoadReport) -> None:
    """Load the division of labour. A template's grade conditions for other schemes are
    kept, so both rulebooks can be loaded one after the other."""
    departments = {}
    for code, (name, name_en) in DEPARTMENTS.items():
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            dept = Department.objects.create(code=code, name=name, name_en=name_en)
            report.record("created", dept)
        departments[code] = dept
    grades = {g.code: g for g in ReceptionGrade.objects.filter(scheme__code=scheme_code)}
    groups = GRADE_GROUPS[scheme_code]
    for data in TEMPLATES:
        template = load_row(
            PrepTaskTemplate, {"code": data["code"]}, _template_values(data, departments), report
        )
        _load_template_grades(template, data, grades, groups, report)
    sites = {s.code: s for s in Site.objects.all()}
    for site_code, site_templates in SITE_TEMPLATES.items():
        if site_code not in sites:
            continue
        for data in site_templates:
            replaces = PrepTaskTemplate.objects.filter(
                code=data.get("replaces", ""), site__isnull=True
            ).first()
            values = {
                **_template_values(data, departments),
                "site": sites[site_code],
                "replaces": replaces,
            }
            template = load_row(PrepTaskTemplate, {"code": data["code"]}, values, report)
            _load_template_grades(template, data, grades, groups, report)
    _load_non_commercial_department(departments[NON_COMMERCIAL_DEPARTMENT], report)


def _template_values(data: dict, departments: dict[str, Department]) -> dict:
    return {
        "department": departments[data["department"]],
        "name": data["name"],
        "name_en": data["name_en"],
        "description": data.get("description", ""),
        "description_en": data.get("description_en", ""),
        "purposes": data.get("purposes", []),
        "client_categories": data.get("client_categories", []),
        "services": data.get("services", []),
        "arrival_modes": data.get("arrival_modes", []),
        "needs_meals": data.get("needs_meals", False),
        "needs_rooms": data.get("needs_rooms", False),
        "guest_kinds": data.get("guest_kinds", []),
        "due_working_days": data["due"],
        "quantity_hint": data.get("quantity", ""),
        "standard_hint": data.get("standard", ""),
        "assign_to": data.get("assign_to", ""),
        "time_watch": data.get("time", TimeWatch.TIME),
        "active": True,
    }


def _load_non_commercial_department(office: Department, report: LoadReport) -> None:
    """The policy names the office as the department that receives non-commercial guests,
    unless the company has chosen another one, or has set it and emptied it since (its
    history says so): both are kept."""
    policy = ReceptionPolicy.get()
    if policy.non_commercial_department_id == office.pk:
        return
    chosen = policy.non_commercial_department_id is not None
    emptied = not chosen and policy.history.filter(non_commercial_department__isnull=False).exists()
    detail = f"non-commercial guests are received by: {policy.non_commercial_department or '—'}"
    if (chosen or emptied) and not report.reset:
        report.keep(policy, f"{detail}; the rulebook: {office}")
        return
    policy.non_commercial_department = office
    policy.save(update_fields=["non_commercial_department"])
    report.record("updated", policy, f"{detail} → {office}")


def _load_template_grades(template, data, grades, groups, report: LoadReport) -> None:
    """A template lists the grades it applies to, of every scheme loaded (none: every grade).
    Existing templates are kept as edited; only the grades this run created are added."""
    if "grades" not in data:
        load_m2m(template, "grades", [], report)
        return
    wanted = [grades[c] for c in groups[data["grades"]]]
    current = list(template.grades.all())
    if report.reset or report.created_in_this_run(template):
        scheme_id = wanted[0].scheme_id
        others = [g for g in current if g.scheme_id != scheme_id]
        load_m2m(template, "grades", others + wanted, report)
    elif current:  # restricted to some grades: a newly loaded scheme's grades join them
        new = [g for g in wanted if report.created_in_this_run(g) and g not in current]
        if new:
            template.grades.add(*new)
            report.record("updated", template, f"grades: + {', '.join(map(str, new))}")
        current_ids = {g.pk for g in template.grades.all()}
        missing = [g for g in wanted if g.pk not in current_ids]
        extra = [g for g in current if g.scheme_id == wanted[0].scheme_id and g not in wanted]
        if missing or extra:
            report.keep(template, "its grades differ from the rulebook")


def load_reminder_rules(*, report: LoadReport) -> None:
    """Load the reminder rules. The hand-over rules count the policy's hand-over days."""
    handover = ReceptionPolicy.get().handover_working_days
    for data in REMINDER_RULES:
        offset = -handover if data["offset"] == "handover" else data["offset"]
        values = {
            "name": data["name"],
            "name_en": data["name_en"],
            "description": data["description"],
            "description_en": data["description_en"],
            "kind": data["kind"],
            "anchor": data["anchor"],
            "offset_working_days": offset,
            "send_time": time.fromisoformat(data["time"]),
            "parties": data.get("parties", []),
            "active": True,
        }
        rule = load_row(ReminderRule, {"code": data["code"]}, values, report)
        roles = [Group.objects.get_or_create(name=name)[0] for name in data.get("roles", [])]
        load_m2m(rule, "recipient_roles", roles, report)


def load_guest_side(*, report: LoadReport) -> None:
    """The badge sizes and the texts visitors accept (version 1 of each kind): created when
    missing, left alone once the company edited them."""
    for order, data in enumerate(BADGE_FORMATS):
        values = {k: v for k, v in data.items() if k != "code"}
        load_row(BadgeFormat, {"code": data["code"]}, {**values, "ordering": order}, report)
    for data in GUEST_NOTICES:
        if GuestNotice.objects.filter(kind=data["kind"]).exists():
            continue  # the company's own versions stand
        values = {k: v for k, v in data.items() if k != "kind"}
        load_row(GuestNotice, {"kind": data["kind"], "version": 1}, values, report)
    for grade in ReceptionGrade.objects.filter(code__in=GRADE_COLOURS):
        load_row(GradeColour, {"grade": grade}, {"colour": GRADE_COLOURS[grade.code]}, report)
