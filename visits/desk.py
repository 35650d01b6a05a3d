"""The reception desk: check-in and check-out, visitors added at the desk, walk-ins at the
gate, the itinerary and the lobby welcome lines."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import Client, ClientCategory, ReceptionGrade, ReceptionPolicy, User
from reception.notify import Msg, notify

from .lifecycle import VisitError, transition
from .models import (
    EventKind,
    ItineraryItem,
    Origin,
    ProcedureStep,
    Purpose,
    Service,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
    WalkIn,
    WalkInStatus,
    WelcomeDisplay,
)
from .models.desk import new_display_token

ON_THE_BOARD = (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)


def _locked(visit: VisitRequest) -> VisitRequest:
    return VisitRequest.objects.select_for_update().get(pk=visit.pk)


def _url(visit: VisitRequest) -> str:
    from django.urls import reverse

    return reverse("visits:desk", args=[visit.pk])


# ---- check-in and check-out ---------------------------------------------------------------


def check_in(*, visit: VisitRequest, by: User, visitor_ids: list[int] | None = None) -> list:
    """Check in the given visitors (None: everyone not yet in). The first check-in starts the
    visit; the main host and the accompanying staff are told the guests have arrived."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status not in (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS):
            raise VisitError(
                _("Only an approved visit can check in; this one is “%(status)s”.")
                % {"status": visit.get_status_display()}
            )
        waiting = visit.visitors.filter(checked_in_at__isnull=True)
        if visitor_ids is not None:
            waiting = waiting.filter(pk__in=visitor_ids)
        arrived = list(waiting)
        if not arrived:
            raise VisitError(_("Nobody to check in: everyone chosen is already in."))
        now = timezone.now()
        Visitor.objects.filter(pk__in=[v.pk for v in arrived]).update(checked_in_at=now)
        names = [v.name for v in arrived]
        VisitEvent.objects.create(
            visit=visit, actor=by, at=now, kind=EventKind.CHECK_IN, changes=names
        )
        if visit.status == VisitStatus.APPROVED:
            transition(visit, to=VisitStatus.IN_PROGRESS, by=by)
        notify(
            [visit.main_host, *visit.accompanying_staff.all(), visit.applicant],
            kind="guests_arrived",
            title=Msg(
                _("%(client)s has arrived: %(names)s"),
                client=lambda: visit.client.label,
                names="、".join(names),
            ),
            body=Msg(
                _("%(ref)s · meeting room %(room)s · checked in by %(user)s at %(time)s"),
                ref=visit.reference,
                room=visit.meeting_room or "—",
                user=by,
                time=timezone.localtime(now).strftime("%H:%M"),
            ),
            url=_url(visit),
            exclude=by,
        )
    return arrived


def check_out(*, visit: VisitRequest, by: User, visitor_ids: list[int] | None = None) -> list:
    """Check out the given visitors (None: everyone on site). When nobody is left on site
    the visit is completed."""
    with transaction.atomic():
        visit = _locked(visit)
        on_site = visit.visitors.filter(checked_in_at__isnull=False, checked_out_at__isnull=True)
        leaving = on_site.filter(pk__in=visitor_ids) if visitor_ids is not None else on_site
        leaving = list(leaving)
        if not leaving:
            raise VisitError(_("Nobody to check out: nobody chosen is on site."))
        now = timezone.now()
        Visitor.objects.filter(pk__in=[v.pk for v in leaving]).update(checked_out_at=now)
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            at=now,
            kind=EventKind.CHECK_OUT,
            changes=[v.name for v in leaving],
        )
        still_here = visit.visitors.filter(
            checked_in_at__isnull=False, checked_out_at__isnull=True
        ).exists()
        if not still_here and visit.status == VisitStatus.IN_PROGRESS:
            transition(visit, to=VisitStatus.COMPLETED, by=by)
    return leaving


def add_visitor_at_desk(
    *,
    visit: VisitRequest,
    by: User,
    name: str,
    title: str = "",
    phone: str = "",
    check_in_now: bool = True,
) -> Visitor:
    """Someone not on the list turned up with the group: add them (logged), raise the
    headcount if needed, and check them in."""
    name = name.strip()
    if not name:
        raise VisitError(_("Give the visitor's name."))
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status not in (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS):
            raise VisitError(_("Visitors are added at the desk only to approved visits."))
        visitor = Visitor.objects.create(
            visit=visit, name=name, title=title.strip(), phone=phone.strip(), added_at_desk=True
        )
        count = visit.visitors.count()
        if visit.headcount < count:
            visit.headcount = count
            visit.save(update_fields=["headcount", "updated_at"])
        VisitEvent.objects.create(
            visit=visit, actor=by, kind=EventKind.VISITOR_ADDED, changes=[name]
        )
    if check_in_now:
        check_in(visit=visit, by=by, visitor_ids=[visitor.pk])
    return visitor


ARRANGEMENT_FIELDS = [
    "meeting_room",
    "pickup_car",
    "pickup_driver",
    "banner_text",
    "banner_text_en",
]


def update_arrangements(*, visit: VisitRequest, by: User, data: dict) -> list[dict]:
    """The receptionist's part of the request: room, pick-up car and driver, lobby text."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.status not in ON_THE_BOARD and visit.status != VisitStatus.IN_APPROVAL:
            raise VisitError(_("Arrangements are made for approved visits."))
        before = {f: getattr(visit, f) for f in ARRANGEMENT_FIELDS}
        for field in ARRANGEMENT_FIELDS:
            if field in data:
                setattr(visit, field, (data[field] or "").strip())
        diff = [
            {"field": f, "old": before[f], "new": getattr(visit, f)}
            for f in ARRANGEMENT_FIELDS
            if before[f] != getattr(visit, f)
        ]
        if diff:
            visit.save(update_fields=[*ARRANGEMENT_FIELDS, "updated_at"])
            VisitEvent.objects.create(visit=visit, actor=by, kind=EventKind.CHANGE, changes=diff)
    return diff


# ---- walk-ins (seed 000 D: 未预约冒昧来访) ----------------------------------------------------


def walk_in_contact() -> User | None:
    return ReceptionPolicy.get().walk_in_contact


def record_walk_in(
    *,
    by: User,
    company: str,
    names: str,
    headcount: int,
    phone: str,
    wants_to_see: User,
    purpose: str,
) -> WalkIn:
    """Security or the front desk records an unannounced visitor; the person they want to see
    is told at once."""
    company = " ".join(company.split())
    client = Client.objects.filter(name__iexact=company).first()
    walk_in = WalkIn.objects.create(
        recorded_by=by,
        company=company,
        client=client,
        names=names.strip(),
        headcount=max(headcount, 1),
        phone=phone.strip(),
        wants_to_see=wants_to_see,
        purpose=purpose.strip(),
    )
    from django.urls import reverse

    notify(
        [wants_to_see],
        kind="walk_in",
        title=Msg(
            _("At the gate now: %(names)s from %(company)s want to see you"),
            names=walk_in.names,
            company=company,
        ),
        body=Msg(
            _("Purpose: %(purpose)s. Phone: %(phone)s. Recorded by %(user)s. Accept or decline."),
            purpose=walk_in.purpose,
            phone=walk_in.phone,
            user=by,
        ),
        url=reverse("visits:walk_in", args=[walk_in.pk]),
    )
    return walk_in


def _decided(walk_in: WalkIn, by: User) -> WalkIn:
    walk_in = WalkIn.objects.select_for_update().get(pk=walk_in.pk)
    if walk_in.wants_to_see_id != by.pk:
        raise VisitError(_("Only the person the visitors asked for decides."))
    if walk_in.status != WalkInStatus.WAITING:
        raise VisitError(
            _("This walk-in was already %(status)s.") % {"status": walk_in.get_status_display()}
        )
    walk_in.decided_by = by
    walk_in.decided_at = timezone.now()
    return walk_in


def _routine_grade() -> ReceptionGrade:
    grade = ReceptionGrade.objects.current().order_by("-rank").first()
    if grade is None:
        raise VisitError(_("No grade is set up; ask an administrator to load the policy."))
    return grade


def accept_walk_in(*, walk_in: WalkIn, by: User) -> VisitRequest:
    """Receive them: a visit request of origin walk-in, the lowest (routine) grade, filled in
    from the gate's record and submitted straight away, first in every approver's queue."""
    from .services import assign_reference, start_approval

    with transaction.atomic():
        walk_in = _decided(walk_in, by)
        client = walk_in.client or Client.objects.filter(name__iexact=walk_in.company).first()
        if client is None:  # a self-enquiry customer, created on the spot
            client = Client.objects.create(
                name=walk_in.company, category=ClientCategory.SELF_ENQUIRY
            )
        now = timezone.now().replace(second=0, microsecond=0)
        visit = VisitRequest.objects.create(
            applicant=by,
            client=client,
            origin=Origin.WALK_IN,
            purposes=[Purpose.OTHER],
            purpose_other=walk_in.purpose[:200],
            reason=walk_in.purpose,
            proposed_grade=_routine_grade(),
            arrival_at=now,
            departure_at=now + timedelta(hours=2),
            headcount=walk_in.headcount,
            main_host=by,
            late=True,
            late_reason=str(_("Unannounced visitor at the gate.")),
        )
        assign_reference(visit)
        for name in split_names(walk_in.names):
            Visitor.objects.create(visit=visit, name=name, phone=walk_in.phone)
        VisitEvent.objects.create(
            visit=visit,
            actor=walk_in.recorded_by,
            at=walk_in.recorded_at,
            kind=EventKind.WALK_IN,
            changes=[walk_in.company, walk_in.names],
        )
        transition(visit, to=VisitStatus.SUBMITTED, by=by)
        start_approval(visit)
        walk_in.status = WalkInStatus.ACCEPTED
        walk_in.client = client
        walk_in.visit = visit
        walk_in.save()
        _tell_the_gate(walk_in)
    return visit


def decline_walk_in(*, walk_in: WalkIn, by: User, reason: str) -> WalkIn:
    reason = (reason or "").strip()
    if not reason:
        raise VisitError(_("Give a reason: the gate tells the visitors."))
    with transaction.atomic():
        walk_in = _decided(walk_in, by)
        walk_in.status = WalkInStatus.DECLINED
        walk_in.decline_reason = reason[:300]
        walk_in.save()
        _tell_the_gate(walk_in)
    return walk_in


def _tell_the_gate(walk_in: WalkIn) -> None:
    from django.urls import reverse

    notify(
        [walk_in.recorded_by],
        kind="walk_in_decided",
        title=Msg(
            _("%(company)s: %(status)s by %(user)s"),
            company=walk_in.company,
            status=walk_in.get_status_display(),
            user=walk_in.decided_by,
        ),
        body=Msg(_("Reason: %(reason)s"), reason=walk_in.decline_reason)
        if walk_in.decline_reason
        else None,
        url=reverse("visits:walk_ins"),
    )


def split_names(names: str) -> list[str]:
    for separator in ("、", ",", ",", ";", ";", "\n"):
        names = names.replace(separator, "|")
    return [n.strip() for n in names.split("|") if n.strip()][:50]


# ---- itinerary (seed 001 §6, the reception procedure) -------------------------------------


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def default_itinerary(visit: VisitRequest) -> list[ItineraryItem]:
    """The procedure, pick-up → welcome → … → send-off, fitted to the visit's services and
    times. Only when the visit has no itinerary yet."""
    if visit.itinerary.exists() or not visit.arrival_at or not visit.departure_at:
        return []
    arrival = timezone.localtime(visit.arrival_at)
    departure = timezone.localtime(visit.departure_at)
    room = visit.meeting_room
    host = visit.main_host
    items = []

    def add(step, starts, place="", responsible=None, ends=None):
        items.append(
            ItineraryItem(
                visit=visit,
                step=step,
                starts_at=starts,
                ends_at=ends,
                place=place,
                responsible=responsible,
                title="",
            )
        )

    start = arrival
    if visit.wants(Service.CAR) and visit.arrival_mode in ("airport", "station"):
        add(ProcedureStep.PICK_UP, arrival, visit.arrival_point, visit.receptionist)
        start = arrival + timedelta(hours=1)
    add(ProcedureStep.WELCOME, start, room, host)
    add(ProcedureStep.INTRODUCTION, start + timedelta(minutes=15), room, host)
    add(ProcedureStep.TALKS, start + timedelta(minutes=45), room, visit.applicant)
    tour_purposes = {Purpose.TOUR, Purpose.INSPECTION, Purpose.PRODUCT_AUDIT, Purpose.SYSTEM_AUDIT}
    if visit.wants(Service.GUIDED_TOUR) or tour_purposes & set(visit.purposes):
        add(ProcedureStep.TOUR, start + timedelta(hours=2))
    if visit.meals:
        lunch = _at(arrival.date(), 12)
        add(ProcedureStep.MEALS, lunch if lunch > start else start + timedelta(hours=3))
    if visit.rooms:
        add(ProcedureStep.ACCOMMODATION, _at(arrival.date(), 18), "", visit.receptionist)
    add(ProcedureStep.GIFTS, departure - timedelta(minutes=45), room, host)
    add(
        ProcedureStep.SEND_OFF,
        departure - timedelta(minutes=30),
        visit.arrival_point,
        visit.receptionist,
    )
    items.sort(key=lambda item: item.starts_at)
    ItineraryItem.objects.bulk_create(items)
    return items


def save_itinerary(*, visit: VisitRequest, by: User, rows: list[dict]) -> None:
    """Replace the itinerary with the edited rows (logged as one change)."""
    with transaction.atomic():
        visit = _locked(visit)
        if visit.is_terminal:
            raise VisitError(_("This visit is over; its itinerary can no longer change."))

        def summary():
            return [
                f"{timezone.localtime(i.starts_at):%m-%d %H:%M} {i.label} {i.place}".strip()
                for i in visit.itinerary.select_related("responsible")
            ]

        before = summary()
        visit.itinerary.all().delete()
        ItineraryItem.objects.bulk_create(
            ItineraryItem(visit=visit, **row) for row in sorted(rows, key=lambda r: r["starts_at"])
        )
        after = summary()
        if before != after:
            VisitEvent.objects.create(
                visit=visit,
                actor=by,
                kind=EventKind.CHANGE,
                changes=[{"field": "itinerary", "old": before, "new": after}],
            )


# ---- the lobby welcome screen -------------------------------------------------------------


def rotate_display_secret(display: WelcomeDisplay) -> WelcomeDisplay:
    """A new secret URL for the display; the old one answers 404 from now on."""
    display.token = new_display_token()
    display.rotated_at = timezone.now()
    display.save(update_fields=["token", "rotated_at"])
    return display


def welcome_lines(day=None) -> list[dict]:
    """Today's welcome messages: visits that asked for the banner and are expected today or
    on site now (guests who came early count). Plain text; templates escape it."""
    from django.db.models import Q

    day = day or timezone.localdate()
    policy = ReceptionPolicy.get()
    expected_today = Q(
        status=VisitStatus.APPROVED, arrival_at__date__lte=day, departure_at__date__gte=day
    )
    visits = (
        VisitRequest.objects.filter(expected_today | Q(status=VisitStatus.IN_PROGRESS))
        .select_related("client")
        .order_by("arrival_at")
    )
    lines = []
    for visit in visits:
        if not visit.wants(Service.WELCOME_BANNER):
            continue
        client = visit.client
        zh = visit.banner_text or policy.welcome_line.replace("{client}", client.name)
        en = visit.banner_text_en or policy.welcome_line_en.replace(
            "{client}", client.name_en or client.name
        )
        lines.append({"visit": visit, "zh": zh, "en": en})
    return lines
