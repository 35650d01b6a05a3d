"""Which reminders are due: for each active rule, the subjects (visits, tasks, days) whose due
moment has come, times their recipients, written as Reminder rows.

Rows are created only when they fall due, from the state of that moment, and written with
conflicts ignored: the unique constraints turn a second sweep's rows into no-ops. A person who
becomes a recipient later (the next approver, a newly assigned receptionist) gets the reminder
then, once.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from approvals.models import StepState
from approvals.services import approvers_of
from reception.models import Department, User
from reception.policy.calendar import WorkingCalendar

from ..models import (
    Anchor,
    FollowUpAction,
    Party,
    PrepStatus,
    PrepTask,
    Reminder,
    ReminderKind,
    ReminderRule,
    VisitRequest,
)
from ..models.reminders import KIND_STATUSES, LIVE
from ..services.notifications import receptionists_of
from ..services.preparation import department_people

# A reminder counted after its anchor still goes out this many days late (after an outage);
# older ones are dropped, so a new rule does not remind anyone of last year's visits.
LOOKBACK_DAYS = 14
# Calendar days a count of working days may span beyond itself (the longest holidays).
SLACK_DAYS = 21


@dataclass
class Subject:
    due_at: datetime
    visit: VisitRequest | None = None
    task: PrepTask | None = None
    day: date | None = None
    follow_up: FollowUpAction | None = None


def due_moment(rule: ReminderRule, day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, rule.send_time))


def _window(today: date, offset: int) -> tuple[date, date]:
    """Anchor dates whose reminder may be due today (or, after an outage, overdue)."""
    if offset < 0:
        return today, today + timedelta(days=-offset + SLACK_DAYS)
    return today - timedelta(days=offset + SLACK_DAYS + LOOKBACK_DAYS), today


def _still_useful(due: datetime, now: datetime, deadline: datetime | None, offset: int) -> bool:
    """Before-the-anchor reminders lapse when the anchor comes; the others after LOOKBACK."""
    if due > now:
        return False
    if offset < 0:
        return deadline is None or now < deadline
    return now - due <= timedelta(days=LOOKBACK_DAYS)


def _visit_subjects(rule, now, calendar, visit=None) -> Iterator[Subject]:
    field = "arrival_at" if rule.anchor == Anchor.ARRIVAL else "departure_at"
    window = _window(timezone.localdate(now), rule.offset_working_days)
    visits = VisitRequest.objects.filter(
        status__in=KIND_STATUSES[rule.kind], **{f"{field}__date__range": window}
    ).select_related("applicant", "main_host", "receptionist")
    if visit is not None:
        visits = visits.filter(pk=visit.pk)
    for visit in visits:
        moment = getattr(visit, field)
        day = calendar.shift(timezone.localtime(moment).date(), rule.offset_working_days)
        due = due_moment(rule, day)
        if _still_useful(due, now, moment, rule.offset_working_days):
            yield Subject(due_at=due, visit=visit)


def _task_subjects(rule, now, calendar) -> Iterator[Subject]:
    window = _window(timezone.localdate(now), rule.offset_working_days)
    tasks = PrepTask.objects.filter(
        status=PrepStatus.OPEN, visit__status__in=LIVE, due_date__range=window
    ).select_related("visit", "department__head")
    for task in tasks:
        due = due_moment(rule, calendar.shift(task.due_date, rule.offset_working_days))
        over = task.visit.departure_at  # nothing is worth chasing once the guests have left
        if _still_useful(due, now, None, rule.offset_working_days) and (over is None or now < over):
            yield Subject(due_at=due, visit=task.visit, task=task)


def _follow_up_subjects(rule, now, calendar) -> Iterator[Subject]:
    window = _window(timezone.localdate(now), rule.offset_working_days)
    actions = FollowUpAction.objects.filter(
        done_at__isnull=True, due_on__range=window
    ).select_related("visit", "owner")
    for action in actions:
        due = due_moment(rule, calendar.shift(action.due_on, rule.offset_working_days))
        if _still_useful(due, now, None, rule.offset_working_days):
            yield Subject(due_at=due, visit=action.visit, follow_up=action)


def _day_subjects(rule, now, calendar) -> Iterator[Subject]:
    today = timezone.localdate(now)
    if not calendar.is_working_day(today) or due_moment(rule, today) > now:
        return
    if arrivals_on(today).exists():  # no list on a day without arrivals
        yield Subject(due_at=due_moment(rule, today), day=today)


def arrivals_on(day: date) -> QuerySet[VisitRequest]:
    return VisitRequest.objects.filter(status__in=LIVE, arrival_at__date=day)


def subjects(
    rule: ReminderRule, now: datetime, calendar: WorkingCalendar, visit=None
) -> Iterator[Subject]:
    """visit: only that visit's subjects (visit-anchored rules only)."""
    if visit is not None:
        return _visit_subjects(rule, now, calendar, visit)
    if rule.kind == ReminderKind.ARRIVALS_TODAY:
        return _day_subjects(rule, now, calendar)
    if rule.kind == ReminderKind.TASK_OVERDUE:
        return _task_subjects(rule, now, calendar)
    if rule.kind == ReminderKind.FOLLOW_UP_DUE:
        return _follow_up_subjects(rule, now, calendar)
    return _visit_subjects(rule, now, calendar)


# ---- recipients --------------------------------------------------------------------------


def _applicant(subject):
    return [subject.visit.applicant] if subject.visit else []


def _pending_approvers(subject):
    if subject.visit is None:
        return []
    step = (
        subject.visit.approval_steps.filter(state=StepState.PENDING)
        .select_related("role", "user", "subject")
        .first()
    )
    return approvers_of(step) if step else []


def _receptionist(subject):
    return receptionists_of(subject.visit) if subject.visit else []


def _main_host(subject):
    return [subject.visit.main_host] if subject.visit and subject.visit.main_host_id else []


def _task_departments(subject):
    if subject.visit is None:
        return []
    open_tasks = subject.visit.prep_tasks.filter(status=PrepStatus.OPEN)
    return department_people(open_tasks.values("department_id"))


def _task_department_head(subject):
    head = subject.task.department.head if subject.task else None
    return [head] if head else []


def _visited_department(subject):
    """The applicant's department(s) received the customer: their heads, and the applicant."""
    if subject.visit is None:
        return []
    departments = Department.objects.filter(memberships__user=subject.visit.applicant_id)
    heads = User.objects.filter(headed_departments__in=departments).order_by("pk")
    return [*heads, subject.visit.applicant]


def _follow_up_owner(subject):
    return [subject.follow_up.owner] if subject.follow_up else []


PARTIES = {
    Party.APPLICANT: _applicant,
    Party.PENDING_APPROVERS: _pending_approvers,
    Party.RECEPTIONIST: _receptionist,
    Party.MAIN_HOST: _main_host,
    Party.TASK_DEPARTMENTS: _task_departments,
    Party.TASK_DEPARTMENT_HEAD: _task_department_head,
    Party.VISITED_DEPARTMENT: _visited_department,
    Party.FOLLOW_UP_OWNER: _follow_up_owner,
}


def recipients(rule: ReminderRule, subject: Subject, role_members: list[User]) -> list[User]:
    people = list(role_members)
    for party in rule.parties:
        if party in PARTIES:
            people.extend(PARTIES[party](subject))
    unique: dict[int, User] = {}
    for user in people:
        if user is not None and user.is_active:
            unique.setdefault(user.pk, user)
    return list(unique.values())


def plan_due_reminders(
    *,
    now: datetime,
    calendar: WorkingCalendar | None = None,
    visit: VisitRequest | None = None,
    kinds: list[str] | None = None,
) -> int:
    """Write the rows of every reminder due by `now`; returns how many rows were offered.
    visit and kinds narrow it to one visit's reminders of these (visit-anchored) kinds."""
    calendar = calendar or WorkingCalendar()
    offered = 0
    rules = ReminderRule.objects.filter(active=True).prefetch_related("recipient_roles")
    if kinds is not None:
        rules = rules.filter(kind__in=kinds)
    sites_of: dict[int, set[int]] | None = None  # read once, if a rule names roles
    for rule in rules:
        roles = [group.pk for group in rule.recipient_roles.all()]
        members = list(User.objects.filter(groups__in=roles, is_active=True).distinct())
        if members and sites_of is None:
            sites_of = defaultdict(set)
            for user_id, site_id in User.sites.through.objects.values_list("user_id", "site_id"):
                sites_of[user_id].add(site_id)
        rows = []
        for subject in subjects(rule, now, calendar, visit):
            # A visit's reminder goes to the role holders of its site (and to those working at
            # every site); a day's list goes to everyone and shows each their sites' arrivals.
            if members and subject.visit is not None and sites_of is not None:
                site_id = subject.visit.site_id
                members_here = [
                    u for u in members if not sites_of[u.pk] or site_id in sites_of[u.pk]
                ]
            else:
                members_here = members
            rows += [
                Reminder(
                    rule=rule,
                    recipient=user,
                    visit=subject.visit,
                    task=subject.task,
                    follow_up=subject.follow_up,
                    day=subject.day,
                    due_at=subject.due_at,
                )
                for user in recipients(rule, subject, members_here)
            ]
        Reminder.objects.bulk_create(rows, ignore_conflicts=True)
        offered += len(rows)
    return offered
