"""The watch list: people and organisations the gate lets in only on security's decision.

Kept by security and administrators (`visits.keep_watch_list`); nobody else sees the list or
a reason. Names match look-alike (`reception.validators.name_key`: Traditional characters
Simplified with OpenCC, full-width made half-width, spaces and punctuation ignored); ID
numbers match by their keyed hash (HMAC with the installation's secret key: the number
itself is never stored); mobiles by their digits.

Checked when a gate arrival is recorded and at its check-in (a hit holds it), when a walk-in
is recorded and when a visit request is filed (security is told)."""

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.accounts.roles import Role
from reception.models import User
from reception.notifications.notify import Msg, notify
from reception.organisation.selectors import users_with_role
from reception.validators import name_key

from ..models import WatchEntry, WatchEntryKind, WatchHit, id_number_hash
from ..models.requests import normalise_id_number
from .lifecycle import VisitError

NOTIFY_KIND = "watch_list_hit"


def mobile_key(value: str | None) -> str:
    digits = "".join(ch for ch in (value or "") if ch.isdigit())
    return digits[-11:] if len(digits) >= 7 else ""


def may_keep(user: User) -> bool:
    return user.has_perm("visits.keep_watch_list")


def _require(user: User) -> None:
    if not may_keep(user):
        raise VisitError(_("Only security and administrators keep the watch list."))


def save_entry(
    *,
    by: User,
    entry: WatchEntry | None = None,
    kind: str,
    name: str,
    id_number: str = "",
    mobile: str = "",
    reason: str,
    is_active: bool = True,
) -> WatchEntry:
    """Add an entry, or change one (an empty ID number keeps the one stored)."""
    _require(by)
    reason = (reason or "").strip()
    if not reason:
        raise VisitError(_("Give the reason: security reads it when someone matches."))
    entry = entry or WatchEntry(added_by=by)
    entry.kind = kind
    entry.name = " ".join((name or "").split())
    entry.name_key = name_key(entry.name)
    if not entry.name_key:
        raise VisitError(_("Give a name."))
    number = normalise_id_number(id_number)
    if number:
        entry.id_number_hash = id_number_hash(number)
        entry.id_number_tail = number[-4:]
    entry.mobile = (mobile or "").strip()
    entry.mobile_key = mobile_key(entry.mobile)
    entry.reason = reason[:300]
    entry.is_active = is_active
    entry.save()
    return entry


def check_watch_list(
    *,
    name: str,
    id_number: str | None = None,
    mobile: str | None = None,
    organisation: str | None = None,
) -> list[WatchEntry]:
    """The active entries that match a person (by look-alike name, ID number or mobile) or
    their organisation (by look-alike name)."""
    match = Q(pk__in=[])
    person = name_key(name or "")
    if person:
        match |= Q(kind=WatchEntryKind.PERSON, name_key=person)
    number = id_number_hash(id_number or "")
    if number:
        match |= Q(kind=WatchEntryKind.PERSON, id_number_hash=number)
    phone = mobile_key(mobile)
    if phone:
        match |= Q(kind=WatchEntryKind.PERSON, mobile_key=phone)
    company = name_key(organisation or "")
    if company:
        match |= Q(kind=WatchEntryKind.ORGANISATION, name_key=company)
    return list(WatchEntry.objects.filter(match, is_active=True).order_by("pk"))


def security() -> list[User]:
    return list(users_with_role(Role.SECURITY))


def record_hits(
    entries: list[WatchEntry],
    *,
    where: str,
    matched: str,
    url: str,
    arrival=None,
    walk_in_id: int | None = None,
    visit_id: int | None = None,
    visitor_id: int | None = None,
) -> list[WatchHit]:
    """Keep each hit and tell security (the title names no reason: security opens the page)."""
    hits = [
        WatchHit.objects.create(
            entry=entry,
            where=where,
            matched=matched[:200],
            arrival=arrival,
            walk_in_id=walk_in_id,
            visit_id=visit_id,
            visitor_id=visitor_id,
        )
        for entry in entries
    ]
    if hits:
        notify(
            security(),
            kind=NOTIFY_KIND,
            title=Msg(_("Watch list: %(who)s matches; security decides"), who=matched[:100]),
            url=url,
        )
    return hits


def screen_walk_in(walk_in) -> list[WatchHit]:
    """The hook `record_walk_in` calls: each named visitor and the company."""
    from .walk_ins import split_names  # local: walk_ins calls this module

    entries: dict[int, WatchEntry] = {}
    for person in split_names(walk_in.names) or [walk_in.names]:
        for entry in check_watch_list(
            name=person, mobile=walk_in.phone, organisation=walk_in.company
        ):
            entries[entry.pk] = entry
    return record_hits(
        list(entries.values()),
        where="walk_in",
        matched=f"{walk_in.names} · {walk_in.company}",
        url=reverse("visits:walk_in", args=[walk_in.pk]),
        walk_in_id=walk_in.pk,
    )


def screen_visit(visit) -> list[WatchHit]:
    """The hook filing a visit request calls: each visitor (name, ID hash, phone) and the
    client."""
    entries: dict[int, WatchEntry] = {}
    company = visit.client.name if visit.client_id else ""
    for visitor in visit.visitors.all():
        match = Q(kind=WatchEntryKind.PERSON, name_key=name_key(visitor.name))
        if visitor.id_number_hash:
            match |= Q(kind=WatchEntryKind.PERSON, id_number_hash=visitor.id_number_hash)
        if mobile_key(visitor.phone):
            match |= Q(kind=WatchEntryKind.PERSON, mobile_key=mobile_key(visitor.phone))
        for entry in WatchEntry.objects.filter(match, is_active=True):
            entries[entry.pk] = entry
    for entry in check_watch_list(name="", organisation=company):
        entries[entry.pk] = entry
    return record_hits(
        list(entries.values()),
        where="visit",
        matched=f"{visit.reference or visit.pk} · {company}",
        url=reverse("visits:watch_list"),
        visit_id=visit.pk,
    )


def screen_guest_visitor(visitor) -> list[WatchHit]:
    """The hook the guest's self-registration calls for each visitor added or changed (name,
    ID number, mobile) and the client: a match tells security and holds that visitor's
    check-in (by pass, at the kiosk or at the desk) until security decides."""
    visit = visitor.visit
    company = visit.client.name if visit.client_id else ""
    match = Q(kind=WatchEntryKind.PERSON, name_key=name_key(visitor.name))
    if visitor.id_number_hash:
        match |= Q(kind=WatchEntryKind.PERSON, id_number_hash=visitor.id_number_hash)
    if mobile_key(visitor.phone):
        match |= Q(kind=WatchEntryKind.PERSON, mobile_key=mobile_key(visitor.phone))
    entries = {e.pk: e for e in WatchEntry.objects.filter(match, is_active=True)}
    for entry in check_watch_list(name="", organisation=company):
        entries[entry.pk] = entry
    return record_hits(
        list(entries.values()),
        where="guest",
        matched=f"{visitor.name} · {visit.reference or visit.pk} · {company}",
        url=reverse("visits:watch_list"),
        visit_id=visit.pk,
        visitor_id=visitor.pk,
    )


def held_visitors(visitor_ids) -> set[int]:
    """Of these visitors, those whose check-in waits for security (an open match, or a
    refusal: a refused visitor is not checked in)."""
    ids = [pk for pk in visitor_ids if pk]
    if not ids:
        return set()
    rows = (
        WatchHit.objects.filter(visitor_id__in=ids)
        .exclude(decision="let_in")
        .values_list("visitor_id", flat=True)
    )
    return {pk for pk in rows if pk is not None}


def decide_hit(*, hit: WatchHit, by: User, let_in: bool, note: str = "") -> WatchHit:
    """Security decides a hit: let in (with a note) or refuse."""
    _require(by)
    with transaction.atomic():
        hit = WatchHit.objects.select_for_update().get(pk=hit.pk)
        if hit.decision != "open":
            raise VisitError(_("This match was already decided."))
        if let_in and not (note or "").strip():
            raise VisitError(_("Letting someone on the watch list in needs a note."))
        hit.decision = "let_in" if let_in else "refused"
        hit.decided_by = by
        hit.decided_at = timezone.now()
        hit.note = (note or "").strip()[:300]
        hit.save()
    return hit


def open_hits(*, walk_in_id: int | None = None, visit_id: int | None = None) -> bool:
    """Whether a walk-in (or a visit) has a match security has not decided yet."""
    hits = WatchHit.objects.filter(decision="open")
    if walk_in_id is not None:
        return hits.filter(walk_in_id=walk_in_id).exists()
    return hits.filter(visit_id=visit_id).exists()
