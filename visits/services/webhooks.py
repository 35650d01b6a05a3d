"""What visits tells other systems through reception's outgoing webhooks (docs/api.md).

The kinds are registered from VisitsConfig.ready(); the events are emitted inside the
business operation's transaction (the outbox: a rolled-back change sends nothing), from the
timeline entries every visit service writes (VisitEvent: transitions, changes, check-in and
check-out) and from the walk-in and the task services. Each event's id is derived from the row
that records it, so it is stable: a receiver drops a repeat by it.
"""

from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from reception.webhooks.delivery import emit
from reception.webhooks.kinds import EventKind as WebhookKind
from reception.webhooks.kinds import register_event_kinds

from ..models import (
    EventKind,
    PrepTask,
    VisitEvent,
    VisitorPass,
    VisitRequest,
    VisitStatus,
    WalkIn,
)
from .passes import visit_days

VISIT_APPROVED = "visit.approved"
VISIT_CHANGED = "visit.changed"
VISIT_CANCELLED = "visit.cancelled"
VISITOR_CHECKED_IN = "visitor.checked_in"
VISITOR_CHECKED_OUT = "visitor.checked_out"
WALK_IN_RECORDED = "walk_in.recorded"
TASK_DONE = "task.done"
PASS_ISSUED = "pass.issued"
PASS_REVOKED = "pass.revoked"


def register() -> None:
    register_event_kinds(
        WebhookKind(VISIT_APPROVED, _("Visit approved")),
        WebhookKind(VISIT_CHANGED, _("Visit changed")),
        WebhookKind(VISIT_CANCELLED, _("Visit cancelled")),
        WebhookKind(VISITOR_CHECKED_IN, _("Visitor checked in")),
        WebhookKind(VISITOR_CHECKED_OUT, _("Visitor checked out")),
        WebhookKind(WALK_IN_RECORDED, _("Walk-in recorded")),
        WebhookKind(TASK_DONE, _("Preparation task done")),
        WebhookKind(PASS_ISSUED, _("Visitor pass issued")),
        WebhookKind(PASS_REVOKED, _("Visitor pass revoked")),
    )
    post_save.connect(on_timeline_entry, sender=VisitEvent, dispatch_uid="webhooks-visit-event")
    post_save.connect(on_walk_in, sender=WalkIn, dispatch_uid="webhooks-walk-in")
    post_save.connect(on_pass_issued, sender=VisitorPass, dispatch_uid="webhooks-pass-issued")


def visit_facts(visit: VisitRequest) -> dict:
    return {
        "id": visit.pk,
        "reference": visit.reference,
        "status": visit.status,
        "client_id": visit.client_id,
        "site_id": visit.site_id,
        "arrival_at": visit.arrival_at,
        "departure_at": visit.departure_at,
    }


TIMELINE_KINDS: dict[str, str] = {
    EventKind.CHANGE: VISIT_CHANGED,
    EventKind.CHECK_IN: VISITOR_CHECKED_IN,
    EventKind.CHECK_OUT: VISITOR_CHECKED_OUT,
}


def kind_of(entry: VisitEvent) -> str | None:
    if entry.kind == EventKind.TRANSITION:
        if entry.to_status == VisitStatus.APPROVED and entry.from_status != VisitStatus.IN_PROGRESS:
            return VISIT_APPROVED
        if entry.to_status == VisitStatus.CANCELLED:
            return VISIT_CANCELLED
        return None
    return TIMELINE_KINDS.get(str(entry.kind))


def on_timeline_entry(sender, instance: VisitEvent, created: bool, **kwargs) -> None:
    kind = kind_of(instance) if created else None
    if kind is None:
        return
    data: dict[str, object] = {"visit": visit_facts(instance.visit)}
    if kind in (VISITOR_CHECKED_IN, VISITOR_CHECKED_OUT):
        data["visitors"] = instance.changes  # their names, as the timeline keeps them
    elif kind == VISIT_CHANGED:
        fields = {str(c.get("field")) for c in instance.changes if isinstance(c, dict)}
        data["fields"] = sorted(fields)
    emit(kind, data, event_id=f"visit-event-{instance.pk}", at=instance.at)


def on_walk_in(sender, instance: WalkIn, created: bool, **kwargs) -> None:
    if not created:
        return
    data = {
        "id": instance.pk,
        "company": instance.company,
        "headcount": instance.headcount,
        "wants_to_see": instance.wants_to_see_id,
    }
    emit(WALK_IN_RECORDED, data, event_id=f"walk-in-{instance.pk}", at=instance.recorded_at)


def task_done(task: PrepTask) -> None:
    """Called by complete_task inside its transaction."""
    done_at = task.done_at
    data = {
        "id": task.pk,
        "visit_id": task.visit_id,
        "name": task.name,
        "done_by": task.done_by_id,
        "done_at": done_at,
    }
    stamp = int(done_at.timestamp()) if done_at else 0
    emit(TASK_DONE, data, event_id=f"task-done-{task.pk}-{stamp}", at=done_at)


def pass_facts(visitor_pass: VisitorPass) -> dict:
    """What an access control system keeps of a pass: its code (the QR holds `JDPASS:` and
    it), whose it is, where and on which days it opens."""
    visit = visitor_pass.visit
    first, last = visit_days(visit) if visit.site_id else (None, None)
    return {
        "id": visitor_pass.pk,
        "code": visitor_pass.code,
        "visit_id": visit.pk,
        "visit_reference": visit.reference,
        "visitor_id": visitor_pass.visitor_id,
        "visitor": visitor_pass.visitor.name if visitor_pass.visitor else None,
        "site": visit.site.code if visit.site_id else None,
        "valid_from": first,
        "valid_until": last,
    }


def on_pass_issued(sender, instance: VisitorPass, created: bool, **kwargs) -> None:
    """A pass made (pass_for, inside its transaction)."""
    if created:
        emit(
            PASS_ISSUED,
            pass_facts(instance),
            event_id=f"pass-issued-{instance.pk}",
            at=instance.created_at,
        )


def passes_revoked(*, ids: list[int], at) -> None:
    """Called by revoke_passes inside its transaction, with the passes it revoked."""
    if not ids:
        return
    rows = VisitorPass.objects.filter(pk__in=ids).select_related("visit__site", "visitor")
    for row in rows.order_by("pk"):
        data = {**pass_facts(row), "revoked_at": at}
        emit(PASS_REVOKED, data, event_id=f"pass-revoked-{row.pk}", at=at)
