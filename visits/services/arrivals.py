"""Arrivals at the gate of every kind but clients: recorded, screened against the watch list,
checked in and out, and announced to whom the kind's policy names. An arrival never creates a
client or a visit request."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.accounts.roles import Role
from reception.models import Department, Notification, Site, User
from reception.notifications.notify import Msg, notify
from reception.organisation.selectors import users_with_role

from ..models import (
    Arrival,
    ArrivalEvent,
    ArrivalKind,
    ArrivalStatus,
    GuestNotice,
    HitDecision,
    NoticeKind,
    id_number_hash,
)
from . import watch_list
from .lifecycle import VisitError

NOTIFY_KIND = "gate_arrival"

# The kinds a company starts with (seed 001 十.2: guests other than clients are the office's).
# Created when missing, never overwritten: a company edits them in the admin.
DEFAULT_KINDS = [
    {
        "code": "delivery",
        "name": "送货/提货",
        "name_en": "Delivery or pick-up",
        "fields": ["carrier", "plate", "goods"],
        "asks_host": False,
        "asks_department": True,
        "tells_host": False,
        "tells_department": True,
        "told_roles": [],
        "retention_days": 30,
        "ordering": 10,
    },
    {
        "code": "contractor",
        "name": "施工/承包商",
        "name_en": "Contractor",
        "fields": [
            "company",
            "work_order",
            "area",
            "permit_number",
            "permit_valid_until",
            "safety",
        ],
        "asks_host": True,
        "asks_department": False,
        "tells_host": True,
        "tells_department": False,
        "told_roles": [Role.SECURITY.value],
        "retention_days": 365,
        "ordering": 20,
    },
    {
        "code": "interview",
        "name": "面试",
        "name_en": "Interview",
        "fields": ["position"],
        "asks_host": True,
        "asks_department": False,
        "tells_host": True,
        "tells_department": False,
        "told_roles": [Role.HR.value],
        "retention_days": 90,
        "ordering": 30,
    },
    {
        "code": "government",
        "name": "政府/公务来宾",
        "name_en": "Government or official",
        "fields": ["company", "purpose"],
        "asks_host": False,
        "asks_department": False,
        "tells_host": False,
        "tells_department": False,
        "told_roles": [Role.OFFICE.value],
        "retention_days": 365,
        "ordering": 40,
    },
    {
        "code": "other",
        "name": "其他",
        "name_en": "Other",
        "fields": ["company", "purpose"],
        "asks_host": True,
        "asks_department": False,
        "tells_host": True,
        "tells_department": False,
        "told_roles": [],
        "retention_days": 90,
        "ordering": 50,
    },
]


def load_arrival_kinds() -> int:
    """Create the default kinds that are missing; returns how many were created."""
    created = 0
    for row in DEFAULT_KINDS:
        data = dict(row)
        _kind, made = ArrivalKind.objects.get_or_create(code=data.pop("code"), defaults=data)
        created += made
    return created


def arrival_kinds() -> list[ArrivalKind]:
    kinds = list(ArrivalKind.objects.filter(is_active=True))
    if not kinds and not ArrivalKind.objects.exists():
        load_arrival_kinds()
        kinds = list(ArrivalKind.objects.filter(is_active=True))
    return kinds


def department_people(departments) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=User.objects.filter(
            Q(memberships__department__in=departments) | Q(headed_departments__in=departments),
            is_active=True,
        ).values("pk")
    ).order_by("pk")


def told_of(arrival: Arrival) -> list[User]:
    """Who the kind's policy tells of an arrival (the person seen, the receiving department,
    roles, departments)."""
    kind = arrival.kind
    people: list[User] = []
    if kind.tells_host and arrival.host_id:
        people.append(arrival.host)  # type: ignore[arg-type]
    if kind.tells_department and arrival.department_id:
        people.extend(department_people([arrival.department_id]))
    for role in kind.told_roles or []:
        people.extend(users_with_role(role, site_id=arrival.site_id))  # that site's
    departments = [d.pk for d in kind.told_departments.all()]
    if departments:
        people.extend(department_people(departments))
    return people


def _event(arrival: Arrival, what: str, by: User | None, note: str = "") -> None:
    ArrivalEvent.objects.create(arrival=arrival, what=what, actor=by, note=note[:300])


def _screen(arrival: Arrival, *, id_number: str = "", where: str) -> bool:
    """Check the watch list; a hit holds the arrival. True when held."""
    entries = watch_list.check_watch_list(
        name=arrival.name,
        id_number=id_number or None,
        mobile=arrival.phone,
        organisation=arrival.company or arrival.details.get("carrier") or None,
    )
    known = set(arrival.hits.values_list("entry_id", flat=True))
    new = [e for e in entries if e.pk not in known]
    if new:
        watch_list.record_hits(
            new,
            where=where,
            matched=f"{arrival.name} · {arrival.company}".strip(" ·"),
            url=reverse("visits:arrival", args=[arrival.pk]),
            arrival=arrival,
        )
    if arrival.hits.filter(decision=HitDecision.OPEN).exists():
        if arrival.status != ArrivalStatus.HELD:
            arrival.status = ArrivalStatus.HELD
            arrival.save(update_fields=["status"])
            _event(arrival, "held", None)
        return True
    return False


def safety_notice(kind: ArrivalKind) -> GuestNotice | None:
    """The safety text in force a kind's arrival accepts at the gate (the guest side's
    versioned texts), or None when the kind does not ask it or the company has none."""
    if "safety" not in (kind.fields or []):
        return None
    return (
        GuestNotice.objects.filter(kind=NoticeKind.SAFETY, active=True).order_by("-version").first()
    )


def record_arrival(
    *,
    by: User,
    site: Site,
    kind: ArrivalKind,
    name: str,
    phone: str = "",
    id_number: str = "",
    headcount: int = 1,
    company: str = "",
    host: User | None = None,
    department: Department | None = None,
    details: dict | None = None,
    today: date | None = None,
    safety_accepted: bool = False,
    safety_name: str = "",
) -> Arrival:
    """The gate records an arrival of a kind; its people are told; the watch list is asked.
    A kind asking `safety` (the contractor) is refused unless the current safety text is
    accepted under a typed name (kept with its version and the time)."""
    details = {k: v for k, v in (details or {}).items() if v not in (None, "")}
    if kind.asks_host and host is None:
        raise VisitError(_("Name whom they come to see."))
    if kind.asks_department and department is None:
        raise VisitError(_("Name the receiving department."))
    valid_until = details.get("permit_valid_until")
    if valid_until:
        if isinstance(valid_until, date):
            details["permit_valid_until"] = valid_until.isoformat()
        else:
            valid_until = date.fromisoformat(str(valid_until))
        if valid_until < (today or timezone.localdate()):
            raise VisitError(_("The work permit has expired: no entry without a valid permit."))
    notice = safety_notice(kind)
    safety_name = " ".join((safety_name or "").split())[:100]
    if notice is not None and not (safety_accepted and safety_name):
        raise VisitError(
            _("A contractor enters only after accepting the safety rules under their name.")
        )
    with transaction.atomic():
        arrival = Arrival.objects.create(
            safety_notice=notice,
            safety_version=notice.version if notice else None,
            safety_name=safety_name if notice else "",
            safety_accepted_at=timezone.now() if notice else None,
            site=site,
            kind=kind,
            recorded_by=by,
            name=" ".join(name.split()),
            phone=phone.strip(),
            id_number_hash=id_number_hash(id_number) if id_number else "",
            headcount=max(headcount or 1, 1),
            company=company.strip(),
            host=host if kind.asks_host else None,
            department=department if kind.asks_department else None,
            details=details,
        )
        _event(arrival, "recorded", by)
        held = _screen(arrival, id_number=id_number, where="arrival")
        if not held:
            url = reverse("visits:arrival", args=[arrival.pk])
            notify(
                told_of(arrival),
                kind=NOTIFY_KIND,
                title=Msg(
                    _("At the gate: %(kind)s, %(name)s %(company)s"),
                    kind=kind.label,
                    name=arrival.name,
                    company=arrival.company or details.get("carrier", ""),
                ),
                body=Msg(_("Headed to: %(where)s."), where=arrival.headed_to),
                url=url,
                exclude=by,
            )
    return arrival


def _lock(arrival: Arrival) -> Arrival:
    return Arrival.objects.select_for_update().select_related("kind").get(pk=arrival.pk)


def check_in(*, arrival: Arrival, by: User) -> Arrival:
    """Let them in; the watch list is asked again (it may have changed since)."""
    with transaction.atomic():
        arrival = _lock(arrival)
        if arrival.status not in (ArrivalStatus.AT_GATE, ArrivalStatus.HELD):
            raise VisitError(_("Only someone waiting at the gate is checked in."))
        held = _screen(arrival, where="check_in")
        if not held:
            arrival.status = ArrivalStatus.ON_SITE
            arrival.checked_in_at = timezone.now()
            arrival.save(update_fields=["status", "checked_in_at"])
            _event(arrival, "checked_in", by)
    if held:  # kept: the hit and the hold stay on the timeline
        raise VisitError(_("Held: this person matches the watch list; security decides."))
    return arrival


def check_out(*, arrival: Arrival, by: User) -> Arrival:
    with transaction.atomic():
        arrival = _lock(arrival)
        if arrival.status != ArrivalStatus.ON_SITE:
            raise VisitError(_("Only someone on site is checked out."))
        arrival.status = ArrivalStatus.LEFT
        arrival.checked_out_at = timezone.now()
        arrival.save(update_fields=["status", "checked_out_at"])
        _event(arrival, "checked_out", by)
    return arrival


def decide_held(*, arrival: Arrival, by: User, let_in: bool, note: str = "") -> Arrival:
    """Security decides a held arrival: let in with a note (checked in at once) or refuse."""
    with transaction.atomic():
        arrival = _lock(arrival)
        if arrival.status != ArrivalStatus.HELD:
            raise VisitError(_("This arrival is not held."))
        for hit in arrival.hits.filter(decision=HitDecision.OPEN):
            watch_list.decide_hit(hit=hit, by=by, let_in=let_in, note=note)
        if let_in:
            _event(arrival, "let_in", by, note)
            arrival.status = ArrivalStatus.ON_SITE
            arrival.checked_in_at = timezone.now()
            arrival.save(update_fields=["status", "checked_in_at"])
            _event(arrival, "checked_in", by)
        else:
            _event(arrival, "refused", by, note)
            arrival.status = ArrivalStatus.REFUSED
            arrival.save(update_fields=["status"])
    return arrival


# ---- retention (called by visits/services/retention.py's daily run) -----------------------

ANONYMISED = "***"
PERSONAL_DETAILS = ("plate",)  # details that name a person; the rest stays for statistics


def arrivals_past_retention(now) -> QuerySet[Arrival]:
    """Arrivals not on site and not yet anonymised, ended (checked out, else recorded) longer
    ago than their kind's retention (deliveries shortest)."""
    ended = Coalesce("checked_out_at", "recorded_at")
    past = Q(pk__in=[])
    for kind in ArrivalKind.objects.all():
        past |= Q(kind=kind, ended_at__lt=now - timedelta(days=kind.retention_days))
    return (
        Arrival.objects.filter(anonymised_at__isnull=True)
        .exclude(status__in=[ArrivalStatus.ON_SITE, ArrivalStatus.HELD])
        .annotate(ended_at=ended)
        .filter(past)
    )


def anonymise_arrivals(*, now, dry_run: bool = False) -> int:
    """Names, phones, ID hashes and plates of arrivals past retention; returns how many."""
    ids = list(arrivals_past_retention(now).values_list("pk", flat=True))
    if dry_run:
        return len(ids)
    done = 0
    for pk in ids:
        with transaction.atomic():
            arrival = Arrival.objects.select_for_update().get(pk=pk)
            if arrival.anonymised_at is not None:
                continue
            arrival.name = ANONYMISED
            arrival.phone = ""
            arrival.safety_name = ""
            arrival.id_number_hash = ""
            arrival.details = {
                k: v for k, v in arrival.details.items() if k not in PERSONAL_DETAILS
            }
            arrival.anonymised_at = now
            arrival.save()
            arrival.hits.update(matched=ANONYMISED)
            url = reverse("visits:arrival", args=[arrival.pk])
            Notification.objects.filter(url=url).delete()
            done += 1
    return done
