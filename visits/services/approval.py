"""The visit's side of approval: starting a round, and what each event approvals announces
(approvals.signals) means for the visit. Connected in VisitsConfig.ready()."""

from approvals import services as approvals
from approvals import signals
from approvals.models import StepState

from ..models import EventKind, VisitEvent, VisitRequest, VisitStatus
from . import changes, handover, notifications, preparation, staff
from .lifecycle import transition


def start_approval(visit: VisitRequest) -> None:
    """A new approval round from the chain of the visit's grade; its first approvers are told
    (through on_step_waiting)."""
    approvals.start_round(visit)


def on_step_waiting(sender, *, step, approvers, **kwargs) -> None:
    notifications.step_waiting(step, approvers)


def on_step_escalated(sender, *, step, people, reason, **kwargs) -> None:
    notifications.step_escalated(step, people, reason)


def on_step_overdue(sender, *, step, approvers, hours, **kwargs) -> None:
    notifications.step_overdue(step, approvers, hours)


def _cleared_before_approval(visit: VisitRequest) -> bool:
    """A walk-in accepted at the gate is approved for arrival at once; its chain runs after."""
    return visit.status not in (VisitStatus.SUBMITTED, VisitStatus.IN_APPROVAL)


def on_grade_fixed(sender, *, step, grade, previous, **kwargs) -> None:
    """Marketing fixed the grade: it applies from now on. A main host who does not hold the
    role the new standard names makes way for its first holder (marketing is told, the
    timeline says so), and tasks that already exist are marked for re-check where the
    standard's hints changed (approval then reconciles them with the new grade)."""
    visit = step.visit
    visit.final_grade = grade
    visit.save(update_fields=["final_grade", "updated_at"])
    if grade.pk == previous.pk:
        return
    staff.repropose_main_host(visit=visit, grade=grade, by=step.decided_by)
    if visit.prep_tasks.exists():
        change = {
            "field": "final_grade",
            "old": changes.neutral(previous),
            "new": changes.neutral(grade),
        }
        preparation.propagate_changes(visit, [change], step.decided_by, reconcile=False)


def on_chain_completed(sender, *, step, by, **kwargs) -> None:
    visit = step.visit
    if _cleared_before_approval(visit):
        VisitEvent.objects.create(
            visit=visit, actor=by, kind=EventKind.APPROVED_AFTER_ARRIVAL, comment=step.comment
        )
        return
    transition(visit, to=VisitStatus.APPROVED, by=by)
    handover.on_approved(visit)


def on_step_decided(sender, *, step, by, chain_done, **kwargs) -> None:
    visit = step.visit
    if step.state in (StepState.RETURNED, StepState.REJECTED) and _cleared_before_approval(visit):
        # the guests came already: the decision is on the record, the visit goes on
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            kind=EventKind.DECIDED_AFTER_ARRIVAL,
            comment=step.comment,
        )
    elif step.state == StepState.RETURNED:
        transition(visit, to=VisitStatus.RETURNED, by=by, comment=step.comment)
    elif step.state == StepState.REJECTED:
        transition(visit, to=VisitStatus.REJECTED, by=by, comment=step.comment)
    elif not chain_done and visit.status == VisitStatus.SUBMITTED:
        transition(visit, to=VisitStatus.IN_APPROVAL, by=by)
    notifications.step_decided(step)


def connect() -> None:
    uid = "visits.approval"
    signals.step_waiting.connect(on_step_waiting, dispatch_uid=f"{uid}.waiting")
    signals.grade_fixed.connect(on_grade_fixed, dispatch_uid=f"{uid}.grade")
    signals.chain_completed.connect(on_chain_completed, dispatch_uid=f"{uid}.completed")
    signals.step_decided.connect(on_step_decided, dispatch_uid=f"{uid}.decided")
    signals.step_escalated.connect(on_step_escalated, dispatch_uid=f"{uid}.escalated")
    signals.step_overdue.connect(on_step_overdue, dispatch_uid=f"{uid}.overdue")
