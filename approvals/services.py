"""Approval rounds and decisions. Every decision locks the approved object's row first, so two
approvers deciding the same step at the same moment produce exactly one decision.

Approvals knows what it approves (its subject: settings.APPROVALS_SUBJECT_MODEL, the foreign
key ApprovalStep.subject) only through approvals.subject.Subject: who requested it (nobody
approves their own request) and its `grade` (whose chain applies). What follows a decision is
announced through approvals.signals; the subject's app decides what it means for the subject.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.accounts.roles import Role, has_role, is_administrator
from reception.errors import RuleError
from reception.models import ReceptionGrade, ReceptionPolicy, Site, User
from reception.policy.calendar import WorkingCalendar, working_hours_between

from . import signals
from .models import (
    ApprovalChain,
    ApprovalStep,
    DecidedAs,
    Delegation,
    EscalationReason,
    EscalationTargetKind,
    StepState,
    ranks_below,
)
from .subject import Subject, get_subject_model


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


class OneDecisionPerPerson(RuleError):
    def __init__(self, step: ApprovalStep, earlier: ApprovalStep):
        super().__init__(
            _(
                "You decided “%(earlier)s” of this request already: one person decides one step "
                "of a request. Its other approvers, their delegates or an escalation decide "
                "“%(step)s”."
            )
            % {"earlier": earlier.label, "step": step.label}
        )


class ReasonRequired(RuleError):
    def __init__(self):
        super().__init__(_("An administrator deciding for the approvers must state the reason."))


def chain_for(grade: ReceptionGrade | None, site: Site | None = None) -> list:
    """The steps of the grade's chain at the site: the site's own chain, else the group's."""
    chain = ApprovalChain.objects.applying(grade, site)
    steps = list(chain.steps.select_related("role", "user")) if chain else []
    if not steps:
        raise RuleError(
            _("No approval chain is set up for the grade “%(grade)s”. Ask an administrator.")
            % {"grade": grade}
        )
    return steps


def _copy(template, *, subject: Subject, round_no, position, state) -> ApprovalStep:
    return ApprovalStep.objects.create(
        subject_id=subject.pk,
        round=round_no,
        position=position,
        name=template.name,
        name_en=template.name_en,
        role=template.role,
        user=template.user,
        grades_visit=template.grades_visit,
        template=template,
        state=state,
        activated_at=timezone.now() if state == StepState.PENDING else None,
    )


def _steps(subject: Subject):
    return ApprovalStep.objects.filter(subject_id=subject.pk)


def _with_subject(step: ApprovalStep, subject: Subject) -> ApprovalStep:
    """Give the step the subject object in hand (locked, or just changed) instead of reading
    it again."""
    step.subject = subject  # type: ignore[assignment]  # the stubs resolve the setting's model
    return step


def start_round(subject: Subject) -> ApprovalStep:
    """Copy the chain of the subject's grade into a new round; its first step becomes pending
    and its approvers are told (step_waiting)."""
    templates = chain_for(subject.grade, subject.approval_site)
    last_round = _steps(subject).aggregate(r=Max("round"))["r"] or 0
    steps = [
        _copy(
            t,
            subject=subject,
            round_no=last_round + 1,
            position=i,
            state=StepState.PENDING if i == 1 else StepState.WAITING,
        )
        for i, t in enumerate(templates, start=1)
    ]
    first = _with_subject(steps[0], subject)
    _became_pending(first)
    return first


def skip_open_steps(subject: Subject) -> None:
    _steps(subject).filter(state__in=[StepState.WAITING, StepState.PENDING]).update(
        state=StepState.SKIPPED
    )


def _reroute(step: ApprovalStep, grade: ReceptionGrade) -> None:
    """Replace the steps after the grading step with those of the new grade's chain."""
    templates = chain_for(grade, step.subject.approval_site)
    grading_index = next((i for i, t in enumerate(templates) if t.grades_visit), -1)
    _steps(step.subject).filter(round=step.round, state=StepState.WAITING).update(
        state=StepState.SKIPPED
    )
    last = _steps(step.subject).filter(round=step.round).aggregate(p=Max("position"))["p"]
    for offset, template in enumerate(templates[grading_index + 1 :], start=1):
        _copy(
            template,
            subject=step.subject,
            round_no=step.round,
            position=last + offset,
            state=StepState.WAITING,
        )


def _holders(group_id: int) -> list[User]:
    return list(User.objects.filter(groups=group_id, is_active=True).order_by("pk"))


def _administrators() -> list[User]:
    admins = Q(is_superuser=True) | Q(groups__name=Role.ADMINISTRATOR.value)
    return list(User.objects.filter(admins, is_active=True).distinct().order_by("pk"))


# ---- one person, one decision per round ----------------------------------------------------


def _one_decision_each() -> bool:
    return not ReceptionPolicy.get().several_decisions_per_person


def earlier_decisions(step: ApprovalStep) -> dict[int, ApprovalStep]:
    """person pk -> the other step of this round they decided. Such a person does not decide
    this one too, unless the policy allows one person several decisions (small companies)."""
    if not _one_decision_each():
        return {}
    decided = (
        ApprovalStep.objects.filter(
            subject_id=step.subject_id, round=step.round, decided_by__isnull=False
        )
        .exclude(pk=step.pk)
        .order_by("position")
    )
    found: dict[int, ApprovalStep] = {}
    for other in decided:
        if other.decided_by_id is not None:  # always: the query asks for decided steps
            found.setdefault(other.decided_by_id, other)
    return found


def rounds_decided_by(user: User, steps) -> set[tuple[int, int]]:
    """The (subject id, round) pairs among `steps` in which `user` decided a step, read in one
    query for a page of steps (empty when the policy allows several decisions)."""
    steps = list(steps)
    if not steps or not _one_decision_each():
        return set()
    decided = ApprovalStep.objects.filter(
        decided_by=user, subject_id__in={s.subject_id for s in steps}
    ).values_list("subject_id", "round", "pk")
    mine = {s.pk for s in steps}
    return {(subject_id, round_no) for subject_id, round_no, pk in decided if pk not in mine}


def _barred(step: ApprovalStep) -> set[int]:
    """Who may not decide the step in any capacity but the administrators': the applicant and
    whoever decided another step of the round."""
    return {step.subject.requested_by_id, *earlier_decisions(step)}


def direct_approvers(step: ApprovalStep) -> list[User]:
    """Who the step names (its person or its role's holders), the applicant excluded."""
    if step.user is not None:
        users = [step.user] if step.user.is_active else []
    elif step.role_id:
        users = _holders(step.role_id)
    else:
        users = []
    return [u for u in users if u.pk != step.subject.requested_by_id]


def escalation_deciders(step: ApprovalStep) -> list[User]:
    if step.escalated_to_id is None:
        return []
    return [u for u in _holders(step.escalated_to_id) if u.pk != step.subject.requested_by_id]


def active_delegates(approvers: list[User], applicant_id: int) -> dict[int, User]:
    """delegate pk -> the absent approver they stand in for, today. Nobody stands in on
    their own request."""
    found: dict[int, User] = {}
    delegations = (
        Delegation.objects.active()
        .filter(approver__in=[a.pk for a in approvers], delegate__is_active=True)
        .exclude(delegate_id=applicant_id)
        .select_related("approver", "delegate")
        .order_by("pk")
    )
    for delegation in delegations:
        found.setdefault(delegation.delegate_id, delegation.approver)
    return found


def _delegates(step: ApprovalStep, approvers: list[User], barred: set[int]) -> list[User]:
    delegates = active_delegates(approvers, step.subject.requested_by_id)
    eligible = [pk for pk in delegates if pk not in barred]
    return list(User.objects.filter(pk__in=eligible).order_by("pk"))


def approvers_of(step: ApprovalStep) -> list[User]:
    """Everyone who may decide the step: its approvers, the role it was escalated to, and the
    delegates of absent approvers — less the applicant and whoever decided another step of the
    round (their delegates may stand in for them)."""
    barred = _barred(step)
    users = direct_approvers(step) + escalation_deciders(step)
    seen, result = set(), []
    for user in [*users, *_delegates(step, users, barred)]:
        if user.pk not in seen and user.pk not in barred:
            seen.add(user.pk)
            result.append(user)
    return result


def passed_over(step: ApprovalStep) -> dict[User, ApprovalStep]:
    """The step's own approvers who decided another step of the round: approver -> that step."""
    earlier = earlier_decisions(step)
    return {u: earlier[u.pk] for u in direct_approvers(step) if u.pk in earlier}


@dataclass(frozen=True)
class Authority:
    as_: str
    on_behalf_of: User | None = None


def authority(
    step: ApprovalStep,
    user: User,
    *,
    as_administrator: bool = False,
    decided_rounds: set[tuple[int, int]] | None = None,
):
    """In what capacity `user` may decide `step`, or None. The applicant never may, nor (but as
    administrator) someone who decided another step of the round. decided_rounds: the
    rounds_decided_by(user, …) of a page of steps, read once; None reads them for this step."""
    if step.subject.requested_by_id == user.pk:
        return None
    if as_administrator:
        return Authority(DecidedAs.ADMINISTRATOR) if is_administrator(user) else None
    if decided_rounds is None:
        decided_rounds = rounds_decided_by(user, [step])
    if (step.subject_id, step.round) in decided_rounds:
        return None
    if step.can_be_decided_by(user):
        return Authority(DecidedAs.APPROVER)
    if step.escalated_to is not None and has_role(user, step.escalated_to.name):
        return Authority(DecidedAs.ESCALATION)
    absent = [a for a in direct_approvers(step) + escalation_deciders(step) if a.pk != user.pk]
    delegation = (
        Delegation.objects.active()
        .filter(delegate=user, approver__in=[a.pk for a in absent])
        .select_related("approver")
        .order_by("pk")
        .first()
    )
    if delegation:
        return Authority(DecidedAs.DELEGATE, on_behalf_of=delegation.approver)
    return None


# ---- stalled and overdue steps ---------------------------------------------------------------

# A step whose chain step names no escalation targets (or that was copied before they existed)
# follows the rulebook: the decision stays with its approvers' delegates, then the
# administrators.
DEFAULT_PATH = ((EscalationTargetKind.DELEGATE, None), (EscalationTargetKind.ADMINISTRATOR, None))


def escalation_path(step: ApprovalStep) -> list[tuple[str, Group | None]]:
    """The step's escalation targets, in order, as (kind, role)."""
    if step.template is not None:
        targets = step.template.escalation_targets.select_related("role").order_by("position")
        path = [(t.kind, t.role) for t in targets]
        if path:
            return path
    return list(DEFAULT_PATH)


def _administrators_group() -> Group | None:
    return Group.objects.filter(name=Role.ADMINISTRATOR.value).first()


def at_last_resort(step: ApprovalStep) -> bool:
    """Escalated to the administrators: nobody further to go to."""
    return step.escalated_to is not None and step.escalated_to.name == Role.ADMINISTRATOR


def _next_target(step: ApprovalStep) -> tuple[int, Group | None, list[User]]:
    """(level, role escalated to, people to tell): the first target after the step's current
    one with someone who may decide, or the administrators. A role ranked below the step's is
    never taken, whatever the data says: escalation never goes down."""
    path = escalation_path(step)
    barred = _barred(step)
    for level in range(step.escalation_level + 1, len(path) + 1):
        kind, role = path[level - 1]
        if kind == EscalationTargetKind.ADMINISTRATOR:
            break
        if kind == EscalationTargetKind.DELEGATE:
            people = _delegates(step, direct_approvers(step), barred)
            if people:
                return level, None, people
        elif role is not None and role.pk != step.escalated_to_id and not ranks_below(role, step):
            people = [u for u in _holders(role.pk) if u.pk not in barred]
            if people:
                return level, role, people
    people = [u for u in _administrators() if u.pk != step.subject.requested_by_id]
    return len(path) + 1, _administrators_group(), people


def escalate(step: ApprovalStep, *, reason: str, now: datetime | None = None) -> list[User]:
    """Move the step to its next escalation target (its approvers' delegates, a role ranked at
    or above its own, at last the administrators) and tell the people there."""
    level, group, people = _next_target(step)
    step.escalation_level = level
    step.escalated_to = group
    step.escalated_at = now or timezone.now()
    step.escalation_reason = reason
    step.save(
        update_fields=["escalation_level", "escalated_to", "escalated_at", "escalation_reason"]
    )
    signals.step_escalated.send(sender=ApprovalStep, step=step, people=people, reason=reason)
    return people


def is_stalled(step: ApprovalStep) -> bool:
    """Pending, and nobody may decide it now (the applicant and whoever decided another step
    of the round excluded), short of the administrators. (approvers_of, with the delegates
    read only when no approver is left: the sweep asks this of every pending step.)"""
    if step.state != StepState.PENDING or at_last_resort(step):
        return False
    barred = _barred(step)
    approvers = direct_approvers(step) + escalation_deciders(step)
    if any(u.pk not in barred for u in approvers):
        return False
    return not _delegates(step, approvers, barred)


def _stall_reason(step: ApprovalStep) -> str:
    return EscalationReason.DECIDED_EARLIER if passed_over(step) else EscalationReason.STALLED


def _became_pending(step: ApprovalStep) -> None:
    """A step now waits: say who is passed over for having decided another step of the round,
    then tell its approvers, or escalate it at once if nobody may decide it."""
    skipped = passed_over(step)
    if skipped:
        signals.approvers_passed_over.send(sender=ApprovalStep, step=step, passed_over=skipped)
    if is_stalled(step):
        escalate(step, reason=_stall_reason(step))
    else:
        signals.step_waiting.send(sender=ApprovalStep, step=step, approvers=approvers_of(step))


def pending_working_hours(step: ApprovalStep, now: datetime, calendar=None) -> float:
    policy = ReceptionPolicy.get()
    return working_hours_between(
        step.activated_at,  # type: ignore[arg-type]  # a pending step has been activated
        now,
        day_start=policy.workday_start,
        day_end=policy.workday_end,
        calendar=calendar,
    )


def _overdue_hours(step: ApprovalStep, now: datetime, calendar) -> float:
    """Working hours since the step became pending or, once escalated, since its last
    escalation: each target has the policy's escalation hours before the step moves on."""
    since = step.activated_at
    assert since is not None  # a pending step has been activated
    if step.escalated_at and step.escalated_at > since:
        since = step.escalated_at
    policy = ReceptionPolicy.get()
    return working_hours_between(
        since,
        now,
        day_start=policy.workday_start,
        day_end=policy.workday_end,
        calendar=calendar,
    )


def sweep_steps(*, now: datetime | None = None) -> dict[str, int]:
    """Run by the periodic sweep: escalate stalled steps; remind approvers of a step pending
    longer than the policy's working hours, and escalate it after the longer limit (and again
    after each further such period, until it reaches the administrators)."""
    now = now or timezone.now()
    policy = ReceptionPolicy.get()
    calendar = WorkingCalendar()
    counts = {"stalled": 0, "reminded": 0, "overdue": 0}
    pending = ApprovalStep.objects.filter(
        state=StepState.PENDING, activated_at__isnull=False
    ).values_list("pk", flat=True)
    for pk in pending:
        with transaction.atomic():
            subject = _lock_subject(ApprovalStep.objects.only("subject_id").get(pk=pk))
            step = ApprovalStep.objects.select_related(
                "role", "user", "escalated_to", "template"
            ).get(pk=pk)
            _with_subject(step, subject)
            if step.state != StepState.PENDING:
                continue
            if is_stalled(step):
                escalate(step, reason=_stall_reason(step), now=now)
                counts["stalled"] += 1
                continue
            hours = pending_working_hours(step, now, calendar)
            if hours >= policy.approval_reminder_hours and step.reminded_at is None:
                step.reminded_at = now
                step.save(update_fields=["reminded_at"])
                signals.step_overdue.send(
                    sender=ApprovalStep, step=step, approvers=approvers_of(step), hours=hours
                )
                counts["reminded"] += 1
            if (
                not at_last_resort(step)
                and _overdue_hours(step, now, calendar) >= policy.approval_escalation_hours
            ):
                escalate(step, reason=EscalationReason.OVERDUE, now=now)
                counts["overdue"] += 1
    return counts


def overseen_steps():
    """Pending steps that were escalated (stalled or overdue), oldest first: the oversight
    page's list."""
    return (
        ApprovalStep.objects.filter(state=StepState.PENDING)
        .filter(Q(escalated_at__isnull=False) | Q(reminded_at__isnull=False))
        .select_related("subject", "role", "user", "escalated_to")
        .order_by("activated_at", "pk")
    )


def _lock_subject(step: ApprovalStep) -> Subject:
    """The subject's row, locked: the one place decisions on it serialise."""
    return get_subject_model().objects.select_for_update().get(pk=step.subject_id)


def decide(
    *,
    step: ApprovalStep,
    by: User,
    decision: str,
    comment: str = "",
    grade: ReceptionGrade | None = None,
    as_administrator: bool = False,
) -> ApprovalStep:
    """Approve, return or reject one pending step, then advance or finish the chain.

    The step's approvers decide it; so may the role it was escalated to, and the delegate of
    an absent approver (recorded on behalf of them). Nobody decides two steps of one round
    (unless the policy allows it): the one-decision rule is checked here, under the lock.
    as_administrator: an administrator decides in place of the approvers and must state the
    reason (the comment)."""
    if decision not in (StepState.APPROVED, StepState.RETURNED, StepState.REJECTED):
        raise ValueError(decision)
    comment = (comment or "").strip()
    with transaction.atomic():
        subject = _lock_subject(step)
        step = ApprovalStep.objects.select_related(
            "role", "user", "decided_by", "escalated_to"
        ).get(pk=step.pk)
        _with_subject(step, subject)
        if step.state != StepState.PENDING:
            raise AlreadyDecided(step)
        if subject.requested_by_id == by.pk:
            raise SelfApproval()
        if not as_administrator and by.pk in (earlier := earlier_decisions(step)):
            raise OneDecisionPerPerson(step, earlier[by.pk])
        capacity = authority(step, by, as_administrator=as_administrator, decided_rounds=set())
        if capacity is None:
            raise NotYourStep()
        if as_administrator and not comment:
            raise ReasonRequired()
        if decision != StepState.APPROVED and not comment:
            raise CommentRequired()

        step.state = decision
        step.decided_as = capacity.as_
        step.on_behalf_of = capacity.on_behalf_of
        step.decided_by = by
        step.decided_at = timezone.now()
        step.comment = comment
        if step.grades_visit and decision == StepState.APPROVED:
            _fix_grade(step, grade or subject.grade)
        step.save()

        chain_done = True
        if decision == StepState.APPROVED:
            chain_done = _advance(step, by)
        else:
            skip_open_steps(subject)
        signals.step_decided.send(sender=ApprovalStep, step=step, by=by, chain_done=chain_done)
    return step


def _fix_grade(step: ApprovalStep, grade: ReceptionGrade | None) -> None:
    if grade is None:
        raise RuleError(_("Choose one of the active grades of the scheme in use."))
    if not ReceptionGrade.objects.current().filter(pk=grade.pk).exists():
        raise RuleError(_("Choose one of the active grades of the scheme in use."))
    previous = step.subject.grade
    step.grade_before = previous
    step.grade_after = grade
    if previous is None or grade.pk != previous.pk:
        _reroute(step, grade)
    signals.grade_fixed.send(sender=ApprovalStep, step=step, grade=grade, previous=previous)


def _advance(step: ApprovalStep, by: User) -> bool:
    """Activate the next step, or announce the chain complete. True when it is complete."""
    following = (
        _steps(step.subject)
        .filter(round=step.round, state=StepState.WAITING)
        .order_by("position")
        .first()
    )
    if following is None:
        signals.chain_completed.send(sender=ApprovalStep, step=step, by=by)
        return True
    following.state = StepState.PENDING
    following.activated_at = timezone.now()
    following.save(update_fields=["state", "activated_at"])
    _with_subject(following, step.subject)
    _became_pending(following)
    return False


# ---- absences: who decides an approver's steps meanwhile --------------------------------


def set_delegation(
    *, approver: User, delegate: User, starts_on, ends_on, note: str = ""
) -> Delegation:
    """From starts_on to ends_on, `delegate` sees and decides `approver`'s steps."""
    if delegate.pk == approver.pk:
        raise RuleError(_("Name someone else to decide your steps."))
    if ends_on < starts_on:
        raise RuleError(_("The absence cannot end before it starts."))
    return Delegation.objects.create(
        approver=approver, delegate=delegate, starts_on=starts_on, ends_on=ends_on, note=note
    )


def withdraw_delegation(*, delegation: Delegation, by: User) -> None:
    if delegation.approver_id != by.pk and not is_administrator(by):
        raise RuleError(_("Only the absent approver withdraws their delegation."))
    delegation.delete()
