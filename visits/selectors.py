"""Which visit requests a user may see, and the queries the visit pages share."""

import hashlib
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import cast

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    When,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from approvals.models import ApprovalStep, StepState
from approvals.selectors import addressed_to
from reception.accounts.access import colleagues_see_requests, kept_for_user
from reception.accounts.roles import APPLICANT_ROLES, Role, has_role, is_administrator
from reception.models import Department, ReceptionGrade, ReceptionStandard, StaffMembership, User
from reception.validators import MAX_PAGE

from .models import (
    BOARD_STATUSES,
    LEFT_STATUSES,
    ON_SITE,
    PREPARING_STATUSES,
    ExpenseApprovalState,
    ExpenseLine,
    FollowUpAction,
    GuestNotice,
    ItineraryItem,
    PrepStatus,
    PrepTask,
    StandardHint,
    Visitor,
    VisitRequest,
    VisitStatus,
)
from .permissions import approves_spending, is_approver
from .services.estimate import over_standard, standards_ladder

REACHED = [StepState.PENDING, StepState.APPROVED, StepState.RETURNED, StepState.REJECTED]


# Built scopes by user and what they depend on (see visible_visits); a process holds a few
# hundred at most.
_SCOPES: dict[tuple, QuerySet] = {}
_SCOPES_KEPT = 1000


def visible_visits(user) -> QuerySet[VisitRequest]:
    """Every request this user may open (see _build_scope). Building the query is a cost on
    every list and visit page, so it is built once per user and kept while what it depends on
    holds: the user's roles and delegations and the policy's colleague setting (access_version,
    raised whenever they change: reception/accounts/access.py, approvals/access.py) and the day
    (a delegation's dates). Departments, memberships and steps are subqueries, read by each
    query.

    Measured 2026-12-07 (the 2,000-visit company, PostgreSQL, `process_time`, the least of 50):
    building a scope costs 4.1–4.3 ms of CPU and a query (the user's delegations) for sales, a
    receptionist, the general manager and a department head; a kept one costs a copy."""
    if not user.is_authenticated:
        return VisitRequest.objects.none()
    return kept_for_user(_SCOPES, user, _build_scope, limit=_SCOPES_KEPT)


def _build_scope(user) -> QuerySet[VisitRequest]:
    """Every request this user may open. Anything else answers 404, so ids leak nothing.

    - applicants: their own; their departments' (not drafts) only where the policy lets
      colleagues see each other's requests (ReceptionPolicy.colleagues_see_requests);
    - the sales lead and project engineer a request names: that request (not a draft);
    - approvers: what reached a step of theirs (escalated to their role, or of an approver
      they stand in for), and what they decided;
    - customer receptionists: approved requests and everything after;
    - HR: visits that are over, for the work summary;
    - department heads: visits that are over whose applicant is in their department (the
      visited department's part of the work summary);
    - main host, receptionist and accompanying staff: their visits once approved;
    - department staff: the visits their departments prepare for; a task's holder, its visit.

    Each reason is a condition on the visit's own row or an EXISTS probe of one indexed
    lookup on that visit (its steps, its tasks): a page walks the arrival index and stops at
    its last row, and a visit page tests one row. No reason gathers rows from all history.
    """
    if is_administrator(user):
        return VisitRequest.objects.all()
    approved = Q(approved_at__isnull=False)
    accompanying = VisitRequest.accompanying_staff.through.objects.filter(
        visitrequest_id=OuterRef("pk"), user_id=user.pk
    )
    steps = ApprovalStep.objects.filter(subject_id=OuterRef("pk"))
    reached = steps.filter(state__in=REACHED)
    departments = Department.objects.filter(Q(memberships__user=user) | Q(head=user))
    tasks = PrepTask.objects.filter(visit_id=OuterRef("pk"), department_id__in=departments)
    held = PrepTask.objects.filter(visit_id=OuterRef("pk"), assignee_id=user.pk)
    filed = ~Q(status=VisitStatus.DRAFT)
    q = cast(  # a Q at run time (Q | Exists is a Q); the stubs say Combinable
        Q,
        Q(applicant=user)
        | filed & (Q(sales_lead=user) | Q(project_engineer=user))
        | approved & (Q(main_host=user) | Q(receptionist=user) | Exists(accompanying))
        | Exists(steps.filter(decided_by=user))
        | Exists(reached.filter(addressed_to(user)))
        | Exists(tasks)
        | Exists(held),
    )
    if colleagues_see_requests(user) and has_role(user, *APPLICANT_ROLES):
        mine = StaffMembership.objects.filter(user=user).values("department_id")
        colleagues = StaffMembership.objects.filter(department_id__in=mine).values("user_id")
        q |= Q(applicant_id__in=colleagues) & filed
    if has_role(user, Role.RECEPTIONIST):
        q |= approved
    over = Q(status__in=LEFT_STATUSES)
    if has_role(user, Role.HR):
        q |= over
    # heads of the visited department (the applicant's), for their part of the work summary
    headed = StaffMembership.objects.filter(department__head=user).values("user_id")
    q |= Q(applicant_id__in=headed) & over
    return VisitRequest.objects.filter(q)


def named_on(visit: VisitRequest, user) -> bool:
    """The reasons of _build_scope that the visit's own row answers (it names the user as its
    applicant; as its sales lead or project engineer once filed; as its main host or customer
    receptionist once approved): a part of visible_visits, asked in Python.

    The visit page asks this of the row first and the scope's query only when it says no:
    compiling the scope's SQL (a dozen EXISTS probes) costs 3.7 ms of CPU, measured
    2026-12-07 at 100,000 visits (PostgreSQL, `process_time`, the least of 30), more than the
    rest of the page's lookup of the visit."""
    pk = user.pk
    if visit.applicant_id == pk:
        return True
    if visit.status != VisitStatus.DRAFT and pk in (visit.sales_lead_id, visit.project_engineer_id):
        return True
    return visit.approved_at is not None and pk in (visit.main_host_id, visit.receptionist_id)


def visible_visit(queryset: QuerySet[VisitRequest], user, pk) -> VisitRequest:
    """The visit `pk` of `queryset` if this user may open it (visible_visits), else Http404,
    as `get_object_or_404(visible_visits(user), pk=pk)` answers: the row is read by its key
    and the scope's query runs only for a reader the row does not name (named_on)."""
    visit = get_object_or_404(queryset, pk=pk)
    if not user.is_authenticated:
        raise Http404
    if named_on(visit, user) or visible_visits(user).filter(pk=visit.pk).exists():
        return visit
    raise Http404


def with_list_facts(queryset: QuerySet[VisitRequest]) -> QuerySet[VisitRequest]:
    """What list rows show, fetched in a fixed number of queries."""
    return queryset.select_related(
        "client", "applicant", "proposed_grade", "final_grade", "main_host"
    )


def timeline(visit: VisitRequest, steps=None, events=None) -> list[dict]:
    """Transitions, changes and approval decisions, oldest first (`steps` and `events` when
    the caller has read them, with their people)."""
    if steps is None:
        steps = list(visit.approval_steps.select_related("decided_by", "grade_after"))
    if events is None:
        events = visit.events.select_related("actor")
    items = [{"at": e.at, "event": e} for e in events]
    items += [{"at": s.decided_at, "step": s} for s in steps if s.decided_at]
    return sorted(items, key=lambda item: item["at"])


# ---- preparation --------------------------------------------------------------------------


def tasks_of_departments(user) -> QuerySet:
    """Tasks of the departments this user belongs to or heads."""
    departments = Department.objects.filter(Q(memberships__user=user) | Q(head=user))
    return PrepTask.objects.filter(department_id__in=departments.values("pk"))


# The task board and the preparation overview look this many days ahead.
HORIZON_DAYS = 14


def tasks_in_reach(user) -> QuerySet:
    """The tasks this user may act on (rule visits.tick_task): those held by name, and their
    departments' tasks. Anything else answers 404."""
    departments = Q(department__memberships__user=user) | Q(department__head=user)
    held_or_departments = PrepTask.objects.filter(Q(assignee=user) | departments).values("pk")
    return PrepTask.objects.filter(pk__in=held_or_departments)


TASK_ROW_FACTS = ("visit__client", "visit__site", "department", "assignee", "done_by", "template")


def task_rows(tasks: Iterable[PrepTask], grades: dict | None = None) -> list[PrepTask]:
    """Tasks as their rows show them: TASK_ROW_FACTS joined, the grades attached."""
    tasks = list(tasks)
    attach_visit_grades((t.visit for t in tasks), grades)
    return tasks


def held_tasks(user) -> QuerySet:
    """ "My tasks": the live tasks this user holds by name for visits still to happen or under
    way, open and changed ones first, then what is done (so it can be undone)."""
    return (
        PrepTask.objects.filter(assignee=user, visit__status__in=PREPARING_STATUSES)
        .exclude(status=PrepStatus.CANCELLED)
        .select_related(*TASK_ROW_FACTS)
        .order_by("due_date", "visit__arrival_at", "pk")
    )


def overdue_task() -> Q:
    return Q(status=PrepStatus.OPEN, due_date__lt=timezone.localdate())


def assignable_members(task) -> QuerySet:
    """Whom a department head may give this task to: the department's active members."""
    return (
        User.objects.filter(memberships__department_id=task.department_id, is_active=True)
        .order_by("full_name", "username")
        .distinct()
    )


def departments_of(user) -> dict[int, int | None]:
    """The departments this user belongs to or heads: {id: its head's id}."""
    departments = Department.objects.filter(Q(memberships__user=user) | Q(head=user))
    return dict(departments.values_list("pk", "head_id").distinct())


def department_board(user, departments: Iterable[int] | None = None) -> QuerySet:
    """Open (or changed) tasks of the user's departments for visits still to happen: overdue
    ones, and those due within HORIZON_DAYS. Tasks of visits that are over are history.
    `departments` (ids, from departments_of) spares the planner a per-row department probe.

    Ordered as the board shows them, so that a page of it is a LIMIT: overdue ones first (by
    due date), then by the guests' arrival. `overdue` is annotated on each row."""
    today = timezone.localdate()
    overdue = overdue_task()
    tasks = (
        tasks_of_departments(user)
        if departments is None
        else PrepTask.objects.filter(department_id__in=list(departments))
    )
    return (
        tasks.filter(
            visit__status__in=PREPARING_STATUSES,
            visit__departure_at__gte=start_of(today),
            due_date__lte=today + timedelta(days=HORIZON_DAYS),
        )
        .filter(Q(status=PrepStatus.OPEN) | Q(needs_recheck=True))
        .annotate(
            overdue=Case(When(overdue, then=True), default=False, output_field=BooleanField())
        )
        .select_related(*TASK_ROW_FACTS)
        .order_by(
            "-overdue",
            Case(When(overdue, then="due_date")),
            "visit__arrival_at",
            "due_date",
            "department__code",
            "pk",
        )
    )


def _live_first() -> Case:
    """Open and changed tasks, then done ones, then cancelled ones."""
    return Case(
        When(Q(status=PrepStatus.OPEN) | Q(needs_recheck=True), then=0),
        When(status=PrepStatus.DONE, then=1),
        default=2,
    )


def visit_tasks_of_departments(departments: Iterable[int], visit_id: int) -> QuerySet:
    """One visit's tasks of these departments (ids), whatever their state or due date: the
    department page filtered to the visit a notification names. Ordered and annotated as
    department_board, open and changed ones first."""
    overdue = overdue_task()
    return (
        PrepTask.objects.filter(department_id__in=list(departments), visit_id=visit_id)
        .annotate(
            overdue=Case(When(overdue, then=True), default=False, output_field=BooleanField())
        )
        .select_related(*TASK_ROW_FACTS)
        .order_by(_live_first(), "due_date", "department__code", "pk")
    )


def held_tasks_of_visit(user, visit_id: int) -> QuerySet:
    """The tasks this user holds by name for one visit, whatever their state ("My tasks"
    filtered to the visit a notification names)."""
    return (
        PrepTask.objects.filter(assignee=user, visit_id=visit_id)
        .select_related(*TASK_ROW_FACTS)
        .order_by(_live_first(), "due_date", "pk")
    )


def attach_readiness(visits, counts: dict[int, dict] | None = None) -> list[VisitRequest]:
    """Set tasks_live / tasks_done / tasks_overdue on these visits (a page's rows), counted in
    one query over their own tasks: never over every visit in history before a LIMIT. `counts`
    (from _task_counts, over these visits or more) spares that query."""
    visits = list(visits)
    if counts is None:
        counts = _task_counts([v.pk for v in visits]) if visits else {}
    for visit in visits:
        row = counts.get(visit.pk, {})
        visit.tasks_live = row.get("live", 0)
        visit.tasks_done = row.get("done", 0)
        visit.tasks_overdue = row.get("overdue", 0)
    return visits


def _task_counts(visit_ids: list[int]) -> dict[int, dict]:
    """{visit id: its live, done and overdue task counts}, for visits that have tasks."""
    return {
        row["visit_id"]: row
        for row in PrepTask.objects.filter(visit_id__in=visit_ids)
        .order_by()
        .values("visit_id")
        .annotate(
            live=Count("pk", filter=Q(status__in=[PrepStatus.OPEN, PrepStatus.DONE])),
            done=Count("pk", filter=Q(status=PrepStatus.DONE, needs_recheck=False)),
            overdue=Count(
                "pk", filter=Q(status=PrepStatus.OPEN, due_date__lt=timezone.localdate())
            ),
        )
    }


def upcoming_preparation(user, where: Q | None = None) -> tuple[list[int], dict[int, dict]]:
    """The ids of the approved visits arriving from today to HORIZON_DAYS ahead, riskiest
    first: least ready, then soonest, with their task counts. `where` narrows them (the
    receptionist's sites). Sorted from their ids, arrivals and task counts; a page of them is
    read by preparation_rows, with the same counts."""
    today = timezone.localdate()
    arrivals = dict(
        visible_visits(user)
        .filter(
            where or Q(),
            status__in=[VisitStatus.APPROVED, VisitStatus.IN_PROGRESS],
            arrival_at__gte=start_of(today),
            arrival_at__lt=start_of(today + timedelta(days=HORIZON_DAYS + 1)),
        )
        .values_list("pk", "arrival_at")
    )
    counts = _task_counts(list(arrivals)) if arrivals else {}

    def risk(pk: int) -> tuple:
        row = counts.get(pk)
        readiness = round(100 * row["done"] / row["live"]) if row and row["live"] else 100
        return (readiness, arrivals[pk])

    return sorted(arrivals, key=risk), counts


def preparation_rows(ids: Iterable[int], counts: dict[int, dict]) -> list[VisitRequest]:
    """These visits (a page of upcoming_preparation) in this order, as the overview's rows;
    `counts` are upcoming_preparation's."""
    ids = list(ids)
    visits = with_list_facts(VisitRequest.objects.all()).in_bulk(ids)
    return attach_readiness((visits[pk] for pk in ids if pk in visits), counts)


# ---- the reception desk -------------------------------------------------------------------


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


def start_of(day) -> datetime:
    """The first moment of a local day, as an aware datetime: ranges on it use the index,
    where a `__date` lookup converts every row first."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def attach_board_tasks(visits: list[VisitRequest]) -> None:
    """What the board shows of these visits' (a page's) preparation, from one query over their
    own tasks: attach_readiness's counts, and pickup_done / pickup_note from the done task that
    arranges the car (its template's standard is the car class), the office's record for when
    it gave a note only (the latest note). Counted here, not in the board's query: its two
    subqueries and the aggregate cost more CPU to build and compile than a page's tasks
    (some 14 a visit) cost to read."""
    today = timezone.localdate()
    for visit in visits:
        visit.tasks_live = visit.tasks_done = visit.tasks_overdue = 0
        visit.pickup_done, visit.pickup_note = False, ""
    by_pk = {v.pk: v for v in visits}
    if not by_pk:
        return
    notes: dict[int, list[tuple]] = {}
    rows = PrepTask.objects.filter(visit_id__in=by_pk).values_list(
        "visit_id",
        "status",
        "needs_recheck",
        "due_date",
        "template__standard_hint",
        "note",
        "done_at",
    )
    for visit_id, status, recheck, due, hint, note, done_at in rows.order_by():
        visit = by_pk[visit_id]
        if status == PrepStatus.OPEN:
            visit.tasks_live += 1
            visit.tasks_overdue += due < today
        elif status == PrepStatus.DONE:
            visit.tasks_live += 1
            visit.tasks_done += not recheck
            if hint == StandardHint.CAR:
                visit.pickup_done = True
                if note:
                    notes.setdefault(visit_id, []).append((done_at is not None, done_at, note))
    for visit_id, noted in notes.items():  # the latest note
        by_pk[visit_id].pickup_note = max(noted)[2]


# The board shows this many visits a page, and names the visitors of a visit up to
# LISTED_VISITORS: a larger group is one row with its counts and a link to its desk page (a
# bus of 80 visitors would otherwise be 80 names and 80 forms on every refresh).
BOARD_PAGE_SIZE = 20
LISTED_VISITORS = 8
# What a board row shows (and its rules read: the status) of the visit and the rows joined
# to it: a third of the columns, and of the query's CPU to compile and build.
BOARD_ROW_FIELDS = (
    *("reference", "status", "arrival_at", "site", "headcount", "services", "updated_at"),
    *("pickup_car", "pickup_driver", "arrival_point", "meeting_room"),
    *("client__name", "client__name_en", "site__name", "site__name_en"),
    *("proposed_grade__name", "proposed_grade__name_en", "final_grade__name"),
    *("final_grade__name_en", "main_host__full_name", "main_host__first_name"),
    *("main_host__last_name", "main_host__username"),
)


def on_site_between(
    first_day, last_day, search: str = "", where: Q | None = None
) -> QuerySet[VisitRequest]:
    """Approved, in-progress and completed visits on site some time between the two days,
    by arrival time, with presence and the pick-up counted in the query (arrivals() pages
    them and adds readiness and the names). A visit that came before the first day and has
    left (completed) is history, not the desk's business that day. `search` keeps visits
    whose company or a visitor's name has it; `where` narrows them further (the desk's
    sites)."""
    first = start_of(first_day)
    visits = VisitRequest.objects.filter(
        where or Q(),
        Q(arrival_at__gte=first) | ~Q(status=VisitStatus.COMPLETED),
        status__in=BOARD_STATUSES,
        arrival_at__lt=start_of(last_day + timedelta(days=1)),
        departure_at__gte=first,
    )
    if search:
        found = VisitRequest.objects.filter(
            Q(client__name__icontains=search)
            | Q(client__name_en__icontains=search)
            | Q(visitors__name__icontains=search)
        ).values("pk")
        visits = visits.filter(pk__in=found)
    return visits.order_by("arrival_at", "pk")


def with_tours(where: Q | None, first_day, last_day) -> Q | None:
    """`where`, a filter on a visit's site (the desk's sites), widened to the visits whose
    itinerary has an item at such a site between the two days: a visit across sites is on
    the board of each site on the days of its part there. One EXISTS in the same query."""
    if not where:
        return where
    items = ItineraryItem.objects.filter(
        where,
        visit=OuterRef("pk"),
        starts_at__gte=start_of(first_day),
        starts_at__lt=start_of(last_day + timedelta(days=1)),
    )
    return where | Q(Exists(items))


def arrivals(first_day, last_day, search: str = "", page=None, where: Q | None = None) -> Page:
    """A page of the board's rows (on_site_between), each carrying the count of them all (a
    page past the end is counted apart, over the period's visits alone); the page's rows with
    presence, pick-up and readiness, and the names of the visitors of each visit of at most
    LISTED_VISITORS (`listed`; a larger one is `grouped`)."""
    visits = on_site_between(first_day, last_day, search, where)
    paginator = Paginator(
        with_presence(visits)
        .annotate(
            waiting=Count(
                "visitors", filter=Q(visitors__checked_in_at__isnull=True), distinct=True
            ),
            board_count=Window(Count("*")),
        )
        .select_related("client", "proposed_grade", "final_grade", "main_host", "site")
        .only(*BOARD_ROW_FIELDS),
        BOARD_PAGE_SIZE,
    )
    # The page's rows carry the count of them all (a window over the grouped rows before the
    # LIMIT, as home's sections): the count apart cost the board some 1 ms of CPU to build and
    # compile. A page past the end, or an empty board beyond its first page, is counted apart.
    number = page_number(page)
    rows: list[VisitRequest] = []
    if number:
        start = (number - 1) * BOARD_PAGE_SIZE
        rows = list(paginator.object_list[start : start + BOARD_PAGE_SIZE])
    if number and (rows or number == 1):
        paginator.count = rows[0].board_count if rows else 0  # type: ignore[attr-defined]
    else:
        paginator.count = visits.count()  # the bare rows: no join, no aggregate to count through
        board = paginator.get_page(page)
        number, rows = board.number, list(board.object_list)
    attach_board_tasks(rows)
    # Only what the board shows: of each visitor the name and the times, and how many of the
    # texts in force they accepted (issue 27: the board marks who has not), counted in the
    # same query; the texts in force are one query more, whatever the page.
    required = current_notice_ids()
    visitors = Visitor.objects.only("visit_id", "name", "checked_in_at", "checked_out_at")
    if required:
        visitors = visitors.annotate(
            texts_accepted=Count(
                "acceptances__notice",
                filter=Q(acceptances__notice_id__in=required),
                distinct=True,
            )
        )
    attach_listed(rows, visitors)
    for visit in rows:
        for visitor in visit.listed:  # type: ignore[attr-defined]  # set by attach_listed
            missing = bool(required) and getattr(visitor, "texts_accepted", 0) < len(required)
            visitor.texts_missing = missing
    return Page(rows, number, paginator)


def page_number(page) -> int | None:
    """The page asked for as a positive whole number, or None (not one: Paginator.get_page
    then decides, as it does for a page past the end)."""
    if page in (None, ""):
        return 1
    try:
        number = int(page)
    except (TypeError, ValueError):
        return 1  # as get_page: not a number, the first page
    return number if 1 <= number <= MAX_PAGE else None


def current_notice_ids() -> list[int]:
    """The texts to accept in force: the latest active version of each kind (one query)."""
    latest: dict[str, int] = {}
    rows = GuestNotice.objects.filter(active=True).order_by("kind", "-version")
    for kind, pk in rows.values_list("kind", "pk"):  # a few rows: a text per kind and version
        latest.setdefault(kind, pk)
    return list(latest.values())


def attach_listed(visits: list[VisitRequest], visitors: QuerySet[Visitor], total="visitors_total"):
    """Set `grouped` on each visit (more than LISTED_VISITORS, by its `total` annotation) and
    `listed`, the `visitors` of the others, read in one query for them all (none for a page of
    large groups alone); the visitors of a grouped visit are not read."""
    small = [v for v in visits if getattr(v, total) <= LISTED_VISITORS]
    names: dict[int, list[Visitor]] = {v.pk: [] for v in small}
    if small:
        for visitor in visitors.filter(visit_id__in=names).order_by("pk"):
            names[visitor.visit_id].append(visitor)
    for visit in visits:
        visit.grouped = visit.pk not in names  # type: ignore[attr-defined]  # a page's rows
        visit.listed = names.get(visit.pk, [])  # type: ignore[attr-defined]  # as above


# The board's "still checked in" list shows this many visits a page, of at most
# ON_SITE_GROUPS (its badge then says "300+" groups' people).
ON_SITE_PAGE_SIZE = 10
ON_SITE_GROUPS = 300


def still_on_site(page=None, where: Q | None = None) -> tuple[Page, int, bool]:
    """Visits with visitors checked in and not checked out, whatever day they came, those due
    to leave first, a page at a time: the front desk checks them out at the end of the day,
    never silently. Each visit has `present` (how many are still in) and, up to
    LISTED_VISITORS, their names (attach_listed). Also how many people that is in all, and
    whether there were more than ON_SITE_GROUPS groups (then only that many are paged).
    `where` narrows the visitors (the desk's sites, through visit__site)."""
    # The groups and their counts first, through the partial index alone: PostgreSQL cannot
    # tell that "checked in" and "not checked out" go together, expects thousands of rows and,
    # joined to the visits, scans every visit in history for a handful.
    present = Visitor.objects.filter(ON_SITE).filter(where or Q())
    groups = dict(
        present.order_by("visit_id")
        .values("visit_id")
        .annotate(n=Count("pk"))
        .values_list("visit_id", "n")[: ON_SITE_GROUPS + 1]
    )
    capped = len(groups) > ON_SITE_GROUPS
    if capped:
        groups.pop(max(groups))
    # status: the check-out rule (visits.check_out) reads it for each group
    visits = (
        VisitRequest.objects.filter(pk__in=list(groups))
        .select_related("client")
        .only("pk", "status", "departure_at", "client__name", "client__name_en")
        .order_by("departure_at", "pk")
    )
    paginator = Paginator(visits, ON_SITE_PAGE_SIZE)
    paginator.count = len(groups)
    page = paginator.get_page(page)
    rows = list(page.object_list)
    for visit in rows:
        visit.present = groups[visit.pk]
    attach_listed(rows, present.only("visit_id", "name"), total="present")
    return Page(rows, page.number, paginator), sum(groups.values()), capped


def follow_ups_of(user) -> QuerySet[FollowUpAction]:
    """The follow-up actions a person owns that are not done yet, soonest due first."""
    return (
        FollowUpAction.objects.filter(owner=user, done_at__isnull=True)
        .select_related("visit__client")
        .order_by("due_on", "pk")
    )


def expenses_awaiting(user) -> list[ExpenseLine]:
    """Expense lines over the standard that wait for this user's decision (the grade's
    approving step is theirs)."""
    if not is_approver(user):
        return []
    lines = ExpenseLine.objects.filter(approval_state=ExpenseApprovalState.PENDING).select_related(
        "visit__client", "visit__final_grade", "visit__proposed_grade"
    )
    # Who approves spending depends on the grade only: ask once per grade, not once per line.
    approves: dict[int | None, bool] = {}
    waiting = []
    for line in lines.order_by("entered_at"):
        grade_id = line.visit.final_grade_id or line.visit.proposed_grade_id
        if grade_id not in approves:
            approves[grade_id] = approves_spending(user, line.visit)
        if approves[grade_id]:
            waiting.append(line)
    return waiting


# ---- the decision card (approvals' queue, visits' {% decision_facts %}) -------------------

# The client's visits a decision card lists: enough to see a pattern, short enough to read.
CLIENT_HISTORY = 3


def client_history(visits) -> dict[int, list[VisitRequest]]:
    """For each of these visits, its client's latest earlier visits (past arrivals, drafts
    left out, the visit itself too), at most CLIENT_HISTORY: one query for a page of cards (a
    row number per client, counted in the database). Only the date, the grade and the outcome
    are read, and shown without a link: the approver of a client's request sees how the
    company received that client before, including visits another approver decided, which
    visible_visits would hide (marketing grades every request; the general manager decides
    the VIP ones only)."""
    visits = list(visits)
    clients = {v.client_id for v in visits if v.client_id}
    if not clients:
        return {v.pk: [] for v in visits}
    rows = (
        VisitRequest.objects.filter(client_id__in=clients, arrival_at__lt=timezone.now())
        .exclude(status=VisitStatus.DRAFT)
        .annotate(
            row=Window(RowNumber(), partition_by=F("client_id"), order_by=F("arrival_at").desc())
        )
        # one more than shown: a card's own visit (arrived already) may be among them
        .filter(row__lte=CLIENT_HISTORY + 1)
        .select_related("final_grade", "proposed_grade")
        .only(
            "pk",
            "client_id",
            "arrival_at",
            "status",
            "final_grade__name",
            "final_grade__name_en",
            "proposed_grade__name",
            "proposed_grade__name_en",
        )
        .order_by("client_id", "-arrival_at")
    )
    by_client: dict[int, list[VisitRequest]] = {}
    for row in rows:
        if row.client_id is not None:
            by_client.setdefault(row.client_id, []).append(row)
    return {
        v.pk: [h for h in by_client.get(v.client_id, []) if h.pk != v.pk][:CLIENT_HISTORY]
        for v in visits
    }


def attach_visit_grades(visits: Iterable[VisitRequest], grades: dict | None = None) -> None:
    """Set each visit's proposed and final grade, with its standard, from one query (none when
    the caller has read them already, `grades`). A policy has a handful of grades: read apart,
    they are not four more tables joined into every row for PostgreSQL to plan and four more
    objects per row for Django to build."""
    rows = list(visits)
    if grades is None:
        ids = {pk for v in rows for pk in (v.proposed_grade_id, v.final_grade_id) if pk}
        grades = ReceptionGrade.objects.select_related("standard").in_bulk(ids) if ids else {}
    for visit in rows:
        visit.proposed_grade = grades.get(visit.proposed_grade_id)
        visit.final_grade = grades.get(visit.final_grade_id)


# ---- the approval queue's cards (approvals.cards, registered in VisitsConfig.ready) ---------


def soonest_arrival_first(steps: QuerySet[ApprovalStep]) -> QuerySet[ApprovalStep]:
    """Approval steps in the order their visits arrive, with the client joined."""
    return steps.select_related("subject__client").order_by(
        F("subject__arrival_at").asc(nulls_last=True), "activated_at"
    )


def approval_queue(steps: QuerySet[ApprovalStep]) -> QuerySet[ApprovalStep]:
    """The queue's decision cards: soonest arrival first. The visitors, the people and the
    grades with their standards come from small queries of their own (approval_cards), and
    only for the cards the queue has not kept rendered (decision_card_keys): joined with the
    rest, planning the query cost more than running it."""
    return soonest_arrival_first(steps)


def approval_lines(steps: QuerySet[ApprovalStep]) -> QuerySet[ApprovalStep]:
    """Steps shown with their visit in one line (oversight, bulk confirmation)."""
    return steps.select_related("subject__client", "subject__applicant")


def approval_cards(visits: list[VisitRequest], user=None) -> None:
    """What a page of decision cards shows of its visits beyond the queue's joins: the
    visitors, the applicants and main hosts (one query each), the grades with their standards
    (one), then prepare_decision_cards. The queue asks it only for the cards it has not kept
    rendered (decision_card_keys)."""
    prefetch_related_objects(visits, "visitors")
    ids = {pk for v in visits for pk in (v.applicant_id, v.main_host_id) if pk is not None}
    people = User.objects.in_bulk(ids)
    for visit in visits:
        visit.applicant = people[visit.applicant_id]  # required: always read
        visit.main_host = people.get(visit.main_host_id) if visit.main_host_id else None
    attach_visit_grades(visits)
    prepare_decision_cards(visits, user)


def prepare_decision_cards(visits, user=None) -> None:
    """Set `over_standard` (estimate.over_standard) and `client_history` on a page of
    decision cards' visits, in two queries whatever the page's size. The caller attached the
    grades with their standards (attach_visit_grades)."""
    visits = list(visits)
    ladders = standards_ladder(visits)
    history = client_history(visits)
    for visit in visits:
        ladder = ladders.get(visit.grade.scheme_id, []) if visit.grade else []
        visit.over_standard = over_standard(visit, ladder)
        visit.client_history = history[visit.pk]


def at_my_sites(user, path: str = "site", *, visit: str | None = None) -> Q:
    """A filter keeping what is at one of the user's sites, or everything when the user has
    no site assigned: a site's desk never opens another site's visit.

    visit: for visits ("pk") or rows of a visit (e.g. "visit" for visitors), the path to the
    visit's key: a visit across sites is also the business of the desks its itinerary takes
    it to. Rows of their own site (walk-ins, displays) leave it out."""
    assigned = User.sites.through.objects.filter(user_id=user.pk)
    mine = Q(**{f"{path}__in": assigned.values("site_id")}) | Q(~Exists(assigned))
    if visit is None:
        return mine
    touring = ItineraryItem.objects.filter(
        visit=OuterRef(visit), site__in=assigned.values("site_id")
    )
    return mine | Q(Exists(touring))


# Every column of a grade's standard, as the grades' query names them (decision_card_keys).
STANDARD_FIELDS = [f"standard__{f.attname}" for f in ReceptionStandard._meta.concrete_fields]


def decision_card_keys(visits: list[VisitRequest], user=None) -> dict[int, str]:
    """For each of a page of decision cards' visits, everything its card shows, read cheaply
    (values, not objects; an aggregate for the client's history): the queue keeps each card
    rendered under it, and reads the visits' facts (approval_cards) only for the cards it has
    not kept. Four queries for the page: the people, the visitors, every grade with its
    standard (a policy has a handful; the over-standard lines and the history name any of
    them), and the clients' past visits counted, with their latest change."""
    if not visits:
        return {}
    ids = [v.pk for v in visits]
    people = {
        pk: names
        for pk, *names in User.objects.filter(
            pk__in={p for v in visits for p in (v.applicant_id, v.main_host_id) if p}
        ).values_list("pk", "full_name", "first_name", "last_name", "username")
    }
    visitors: dict[int, list] = {}
    for visit_id, *row in (
        Visitor.objects.filter(visit_id__in=ids)
        .order_by("visit_id", "pk")
        .values_list("visit_id", "pk", "name", "title")
    ):
        visitors.setdefault(visit_id, []).append(row)
    grades = list(
        ReceptionGrade.objects.order_by("pk").values_list(
            "pk", "scheme_id", "name", "name_en", "rank", "active", *STANDARD_FIELDS
        )
    )
    past = {
        row["client_id"]: (row["n"], row["last"])
        for row in VisitRequest.objects.filter(
            client_id__in={v.client_id for v in visits if v.client_id},
            arrival_at__lt=timezone.now(),
        )
        .exclude(status=VisitStatus.DRAFT)
        .order_by()
        .values("client_id")
        .annotate(n=Count("pk"), last=Max("updated_at"))
    }
    keys = {}
    for visit in visits:
        client = visit.client
        parts = [
            # the visit's own version, and its fields a bulk update could change without it
            visit.pk,
            visit.updated_at,
            visit.status,
            visit.late,
            visit.final_grade_id,
            visit.proposed_grade_id,
            client and (client.pk, client.name, client.name_en, client.category),
            people.get(visit.applicant_id),
            people.get(visit.main_host_id) if visit.main_host_id else None,
            visitors.get(visit.pk, []),
            grades,
            past.get(visit.client_id) if visit.client_id else None,
        ]
        keys[visit.pk] = hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()
    return keys


def decision_card_version(visit) -> str:
    """Everything a decision card shows of its visit and of other rows, as one key part of the
    card's kept fragments ({% cache %} in visits/approvals/_step_card.html): the visit's
    version, and the fields that move without it (the grade, the visitors), the client, the
    people, the grade with its standard, the lines over the standard and the client's last
    visits. Read from what the page read already (approval_cards; a card swapped in alone
    reads its own first), computed once per visit."""
    known = getattr(visit, "_decision_card_version", None)
    if known is not None:
        return known
    if not hasattr(visit, "client_history"):
        prepare_decision_cards([visit])
    grade = visit.grade
    standard = getattr(grade, "standard", None) if grade else None
    client = visit.client
    parts: list[object] = [
        visit.pk,
        visit.updated_at,
        visit.status,
        visit.late,
        visit.final_grade_id,
        visit.proposed_grade_id,
        client and (client.pk, client.updated_at, client.label),
        str(visit.applicant),
        str(visit.main_host or ""),
        [(v.pk, v.name, v.title) for v in visit.visitors.all()],
        grade and (grade.pk, grade.label),
        standard
        and (
            standard.meal_per_person,
            standard.wine_per_bottle,
            standard.cigarettes_per_pack,
            standard.hotel_label,
            standard.hotel_room_price,
            standard.car_label,
            standard.car_trip_price,
        ),
        [
            (line.category, line.quantity, line.allowed_price, line.asked_price)
            + ((line.asked_grade.label,) if line.asked_grade else ())
            for line in visit.over_standard
        ],
        [
            (h.pk, h.arrival_at, h.status, h.grade.label if h.grade else "")
            for h in visit.client_history
        ],
    ]
    visit._decision_card_version = version = repr(parts)
    return version
