"""The itinerary (seed 001 §6, the reception procedure): drafted on approval, edited later."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import User

from .. import permissions
from ..models import (
    PICKED_UP,
    EventKind,
    ItineraryItem,
    ProcedureStep,
    Purpose,
    Service,
    VisitEvent,
    VisitRequest,
)
from .lifecycle import VisitError, lock


def _at(day: date, hour: int, minute: int = 0) -> datetime:
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
    items: list[ItineraryItem] = []

    def add(
        step: str,
        starts: datetime,
        place: str = "",
        responsible: User | None = None,
        ends: datetime | None = None,
    ) -> None:
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
    if visit.wants(Service.CAR) and visit.arrival_mode in PICKED_UP:
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
        visit.departure_point,  # how they leave; never the train they came by
        visit.receptionist,
    )
    items.sort(key=lambda item: item.starts_at)
    ItineraryItem.objects.bulk_create(items)
    return items


def _at_other_site(row: dict[str, Any], visit: VisitRequest) -> dict[str, Any]:
    """An item's site is kept only where it is not the visit's own (empty means the visit's)."""
    site = row.get("site")
    return {**row, "site": site if site is not None and site.pk != visit.site_id else None}


def save_itinerary(*, visit: VisitRequest, by: User, rows: list[dict[str, Any]]) -> None:
    """Replace the itinerary with the edited rows (logged as one change)."""
    with transaction.atomic():
        visit = lock(visit)
        if not permissions.may_arrange_itinerary(by, visit):
            raise VisitError(_("Reception, the applicant and the main host edit the itinerary."))
        if permissions.is_terminal(by, visit):
            raise VisitError(_("This visit is over; its itinerary can no longer change."))
        permissions.require(
            by,
            "visits.edit_itinerary",
            visit,
            _("Reception, the applicant and the main host edit the itinerary."),
        )

        def summary() -> list[str]:
            return [
                " ".join(
                    part
                    for part in (
                        f"{timezone.localtime(i.starts_at):%m-%d %H:%M}",
                        i.label,
                        i.place,
                        f"@{i.site.label}" if i.site else "",
                    )
                    if part
                )
                for i in visit.itinerary.select_related("responsible", "site")
            ]

        before = summary()
        visit.itinerary.all().delete()
        ItineraryItem.objects.bulk_create(
            ItineraryItem(visit=visit, **_at_other_site(row, visit))
            for row in sorted(rows, key=lambda r: r["starts_at"])
        )
        after = summary()
        if before != after:
            VisitEvent.objects.create(
                visit=visit,
                actor=by,
                kind=EventKind.CHANGE,
                changes=[{"field": "itinerary", "old": before, "new": after}],
            )
