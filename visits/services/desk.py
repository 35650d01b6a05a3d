"""The reception desk: check-in and check-out (and their undo, for a minute), visitors added at
the desk, the receptionist's arrangements (room, pick-up car and driver, lobby text)."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import User
from reception.notifications.notify import GroupPost, Msg, notify

from .. import permissions
from ..models import (
    BOARD_STATUSES,
    ON_SITE,
    EventKind,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
)
from . import watch_list
from .lifecycle import VisitError, lock, transition
from .notifications import Kind

# Who checks guests in and out: the desk roles' permission (visits.check_in_visitors).
ONLY_THE_DESK = _("Only the reception desk checks visitors in and out.")


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
        permissions.require(by, "visits.check_in", visit, ONLY_THE_DESK)
        waiting = visit.visitors.filter(checked_in_at__isnull=True)
        if visitor_ids is not None:
            waiting = waiting.filter(pk__in=visitor_ids)
        arrived = list(waiting)
        if not arrived:
            raise VisitError(_("Nobody to check in: everyone chosen is already in."))
        # A watch-list match at the guest's registration holds that visitor: security decides.
        held = watch_list.held_visitors([v.pk for v in arrived])
        arrived = [v for v in arrived if v.pk not in held]
        if not arrived:
            raise VisitError(
                _("%(names)s must wait: security decides first (watch list).")
                % {"names": "、".join(v.name for v in waiting if v.pk in held)}
            )
        record_arrival(visit, arrived, by=by)
    return arrived


def record_arrival(
    visit: VisitRequest,
    arrived: list[Visitor],
    *,
    by: User | None,
    where: str = "",
    gate: str = "",
) -> None:
    """Check in `arrived` of the locked `visit`: the timeline, the visit's start, and the hosts
    told. `by` is the desk user, or None for a kiosk (`where` then names it); `gate` names the
    turnstile or gate that reported the visitor through (the API's passage)."""
    now = timezone.now()
    Visitor.objects.filter(pk__in=[v.pk for v in arrived]).update(checked_in_at=now)
    names = [v.name for v in arrived]
    event = VisitEvent.objects.create(
        visit=visit,
        actor=by,
        at=now,
        kind=EventKind.CHECK_IN,
        changes=names,
        message=(
            Msg(_("At the kiosk %(kiosk)s"), kiosk=where).to_json()
            if where
            else Msg(_("Through the gate %(gate)s"), gate=gate).to_json()
            if gate
            else None
        ),
    )
    # One post per group robot for the check-in, whoever of its members it tells.
    group = GroupPost(key=f"check_in:{event.pk}", url=reverse("visits:detail", args=[visit.pk]))
    if visit.status == VisitStatus.APPROVED:
        transition(visit, to=VisitStatus.IN_PROGRESS, by=by)
    for user in _told_of_arrivals(visit):
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
                user=by if by is not None else where,
                time=timezone.localtime(now).strftime("%H:%M"),
            ),
            url=_url_for(visit, user),
            exclude=by,
            group=group,
        )


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
        permissions.require(by, "visits.check_out", visit, ONLY_THE_DESK)
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


# How long the desk may take back a check-in or check-out it just made (a wrong name tapped).
UNDO_SECONDS = 60


def undo_until(event: VisitEvent) -> datetime:
    return event.at + timedelta(seconds=UNDO_SECONDS)


def undo_check(*, event: VisitEvent, by: User, now: datetime | None = None) -> list[Visitor]:
    """Take back a check-in or check-out within UNDO_SECONDS of it, by whoever made it. The
    visitors it moved (their time is the event's) go back to where they were; a visit the
    check-in started goes back to approved, one the check-out completed back to in progress.
    The timeline keeps both entries: the check-in and its undoing."""
    now = now or timezone.now()
    undoing_in = event.kind == EventKind.CHECK_IN
    if event.kind not in (EventKind.CHECK_IN, EventKind.CHECK_OUT):
        raise VisitError(_("Only a check-in or a check-out can be undone."))
    with transaction.atomic():
        visit = lock(event.visit)
        permissions.require(
            by,
            "visits.undo_check",
            event,
            _("Only whoever checked the visitors in or out may undo it."),
        )
        if now > undo_until(event):
            raise VisitError(
                _("Too late to undo: that was more than a minute ago. Check them in or out again.")
            )
        if undoing_in:
            # Visitors who have left since stay checked in: undo their check-out first.
            found = visit.visitors.filter(checked_in_at=event.at, checked_out_at__isnull=True)
        else:
            found = visit.visitors.filter(checked_out_at=event.at)
        moved = list(found)
        if not moved or visit.status not in BOARD_STATUSES:
            raise VisitError(_("Nothing to undo: it was undone already or has moved on."))
        field = "checked_in_at" if undoing_in else "checked_out_at"
        Visitor.objects.filter(pk__in=[v.pk for v in moved]).update(**{field: None})
        names = [v.name for v in moved]
        undone = VisitEvent.objects.create(
            visit=visit,
            actor=by,
            at=now,
            kind=EventKind.CHECK_IN_UNDONE if undoing_in else EventKind.CHECK_OUT_UNDONE,
            changes=names,
        )
        if undoing_in and visit.status == VisitStatus.IN_PROGRESS:
            if not visit.visitors.filter(checked_in_at__isnull=False).exists():
                transition(visit, to=VisitStatus.APPROVED, by=by)
        elif not undoing_in and visit.status == VisitStatus.COMPLETED:
            transition(visit, to=VisitStatus.IN_PROGRESS, by=by)
        if undoing_in:  # they were told the guests had arrived
            for user in _told_of_arrivals(visit):
                notify(
                    [user],
                    kind=Kind.GUESTS_ARRIVED,
                    title=Msg(
                        _("%(client)s: check-in of %(names)s undone, not arrived yet"),
                        client=lambda: visit.client.label if visit.client else "",
                        names="、".join(names),
                    ),
                    url=_url_for(visit, user),
                    exclude=by,
                    group=GroupPost(
                        key=f"check_in_undone:{undone.pk}",
                        url=reverse("visits:detail", args=[visit.pk]),
                    ),
                )
    return moved


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
        if not permissions.awaits_check_in(by, visit):
            raise VisitError(_("Visitors are added at the desk only to approved visits."))
        permissions.require(by, "visits.check_in", visit, ONLY_THE_DESK)
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
        if not permissions.is_arrangeable(by, visit):
            raise VisitError(_("Arrangements are made for approved visits."))
        permissions.require(
            by, "visits.make_arrangements", visit, _("Customer reception makes the arrangements.")
        )
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


def _told_of_arrivals(visit: VisitRequest) -> list[User]:
    """Who hears that the guests arrived (and that a check-in was undone): the main host, the
    accompanying staff and the applicant, each once."""
    people = [visit.main_host, *visit.accompanying_staff.all(), visit.applicant]
    return list({u.pk: u for u in people if u is not None}.values())
