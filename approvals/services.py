"""Approval rounds and decisions. Every decision locks the approved object's row first, so two
approvers deciding the same step at the same moment produce exactly one decision.

Approvals does not know what it approves beyond the ApprovalStep.visit foreign key (named by
string) and two attributes of it: `applicant_id` (nobody approves their own request) and
`grade` (the grade that applies). What follows a decision is announced through
approvals.signals; visits decides what it means for the visit.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.errors import RuleError
from reception.models import ReceptionGrade, User

from . import signals
from .models import ApprovalChain, ApprovalStep, StepState


class AlreadyDecided(RuleError):
    def __init__(self, step: ApprovalStep):
        super().__init__(
            _("This step was already decided by %(user)s; nothing was changed.")
            % {"user": step.decided_by or _("someone else")}
            if step.is_decided
            else _("This step is no longer waiting for a decision; nothing was changed.")
        )


class NotYourStep(RuleError):
    def __init__(self):
        super().__init__(_("This approval step is not yours to decide."))


class SelfApproval(RuleError):
    def __init__(self):
        super().__init__(_("You filed this request, so you cannot approve it yourself."))


class CommentRequired(RuleError):
    def __init__(self):
        super().__init__(_("Say why in a comment: returning or rejecting needs one."))


def chain_for(grade: ReceptionGrade) -> list:
    chain = ApprovalChain.objects.filter(grade=grade).first()
    steps = list(chain.steps.select_related("role", "user")) if chain else []
    if not steps:
        raise RuleError(
            _("No approval chain is set up for the grade “%(grade)s”. Ask an administrator.")
            % {"grade": grade}
        )
    return steps


def _copy(template, *, visit, round_no, position, state) -> ApprovalStep:
    return ApprovalStep.objects.create(
        visit=visit,
        round=round_no,
        position=position,
        name=template.name,
        name_en=template.name_en,
        role=template.role,
        user=template.user,
        grades_visit=template.grades_visit,
        state=state,
        activated_at=timezone.now() if state == StepState.PENDING else None,
    )


def start_round(visit) -> ApprovalStep:
    """Copy the chain of the visit's grade into a new round; its first step becomes pending
    and its approvers are told (step_waiting)."""
    templates = chain_for(visit.grade)
    last_round = visit.approval_steps.aggregate(r=Max("round"))["r"] or 0
    steps = [
        _copy(
            t,
            visit=visit,
            round_no=last_round + 1,
            position=i,
            state=StepState.PENDING if i == 1 else StepState.WAITING,
        )
        for i, t in enumerate(templates, start=1)
    ]
    first = steps[0]
    signals.step_waiting.send(sender=ApprovalStep, step=first, approvers=approvers_of(first))
    return first


def skip_open_steps(visit) -> None:
    visit.approval_steps.filter(state__in=[StepState.WAITING, StepState.PENDING]).update(
        state=StepState.SKIPPED
    )


def _reroute(step: ApprovalStep, grade: ReceptionGrade) -> None:
    """Replace the steps after the grading step with those of the new grade's chain."""
    templates = chain_for(grade)
    grading_index = next((i for i, t in enumerate(templates) if t.grades_visit), -1)
    step.visit.approval_steps.filter(round=step.round, state=StepState.WAITING).update(
        state=StepState.SKIPPED
    )
    last = step.visit.approval_steps.filter(round=step.round).aggregate(p=Max("position"))["p"]
    for offset, template in enumerate(templates[grading_index + 1 :], start=1):
        _copy(
            template,
            visit=step.visit,
            round_no=step.round,
            position=last + offset,
            state=StepState.WAITING,
        )


def approvers_of(step: ApprovalStep) -> list[User]:
    """Everyone who may decide the step (the applicant excluded)."""
    if step.user_id:
        users = [step.user]
    elif step.role_id:
        users = list(User.objects.filter(groups=step.role_id, is_active=True).order_by("pk"))
    else:
        users = []
    return [u for u in users if u.pk != step.visit.applicant_id]


def _lock_subject(step: ApprovalStep):
    """The approved object's row, locked: the one place decisions on it serialise."""
    model = ApprovalStep._meta.get_field("visit").related_model
    return model.objects.select_for_update().get(pk=step.visit_id)


def decide(
    *,
    step: ApprovalStep,
    by: User,
    decision: str,
    comment: str = "",
    grade: ReceptionGrade | None = None,
) -> ApprovalStep:
    """Approve, return or reject one pending step, then advance or finish the chain."""
    if decision not in (StepState.APPROVED, StepState.RETURNED, StepState.REJECTED):
        raise ValueError(decision)
    comment = (comment or "").strip()
    with transaction.atomic():
        visit = _lock_subject(step)
        step = ApprovalStep.objects.select_related("role", "user", "decided_by").get(pk=step.pk)
        step.visit = visit
        if step.state != StepState.PENDING:
            raise AlreadyDecided(step)
        if visit.applicant_id == by.pk:
            raise SelfApproval()
        if not step.can_be_decided_by(by):
            raise NotYourStep()
        if decision != StepState.APPROVED and not comment:
            raise CommentRequired()

        step.state = decision
        step.decided_by = by
        step.decided_at = timezone.now()
        step.comment = comment
        if step.grades_visit and decision == StepState.APPROVED:
            _fix_grade(step, grade or visit.grade)
        step.save()

        chain_done = True
        if decision == StepState.APPROVED:
            chain_done = _advance(step, by)
        else:
            skip_open_steps(visit)
        signals.step_decided.send(sender=ApprovalStep, step=step, by=by, chain_done=chain_done)
    return step


def _fix_grade(step: ApprovalStep, grade: ReceptionGrade) -> None:
    visit = step.visit
    if not ReceptionGrade.objects.current().filter(pk=grade.pk).exists():
        raise RuleError(_("Choose one of the active grades of the scheme in use."))
    previous = visit.grade
    step.grade_before = previous
    step.grade_after = grade
    if grade.pk != previous.pk:
        _reroute(step, grade)
    signals.grade_fixed.send(sender=ApprovalStep, step=step, grade=grade, previous=previous)


def _advance(step: ApprovalStep, by: User) -> bool:
    """Activate the next step, or announce the chain complete. True when it is complete."""
    following = (
        step.visit.approval_steps.filter(round=step.round, state=StepState.WAITING)
        .order_by("position")
        .first()
    )
    if following is None:
        signals.chain_completed.send(sender=ApprovalStep, step=step, by=by)
        return True
    following.state = StepState.PENDING
    following.activated_at = timezone.now()
    following.save(update_fields=["state", "activated_at"])
    following.visit = step.visit
    signals.step_waiting.send(
        sender=ApprovalStep, step=following, approvers=approvers_of(following)
    )
    return False
