"""The reception desk: check-in and check-out, visitors added at the desk, the receptionist's
arrangements (room, pick-up car and driver, lobby text)."""

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import User
from reception.notify import Msg, notify

from .. import permissions
from ..models import (
    ON_SITE,
    EventKind,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
)
from .lifecycle import VisitError, lock, transition
from .notifications import Kind

ON_THE_BOARD = (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED)


def _url(visit: VisitRequest) -> str:
    return reverse("visits:desk", args=[visit.pk])


def _url_for(visit: VisitRequest, user: User) -> str:
    """The desk page for those who work the desk, the visit's page for its hosts."""
    if user.has_perm("visits.view_arrivals"):
        return _url(visit)
    return reverse("visits:detail", args=[visit.pk])


# ---- check-in and check-out ---------------------------------------------------------------


def check_in(
    *, visit: VisitRequest, by: User, visitor_ids: list[int] | None = None
) -> list[Visitor]:
    """Check in the given visitors (None: everyone not yet in). The first check-in starts the
    visit; the main host and the accompanying staff are told the guests have arrived."""
    with transaction.atomic():
        visit = lock(visit)
        if not permissions.awaits_check_in(by, visit):
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
        people = [visit.main_host, *visit.accompanying_staff.all(), visit.applicant]
        for user in {u.pk: u for u in people if u is not None}.values():
            notify(
                [user],
                kind=Kind.GUESTS_ARRIVED,
                title=Msg(
                    _("%(client)s has arrived: %(names)s"),
                    client=lambda: visit.client.label if visit.client else "—",
                    names="、".join(names),
                ),
                body=Msg(
                    _("%(ref)s · meeting room %(room)s · checked in by %(user)s at %(time)s"),
                    ref=visit.reference,
                    room=visit.meeting_room or "—",
                    user=by,
                    time=timezone.localtime(now).strftime("%H:%M"),
                ),
                url=_url_for(visit, user),
                exclude=by,
            )
    return arrived


def check_out(
    *, visit: VisitRequest, by: User, visitor_ids: list[int] | None = None
) -> list[Visitor]:
    """Check out the given visitors (None: everyone on site). When nobody is left on site
    the visit is completed."""
    with transaction.atomic():
        visit = lock(visit)
        on_site = visit.visitors.filter(ON_SITE)
        chosen = on_site.filter(pk__in=visitor_ids) if visitor_ids is not None else on_site
        leaving = list(chosen)
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
        still_here = visit.visitors.filter(ON_SITE).exists()
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
        visit = lock(visit)
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


def update_arrangements(
    *, visit: VisitRequest, by: User, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """The receptionist's part of the request: room, pick-up car and driver, lobby text."""
    with transaction.atomic():
        visit = lock(visit)
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


# ---- itinerary (seed 001 §6, the reception procedure) -------------------------------------


# ---- the lobby welcome screen -------------------------------------------------------------
