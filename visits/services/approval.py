"""The visit's side of approval: starting a round, and what each event approvals announces
(approvals.signals) means for the visit. Connected in VisitsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals import links, signals
from approvals import services as approvals
from approvals.models import EscalationReason, StepState
from reception.accounts.roles import role_label
from reception.notifications.messages import Lines, Msg

from ..models import EventKind, VisitEvent, VisitRequest, VisitStatus
from ..selectors import visible_visits
from . import changes, handover, notifications, preparation, staff
from .lifecycle import transition


def start_approval(visit: VisitRequest) -> None:
    """A new approval round from the chain of the visit's grade; its first approvers are told
    (through on_step_waiting)."""
    approvals.start_round(visit)


def on_step_waiting(sender, *, step, approvers, **kwargs) -> None:
    notifications.step_waiting(step, approvers)


def _names(people) -> str:
    return "、".join(str(p) for p in people)


def on_step_escalated(sender, *, step, people, reason, **kwargs) -> None:
    """The timeline says where the step went and why; the people there are told."""
    target: object
    if step.escalated_to is not None:
        target = role_label(step.escalated_to.name)
    else:
        target = Msg(_("the approvers' delegates (%(names)s)"), names=_names(people))
    VisitEvent.objects.create(
        visit=step.subject,
        kind=EventKind.APPROVAL_ESCALATED,
        message=Msg(
            _("“%(step)s” escalated to %(target)s: %(why)s."),
            step=lambda: step.label,
            target=target,
            why=EscalationReason(reason).label,
        ).to_json(),
    )
    notifications.step_escalated(step, people, reason)


def on_approvers_passed_over(sender, *, step, passed_over, **kwargs) -> None:
    """The timeline says who does not decide the step for having decided another one of the
    round, and who decides it instead (an escalation says so in its own line)."""
    people = list(passed_over)
    earlier = list(dict.fromkeys(passed_over.values()))
    lines = [
        Msg(
            ngettext_lazy(
                "%(people)s decided %(earlier)s of this request and does not decide “%(step)s” "
                "as well: one person decides one step of a request.",
                "%(people)s decided %(earlier)s of this request and do not decide “%(step)s” "
                "as well: one person decides one step of a request.",
                "count",
            ),
            people=_names(people),
            earlier=lambda: "、".join(f"“{s.label}”" for s in earlier),
            step=lambda: step.label,
            count=len(people),
        )
    ]
    instead = approvals.approvers_of(step)
    if instead:
        lines.append(Msg(_("It waits for %(people)s."), people=_names(instead)))
    VisitEvent.objects.create(
        visit=step.subject, kind=EventKind.APPROVER_PASSED_OVER, message=Lines(lines).to_json()
    )


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
    visit = step.subject
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
    visit = step.subject
    if _cleared_before_approval(visit):
        VisitEvent.objects.create(
            visit=visit, actor=by, kind=EventKind.APPROVED_AFTER_ARRIVAL, comment=step.comment
        )
        return
    transition(visit, to=VisitStatus.APPROVED, by=by)
    handover.on_approved(visit)


def on_step_decided(sender, *, step, by, chain_done, **kwargs) -> None:
    visit = step.subject
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


def step_subject_page(step, user) -> str | None:
    """The visit page of a step, for a reader who may open it (approvals.links sends a link
    about a step that no longer waits for the reader here)."""
    if not visible_visits(user).filter(pk=step.subject_id).exists():
        return None
    return reverse("visits:detail", args=[step.subject_id])


def connect() -> None:
    links.register_subject_page(step_subject_page)
    uid = "visits.approval"
    signals.step_waiting.connect(on_step_waiting, dispatch_uid=f"{uid}.waiting")
    signals.grade_fixed.connect(on_grade_fixed, dispatch_uid=f"{uid}.grade")
    signals.chain_completed.connect(on_chain_completed, dispatch_uid=f"{uid}.completed")
    signals.step_decided.connect(on_step_decided, dispatch_uid=f"{uid}.decided")
    signals.step_escalated.connect(on_step_escalated, dispatch_uid=f"{uid}.escalated")
    signals.approvers_passed_over.connect(
        on_approvers_passed_over, dispatch_uid=f"{uid}.passed_over"
    )
    signals.step_overdue.connect(on_step_overdue, dispatch_uid=f"{uid}.overdue")
