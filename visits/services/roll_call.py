"""Who is on site now (visitors checked in, walk-ins at the gate, arrivals checked in), and
the evacuation roll call: a snapshot of that list, each person marked safe with one tap, the
missing listed with their host; kept afterwards."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.accounts.roles import role_label
from reception.models import Site, User

from ..models import (
    ON_SITE,
    Arrival,
    ArrivalStatus,
    RollCall,
    RollCallEntry,
    Visitor,
    WalkIn,
    WalkInStatus,
    mask_phone,
)
from .lifecycle import VisitError


@dataclass
class OnSite:
    source: str  # visitor, walk_in, arrival
    kind: str
    name: str
    company: str
    host: str
    phone: str  # masked
    headed_to: str
    since: object
    site: str


def _at(sites: list[Site] | None, path: str = "site") -> Q:
    return Q() if sites is None else Q(**{f"{path}__in": sites})


def on_site_now(sites: list[Site] | None) -> list[OnSite]:
    """Everyone on site at `sites` (None: every site), in three queries: visitors checked in,
    walk-ins waiting at the gate, arrivals of the other kinds."""
    people: list[OnSite] = []
    visitors = (
        Visitor.objects.filter(ON_SITE)
        .filter(_at(sites, "visit__site"))
        .select_related("visit__client", "visit__main_host", "visit__applicant", "visit__site")
        .order_by("checked_in_at", "pk")
    )
    for v in visitors:
        visit = v.visit
        people.append(
            OnSite(
                source="visitor",
                kind=str(_("Client")),
                name=v.name,
                company=visit.client.name if visit.client else "",
                host=str(visit.main_host or visit.applicant),
                phone=mask_phone(v.phone),
                headed_to=visit.reference or "",
                since=v.checked_in_at,
                site=visit.site.label,
            )
        )
    since = timezone.now() - timedelta(hours=12)
    walk_ins = WalkIn.objects.filter(
        _at(sites), status=WalkInStatus.WAITING, recorded_at__gte=since
    )
    for w in walk_ins.select_related("wants_to_see", "site").order_by("recorded_at", "pk"):
        people.append(
            OnSite(
                source="walk_in",
                kind=str(_("Walk-in at the gate")),
                name=w.names,
                company=w.company,
                host=str(w.wants_to_see),
                phone=mask_phone(w.phone),
                headed_to=str(_("Gate")),
                since=w.recorded_at,
                site=w.site.label if w.site else "",
            )
        )
    arrivals = (
        Arrival.objects.filter(_at(sites), status=ArrivalStatus.ON_SITE)
        .select_related("kind", "host", "department", "site")
        .order_by("checked_in_at", "pk")
    )
    for a in arrivals:
        people.append(
            OnSite(
                source="arrival",
                kind=a.kind.label,
                name=a.name,
                company=a.company or a.details.get("carrier", ""),
                host=str(a.host or a.department or _told_roles(a.kind.told_roles)),
                phone=mask_phone(a.phone),
                headed_to=a.headed_to,
                since=a.checked_in_at,
                site=a.site.label,
            )
        )
    return people


def _told_roles(codes) -> str:
    return "、".join(str(role_label(code)) for code in codes or [])


def start_roll_call(*, site: Site, by: User) -> RollCall:
    """Start a roll call at a site (or return the one running there) from who is on site."""
    with transaction.atomic():
        Site.objects.select_for_update().get(pk=site.pk)
        running = RollCall.objects.filter(site=site, closed_at__isnull=True).first()
        if running is not None:
            return running
        roll_call = RollCall.objects.create(site=site, started_by=by)
        RollCallEntry.objects.bulk_create(
            RollCallEntry(
                roll_call=roll_call,
                source=p.source,
                name=p.name[:150],
                company=p.company[:150],
                host_name=p.host[:150],
                phone_masked=p.phone[:30],
                headed_to=p.headed_to[:200],
            )
            for p in on_site_now([site])
        )
    return roll_call


def mark_safe(*, entry: RollCallEntry, by: User, safe: bool = True) -> RollCallEntry:
    with transaction.atomic():
        entry = (
            RollCallEntry.objects.select_for_update().select_related("roll_call").get(pk=entry.pk)
        )
        if entry.roll_call.closed_at is not None:
            raise VisitError(_("This roll call is closed."))
        entry.safe_at = timezone.now() if safe else None
        entry.marked_by = by if safe else None
        entry.save(update_fields=["safe_at", "marked_by"])
    return entry


def close_roll_call(*, roll_call: RollCall, by: User) -> RollCall:
    with transaction.atomic():
        roll_call = RollCall.objects.select_for_update().get(pk=roll_call.pk)
        if roll_call.closed_at is None:
            roll_call.closed_at = timezone.now()
            roll_call.closed_by = by
            roll_call.save(update_fields=["closed_at", "closed_by"])
    return roll_call
