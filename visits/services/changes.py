"""Field-by-field snapshots and differences of a visit request, for the timeline and the
receptionist's notifications. Values are stored language-neutrally and rendered for the reader."""

from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reception.models import Bilingual
from reception.notifications.notify import Msg

from ..models import ArrivalMode, GuestKind, Origin, Purpose, Service, VisitRequest, mask_phone
from ..models.requests import FILED_FIELDS

TRACKED = [*FILED_FIELDS, "receptionist"]
CHOICES = {
    "origin": Origin,
    "guest_kind": GuestKind,
    "purposes": Purpose,
    "services": Service,
    "arrival_mode": ArrivalMode,
}
EXTRA_LABELS = {
    "contacts": _("client contacts"),
    "accompanying_staff": _("accompanying staff"),
    "visitors": _("visitors"),
    "itinerary": _("itinerary"),
    "checked_in_at": _("checked in at"),
    "checked_out_at": _("checked out at"),
}


def neutral(value: Any) -> Any:
    """A value as the timeline stores it (language-neutral, JSON)."""
    if value is None or value == "":
        return ""
    if isinstance(value, Bilingual):
        name, name_en = getattr(value, "name"), getattr(value, "name_en", "")  # noqa: B009
        return {"zh": name, "en": name_en or name}
    if hasattr(value, "pk"):
        return str(value)
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value


def snapshot(visit: VisitRequest) -> dict[str, Any]:
    data: dict[str, Any] = {field: neutral(getattr(visit, field)) for field in TRACKED}
    if visit.pk:
        data["contacts"] = sorted(str(c) for c in visit.contacts.all())
        data["accompanying_staff"] = sorted(str(u) for u in visit.accompanying_staff.all())
        # Phones masked: the timeline and the change notices reach more people than may see
        # a visitor's number (visits.see_phones).
        data["visitors"] = [
            " · ".join(
                part
                for part in (
                    v.name,
                    v.title,
                    mask_phone(v.phone),
                    v.car_plate,
                    v.arrival_number,
                    v.dietary,
                )
                if part
            )
            for v in visit.visitors.all()
        ]
    return data


def differences(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"field": field, "old": before.get(field, ""), "new": after[field]}
        for field in after
        if before.get(field, "") != after[field]
    ]


def field_label(field: str) -> str | Promise:
    if field in EXTRA_LABELS:
        return EXTRA_LABELS[field]
    label: str | Promise = getattr(VisitRequest._meta.get_field(field), "verbose_name")  # noqa: B009
    return label


def render_value(field: str, value: Any) -> str:
    """A stored value in the active language."""
    if value in ("", None, []):
        return "—"
    if isinstance(value, dict):
        english = (get_language() or "").startswith("en")
        return str(value["en"] if english and value.get("en") else value.get("zh", ""))
    choices = CHOICES.get(field)
    if isinstance(value, list):
        if choices:
            return ", ".join(str(choices(v).label) if v in choices.values else v for v in value)
        return ", ".join(str(v) for v in value)
    if choices and value in choices.values:
        return str(choices(value).label)
    return str(value)


def change_line(change: dict[str, Any]) -> Msg:
    return Msg(
        _("%(field)s: %(old)s → %(new)s"),
        field=field_label(change["field"]),
        old=lambda: render_value(change["field"], change["old"]),
        new=lambda: render_value(change["field"], change["new"]),
    )
