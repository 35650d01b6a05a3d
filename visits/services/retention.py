"""Personal data kept only as long as needed (PIPL): once a visit has ended (closed, cancelled
or rejected) longer ago than the reception policy's retention period, its visitors' names,
phone numbers and ID numbers are anonymised, and so are walk-ins decided (or left waiting) that
long ago. Counts, headcounts, companies, grades and the timeline's shape stay for the
statistics. Run daily by Celery beat and by `manage.py anonymise_personal_data`; running it
again changes nothing."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from reception.models import Notification, ReceptionPolicy

from ..models import (
    AnonymisationRun,
    EventKind,
    NoticeAcceptance,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
    WalkIn,
)
from .arrivals import anonymise_arrivals
from .lifecycle import lock

# What replaces a name. Language-neutral, so every reader understands it.
ANONYMISED = "***"
ENDED = [VisitStatus.CLOSED, VisitStatus.CANCELLED, VisitStatus.REJECTED]
# The pages of a visit its bell notifications link to; their texts may name the visitors.
VISIT_PAGES = ["visits:detail", "visits:desk"]
# Timeline entries whose `changes` list visitors' names.
NAME_EVENTS = [
    EventKind.CHECK_IN,
    EventKind.CHECK_OUT,
    EventKind.CHECK_IN_UNDONE,
    EventKind.CHECK_OUT_UNDONE,
    EventKind.VISITOR_ADDED,
]


@dataclass
class Anonymised:
    """How many rows were (or, in a dry run, would be) anonymised."""

    visits: int = 0
    visitors: int = 0
    walk_ins: int = 0
    arrivals: int = 0  # the gate's arrivals, each kind after its own retention (docs/gate.md)
    retention_days: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        text = f"visits={self.visits} visitors={self.visitors} walk_ins={self.walk_ins}"
        return f"{text} arrivals={self.arrivals}" if self.arrivals else text


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Visits that ended before this moment are past retention."""
    days = ReceptionPolicy.get().retention_days
    return (now or timezone.now()) - timedelta(days=days)


def visits_past_retention(cutoff: datetime) -> QuerySet[VisitRequest]:
    """Ended visits not yet anonymised whose end (the move into their final status, on the
    timeline) is older than `cutoff`."""
    ended_at = Subquery(
        VisitEvent.objects.filter(
            visit=OuterRef("pk"), kind=EventKind.TRANSITION, to_status=OuterRef("status")
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return (
        VisitRequest.objects.filter(status__in=ENDED, anonymised_at__isnull=True)
        .annotate(ended_at=Coalesce(ended_at, "updated_at"))
        .filter(ended_at__lt=cutoff)
    )


def walk_ins_past_retention(cutoff: datetime) -> QuerySet[WalkIn]:
    """Walk-ins without a visit (declined, or never decided) recorded or decided before
    `cutoff`. Accepted ones follow their visit."""
    return (
        WalkIn.objects.filter(anonymised_at__isnull=True, visit__isnull=True)
        .annotate(ended_at=Coalesce("decided_at", "recorded_at"))
        .filter(ended_at__lt=cutoff)
    )


def anonymise_personal_data(*, dry_run: bool = False, now: datetime | None = None) -> Anonymised:
    """Anonymise what is past retention; with dry_run, only count it. A real run is recorded
    (AnonymisationRun), and each visit gets a timeline entry."""
    now = now or timezone.now()
    days = ReceptionPolicy.get().retention_days
    cutoff = now - timedelta(days=days)
    visit_ids = list(visits_past_retention(cutoff).values_list("pk", flat=True))
    walk_in_ids = list(walk_ins_past_retention(cutoff).values_list("pk", flat=True))
    result = Anonymised(retention_days=days, dry_run=dry_run)
    if dry_run:
        result.visits = len(visit_ids)
        result.visitors = Visitor.objects.filter(visit_id__in=visit_ids).count()
        result.walk_ins = len(walk_in_ids) + WalkIn.objects.filter(visit_id__in=visit_ids).count()
        result.arrivals = anonymise_arrivals(now=now, dry_run=True)
        return result
    for pk in visit_ids:
        visitors, walk_ins = _anonymise_visit(pk, now=now)
        if visitors is not None:
            result.visits += 1
            result.visitors += visitors
            result.walk_ins += walk_ins
    for pk in walk_in_ids:
        result.walk_ins += _anonymise_walk_in(pk, now=now)
    result.arrivals = anonymise_arrivals(now=now)
    AnonymisationRun.objects.create(
        retention_days=days,
        visits=result.visits,
        visitors=result.visitors,
        walk_ins=result.walk_ins,
    )
    return result


def _anonymise_visit(pk: int, *, now: datetime) -> tuple[int | None, int]:
    """(visitors, walk-ins) anonymised; (None, 0) if another run got there first."""
    with transaction.atomic():
        visit = lock(VisitRequest(pk=pk))
        if visit.anonymised_at is not None:
            return None, 0
        visitors = visit.visitors.update(
            name=ANONYMISED,
            phone="",
            id_number_masked="",
            id_number_hash="",
            notes="",
            id_type="",
            car_plate="",
            arrival_number="",
            arrival_time=None,
            dietary="",
        )
        _scrub_timeline(visit)
        # the guest's side: names typed on the invitation page, the contact's address
        visit.events.exclude(guest="").update(guest=ANONYMISED)
        NoticeAcceptance.objects.filter(visitor__visit=visit).update(name=ANONYMISED)
        visit.invitations.update(sent_to="")
        walk_ins = sum(
            _anonymise_walk_in(w.pk, now=now) for w in WalkIn.objects.filter(visit=visit)
        )
        visit.anonymised_at = now
        visit.save(update_fields=["anonymised_at"])
        pages = [reverse(name, args=[visit.pk]) for name in VISIT_PAGES]
        Notification.objects.filter(url__in=pages).delete()
        VisitEvent.objects.create(
            visit=visit, at=now, kind=EventKind.ANONYMISED, changes=[visitors]
        )
    return visitors, walk_ins


def _scrub_timeline(visit: VisitRequest) -> None:
    """Names in the timeline: check-ins and -outs, visitors added, the walk-in record, and the
    visitor lists of detail changes."""
    for event in visit.events.filter(
        Q(kind__in=NAME_EVENTS) | Q(kind=EventKind.WALK_IN) | Q(kind=EventKind.CHANGE)
    ):
        if event.kind in NAME_EVENTS:
            event.changes = [ANONYMISED for _name in event.changes]
        elif event.kind == EventKind.WALK_IN:
            event.changes = [*event.changes[:1], ANONYMISED]  # the company stays
        else:
            event.changes = [_scrub_change(change) for change in event.changes]
        event.save(update_fields=["changes"])


def _scrub_change(change: Any) -> Any:
    if not isinstance(change, dict) or change.get("field") != "visitors":
        return change
    return {
        **change,
        "old": [ANONYMISED for _row in change.get("old") or []],
        "new": [ANONYMISED for _row in change.get("new") or []],
    }


def _anonymise_walk_in(pk: int, *, now: datetime) -> int:
    """1 if the walk-in was anonymised now, 0 if it already was."""
    with transaction.atomic():
        walk_in = WalkIn.objects.select_for_update().get(pk=pk)
        if walk_in.anonymised_at is not None:
            return 0
        walk_in.names = ANONYMISED
        walk_in.phone = ""
        walk_in.anonymised_at = now
        walk_in.save(update_fields=["names", "phone", "anonymised_at"])
        Notification.objects.filter(url=reverse("visits:walk_in", args=[walk_in.pk])).delete()
    return 1
