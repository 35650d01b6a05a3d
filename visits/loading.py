from datetime import time

from django.contrib.auth.models import Group

from reception.loading import LoadReport, set_m2m, upsert
from reception.models import Department, ReceptionGrade, ReceptionPolicy

from .models import PrepTaskTemplate, ReminderRule, TimeWatch
from .seeds import DEPARTMENTS, GRADE_GROUPS, REMINDER_RULES, TEMPLATES


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
        values = {
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
            "due_working_days": data["due"],
            "quantity_hint": data.get("quantity", ""),
            "standard_hint": data.get("standard", ""),
            "assign_to": data.get("assign_to", ""),
            "time_watch": data.get("time", TimeWatch.TIME),
            "active": True,
        }
        template = upsert(PrepTaskTemplate, {"code": data["code"]}, values, report)
        wanted = {grades[c].pk for c in groups[data["grades"]]} if "grades" in data else set()
        current = set(template.grades.values_list("pk", flat=True))
        other_schemes = set(
            template.grades.exclude(scheme__code=scheme_code).values_list("pk", flat=True)
        )
        if "grades" not in data:
            wanted, other_schemes = set(), set()  # every grade of every scheme
        if current != wanted | other_schemes:
            template.grades.set(wanted | other_schemes)
            report.record("updated", template)


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
        rule = upsert(ReminderRule, {"code": data["code"]}, values, report)
        roles = [Group.objects.get_or_create(name=name)[0] for name in data.get("roles", [])]
        set_m2m(rule, "recipient_roles", roles, report)
