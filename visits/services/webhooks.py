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

from ..models import EventKind, PrepTask, VisitEvent, VisitRequest, VisitStatus, WalkIn

VISIT_APPROVED = "visit.approved"
VISIT_CHANGED = "visit.changed"
VISIT_CANCELLED = "visit.cancelled"
VISITOR_CHECKED_IN = "visitor.checked_in"
VISITOR_CHECKED_OUT = "visitor.checked_out"
WALK_IN_RECORDED = "walk_in.recorded"
TASK_DONE = "task.done"
# Issue 27's passes add "pass.issued" and "pass.revoked" here, emitted by its pass services.


def register() -> None:
    register_event_kinds(
        WebhookKind(VISIT_APPROVED, _("Visit approved")),
        WebhookKind(VISIT_CHANGED, _("Visit changed")),
        WebhookKind(VISIT_CANCELLED, _("Visit cancelled")),
        WebhookKind(VISITOR_CHECKED_IN, _("Visitor checked in")),
        WebhookKind(VISITOR_CHECKED_OUT, _("Visitor checked out")),
        WebhookKind(WALK_IN_RECORDED, _("Walk-in recorded")),
        WebhookKind(TASK_DONE, _("Preparation task done")),
    )
    post_save.connect(on_timeline_entry, sender=VisitEvent, dispatch_uid="webhooks-visit-event")
    post_save.connect(on_walk_in, sender=WalkIn, dispatch_uid="webhooks-walk-in")


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
