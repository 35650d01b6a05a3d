"""Which visit requests a user may see, and the queries the visit pages share."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from approvals.models import ApprovalStep, StepState
from approvals.selectors import steps_of
from reception.models import StaffMembership
from reception.roles import APPLICANT_ROLES, Role, has_role

from .models import PrepStatus, PrepTask, StandardHint, Visitor, VisitRequest, VisitStatus

REACHED = [StepState.PENDING, StepState.APPROVED, StepState.RETURNED, StepState.REJECTED]


def visible_visits(user) -> QuerySet[VisitRequest]:
    """Every request this user may open. Anything else answers 404, so ids leak nothing.

    - applicants: their own, and their departments' (not drafts);
    - approvers: what reached a step of theirs (escalated to their role, or of an approver
      they stand in for), and what they decided;
    - customer receptionists: approved requests and everything after;
    - HR: visits that are over, for the work summary;
    - main host, receptionist and accompanying staff: their visits once approved;
    - department staff: the visits their departments prepare for.
    """
    if not user.is_authenticated:
        return VisitRequest.objects.none()
    if user.is_superuser or has_role(user, Role.ADMINISTRATOR):
        return VisitRequest.objects.all()
    q = Q(applicant=user)
    if has_role(user, *APPLICANT_ROLES):
        departments = StaffMembership.objects.filter(user=user).values("department_id")
        colleagues = StaffMembership.objects.filter(department_id__in=departments).values("user_id")
        q |= Q(applicant_id__in=colleagues) & ~Q(status=VisitStatus.DRAFT)
    reached = steps_of(user).filter(state__in=REACHED).values("visit_id")
    decided = ApprovalStep.objects.filter(decided_by=user).values("visit_id")
    q |= Q(pk__in=reached) | Q(pk__in=decided)
    if has_role(user, Role.RECEPTIONIST):
        q |= Q(approved_at__isnull=False)
    if has_role(user, Role.HR):
        q |= Q(status__in=[VisitStatus.COMPLETED, VisitStatus.CLOSED])
    staff = Q(main_host=user) | Q(receptionist=user) | Q(accompanying_staff=user)
    q |= staff & Q(approved_at__isnull=False)
    q |= Q(pk__in=tasks_of_departments(user).values("visit_id"))
    return VisitRequest.objects.filter(pk__in=VisitRequest.objects.filter(q).values("pk"))


def with_list_facts(queryset: QuerySet[VisitRequest]) -> QuerySet[VisitRequest]:
    """What list rows show, fetched in a fixed number of queries."""
    return queryset.select_related(
        "client", "applicant", "proposed_grade", "final_grade", "main_host"
    )


def timeline(visit: VisitRequest, steps=None) -> list[dict]:
    """Transitions, changes and approval decisions, oldest first."""
    if steps is None:
        steps = list(visit.approval_steps.select_related("decided_by", "grade_after"))
    items = [{"at": e.at, "event": e} for e in visit.events.select_related("actor")]
    items += [{"at": s.decided_at, "step": s} for s in steps if s.decided_at]
    return sorted(items, key=lambda item: item["at"])


# ---- preparation --------------------------------------------------------------------------


def tasks_of_departments(user) -> QuerySet:
    """Tasks of the departments this user belongs to or heads."""
    departments = Q(department__memberships__user=user) | Q(department__head=user)
    return PrepTask.objects.filter(pk__in=PrepTask.objects.filter(departments).values("pk"))


def tasks_in_reach(user) -> QuerySet:
    """The tasks this user may act on (rule visits.tick_task): those held by name, and their
    departments' tasks. Anything else answers 404."""
    departments = Q(department__memberships__user=user) | Q(department__head=user)
    held_or_departments = PrepTask.objects.filter(Q(assignee=user) | departments).values("pk")
    return PrepTask.objects.filter(pk__in=held_or_departments)


TASK_ROW_FACTS = (
    "visit__client",
    "visit__final_grade__standard",
    "visit__proposed_grade__standard",
    "department",
    "assignee",
    "done_by",
    "template",
)
LIVE_FOR_TASKS = [VisitStatus.APPROVED, VisitStatus.IN_PROGRESS, VisitStatus.IN_APPROVAL]


def held_tasks(user) -> QuerySet:
    """ "My tasks": the live tasks this user holds by name for visits still to happen or under
    way, open and changed ones first, then what is done (so it can be undone)."""
    return (
        PrepTask.objects.filter(assignee=user, visit__status__in=LIVE_FOR_TASKS)
        .exclude(status=PrepStatus.CANCELLED)
        .select_related(*TASK_ROW_FACTS)
        .order_by("due_date", "visit__arrival_at", "pk")
    )


def department_board(user) -> QuerySet:
    """Open (or changed) tasks of the user's departments for visits still to happen."""
    live = [VisitStatus.APPROVED, VisitStatus.IN_PROGRESS, VisitStatus.IN_APPROVAL]
    return (
        tasks_of_departments(user)
        .filter(visit__status__in=live)
        .filter(Q(status=PrepStatus.OPEN) | Q(needs_recheck=True))
        .select_related(
            "visit__client",
            "visit__final_grade__standard",
            "visit__proposed_grade__standard",
            "department",
            "assignee",
            "template",
        )
        .order_by("due_date", "visit__arrival_at", "department__code", "pk")
    )


def with_readiness(queryset: QuerySet[VisitRequest]) -> QuerySet[VisitRequest]:
    """Annotate tasks_live / tasks_done / tasks_overdue counts (one query for the page)."""
    live = Q(prep_tasks__status__in=[PrepStatus.OPEN, PrepStatus.DONE])
    return queryset.annotate(
        tasks_live=Count("prep_tasks", filter=live, distinct=True),
        tasks_done=Count(
            "prep_tasks",
            filter=Q(prep_tasks__status=PrepStatus.DONE, prep_tasks__needs_recheck=False),
            distinct=True,
        ),
        tasks_overdue=Count(
            "prep_tasks",
            filter=Q(
                prep_tasks__status=PrepStatus.OPEN,
                prep_tasks__due_date__lt=timezone.localdate(),
            ),
            distinct=True,
        ),
    )


def upcoming_preparation(user) -> list[VisitRequest]:
    """Approved visits from today on, riskiest first: least ready, then soonest."""
    today = timezone.localdate()
    visits = with_readiness(
        with_list_facts(visible_visits(user)).filter(
            status__in=[VisitStatus.APPROVED, VisitStatus.IN_PROGRESS],
            arrival_at__date__gte=today,
        )
    )
    return sorted(
        visits, key=lambda v: (v.readiness if v.readiness is not None else 100, v.arrival_at)
    )


# ---- the reception desk -------------------------------------------------------------------

BOARD_STATUSES = [VisitStatus.APPROVED, VisitStatus.IN_PROGRESS, VisitStatus.COMPLETED]


def with_presence(queryset: QuerySet[VisitRequest]) -> QuerySet[VisitRequest]:
    """Annotate visitors_total / visitors_in (on site) / visitors_out (left)."""
    return queryset.annotate(
        visitors_total=Count("visitors", distinct=True),
        visitors_in=Count(
            "visitors",
            filter=Q(visitors__checked_in_at__isnull=False, visitors__checked_out_at__isnull=True),
            distinct=True,
        ),
        visitors_out=Count(
            "visitors", filter=Q(visitors__checked_out_at__isnull=False), distinct=True
        ),
    )


def with_pickup(queryset: QuerySet[VisitRequest]) -> QuerySet[VisitRequest]:
    """Annotate pickup_done / pickup_note from the task that arranges the car (its template's
    standard is the car class): the office's record, for when it gave a note only."""
    car_tasks = PrepTask.objects.filter(
        visit=OuterRef("pk"), template__standard_hint=StandardHint.CAR, status=PrepStatus.DONE
    )
    return queryset.annotate(
        pickup_done=Exists(car_tasks),
        pickup_note=Subquery(car_tasks.exclude(note="").order_by("-done_at").values("note")[:1]),
    )


def arrivals(first_day, last_day, search: str = "") -> QuerySet[VisitRequest]:
    """Approved, in-progress and completed visits on site some time between the two days,
    by arrival time, with presence, readiness and the pick-up in the same query and the
    visitors in one more. `search` keeps visits whose company or a visitor's name has it."""
    visits = VisitRequest.objects.filter(
        status__in=BOARD_STATUSES,
        arrival_at__date__lte=last_day,
        departure_at__date__gte=first_day,
    )
    if search:
        found = VisitRequest.objects.filter(
            Q(client__name__icontains=search)
            | Q(client__name_en__icontains=search)
            | Q(visitors__name__icontains=search)
        ).values("pk")
        visits = visits.filter(pk__in=found)
    return (
        with_pickup(with_presence(with_readiness(with_list_facts(visits))))
        .prefetch_related(Prefetch("visitors", queryset=Visitor.objects.order_by("pk")))
        .order_by("arrival_at", "pk")
    )


def still_on_site() -> QuerySet:
    """Visitors checked in and not checked out, whatever day they came: the front desk checks
    them out at the end of the day, never silently."""
    return (
        Visitor.objects.filter(checked_in_at__isnull=False, checked_out_at__isnull=True)
        .select_related("visit__client")
        .order_by("visit__departure_at", "visit_id", "pk")
    )
