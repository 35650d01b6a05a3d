from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from reception.accounts.access import kept_for_user
from reception.accounts.roles import role_group_ids
from reception.models import ReceptionPolicy, User

from .models import ApprovalStep, Delegation, StepState
from .subject import requested_by


def _addressed_to(user_id: int, group_ids: Iterable[int] | QuerySet[Any, Any]) -> Q:
    return Q(role_id__in=group_ids) | Q(user_id=user_id) | Q(escalated_to_id__in=group_ids)


def addressed_to(user: User) -> Q:
    """A filter on ApprovalStep: addressed to this user — to a role they hold, to them by name,
    escalated to a role they hold, or addressed to an approver they stand in for today (a
    delegation; nobody decides their own request through one)."""
    # The ids as values, not a subquery: PostgreSQL then probes the steps' indexes instead of
    # hashing every step in history (a 290,000-row scan on the big set, for each list page).
    q = _addressed_to(user.pk, role_group_ids(user))
    for delegation in Delegation.objects.active().filter(delegate=user).select_related("approver"):
        absent = delegation.approver
        absent_groups = absent.groups.values("pk")
        # nobody decides their own request through a delegation, either way round
        q |= _addressed_to(absent.pk, absent_groups) & ~Q(subject__in=requested_by(absent.pk))
    return q


# The people a step names: addressed to, decided by, on behalf of.
STEP_PEOPLE = ("user", "decided_by", "on_behalf_of")


def with_people(steps: QuerySet[ApprovalStep]) -> list[ApprovalStep]:
    """The steps with their role, grade and escalation joined, and the people they name
    (addressed to, decided by, on behalf of) read in one more query. Joining all six at once
    costs PostgreSQL more to plan than both queries cost to run."""
    rows = list(steps.select_related("role", "grade_after", "escalated_to"))
    ids = {getattr(s, f"{field}_id") for s in rows for field in STEP_PEOPLE} - {None}
    people = User.objects.in_bulk(ids)
    for step in rows:
        for field in STEP_PEOPLE:
            setattr(step, field, people.get(getattr(step, f"{field}_id")))
    return rows


def attach_people(steps: Iterable[ApprovalStep]) -> list[ApprovalStep]:
    """Set each step's addressee, read in one query (the subject's app reads what its cards
    show of the subject: approvals.cards)."""
    rows = list(steps)
    people = User.objects.in_bulk({s.user_id for s in rows if s.user_id is not None})
    for step in rows:
        step.user = people.get(step.user_id)
    return rows


def steps_of(user: User) -> QuerySet[ApprovalStep]:
    """Steps addressed to this user (see addressed_to)."""
    return ApprovalStep.objects.filter(
        pk__in=ApprovalStep.objects.filter(addressed_to(user)).values("pk")
    )


def decided_another_step(user: User) -> Q:
    """A filter on ApprovalStep: this user decided another step of the same round, and the
    policy gives one person one decision per round (read in the same query, not fetched)."""
    other = ApprovalStep.objects.filter(
        subject=OuterRef("subject"), round=OuterRef("round"), decided_by=user
    ).exclude(pk=OuterRef("pk"))
    allowed = ReceptionPolicy.objects.filter(pk=1, several_decisions_per_person=True)
    return Q(Exists(other)) & ~Q(Exists(allowed))


# Built queues by user and what they depend on (see queue_for); a process holds a few hundred
# at most.
_QUEUES: dict[tuple[object, ...], QuerySet[ApprovalStep]] = {}
_QUEUES_KEPT = 1000


def queue_for(user: User) -> QuerySet[ApprovalStep]:
    """The steps waiting for this user's decision, the longest waiting first (the subject's
    app may order its pages otherwise: approvals.cards). Their own requests are left out
    (nobody approves their own), and so are rounds in which they decided another step (one
    person, one decision: services.decide refuses it).

    Built once per user and kept while what it depends on holds, as visits' visible_visits
    is: the user's roles and the delegations they hold (access_version, raised whenever they
    change: reception/accounts/access.py, approvals/access.py) and the day (a delegation's
    dates). The steps, the requests, the rounds' decisions, the absent approvers' roles and
    the policy are subqueries, read by each query. Building it cost ~2.5 ms of the queue's
    ~17 ms (2026-12-07, 100,000 visits, `process_time`); a kept one costs a copy."""
    return kept_for_user(_QUEUES, user, _build_queue, limit=_QUEUES_KEPT)


def _build_queue(user: User) -> QuerySet[ApprovalStep]:
    return (
        steps_of(user)
        .filter(state=StepState.PENDING)
        .exclude(subject__in=requested_by(user.pk))
        .exclude(decided_another_step(user))
        .select_related("subject", "role", "user", "escalated_to")
        .order_by("activated_at", "pk")
    )
