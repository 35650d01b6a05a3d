"""The home page: the user's work first (counts and short lists with links), then the launcher.

Every section is two queries whatever the data size: one aggregate count and one short list.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Window
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from approvals.selectors import queue_for
from reception.accounts import access
from reception.models import Client, Notification
from reception.navigation import entries_for
from reception.policy.calendar import WorkingCalendar

from .. import links
from ..models import (
    PREPARING_STATUSES,
    SUBMITTABLE_STATUSES,
    PrepStatus,
    PrepTask,
    VisitRequest,
    VisitStatus,
    WalkIn,
    WalkInStatus,
)
from ..selectors import soonest_arrival_first, start_of, visible_visits, with_presence
from .site_choice import at_my_sites

SHORT = 5  # rows per section; the link leads to the whole list
# Those who host, receive or filed a visit see it this many working days ahead (the
# reception calendar's working days, today counting when it is one).
HOSTED_WORKING_DAYS = 7
# Visits the desk expects; a host also sees those still in approval that they may open.
ON_THE_WAY = (VisitStatus.APPROVED, VisitStatus.IN_PROGRESS)
IN_APPROVAL = (VisitStatus.SUBMITTED, VisitStatus.IN_APPROVAL)


@dataclass(frozen=True)
class Row:
    text: str
    detail: str
    url: str
    late: bool = False  # overdue; a task's row says it in words and colour, as "due today"
    due_today: bool = False
    take_url: str = ""  # a department's task nobody holds: the "take it" button


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment else ""


def _decision_row(step) -> Row:
    visit = step.subject
    return Row(str(visit), _when(visit.arrival_at), reverse("visits:detail", args=[visit.pk]))


def _task_row(task, user, *, may_take: bool = False) -> Row:
    """Links to the task on the page that lists it (the visit page may not be theirs to open):
    "My tasks" for what they hold by name, else their departments' task page, filtered to the
    task's visit (the department page runs to several pages)."""
    url = links.visit_tasks(task.visit_id, held=task.assignee_id == user.pk, task_id=task.pk)
    detail = _("%(visit)s · due %(date)s") % {
        "visit": task.visit,
        "date": date_format(task.due_date, "SHORT_DATE_FORMAT"),
    }
    late = task.is_overdue
    take = reverse("visits:task_action", args=[task.pk, "take"]) if may_take else ""
    return Row(
        task.label,
        detail,
        url,
        late,
        due_today=not late and task.due_date == timezone.localdate(),
        take_url=take,
    )


def _request_row(visit) -> Row:
    return Row(str(visit), visit.get_status_display(), reverse("visits:detail", args=[visit.pk]))


def _arrival_row(visit, *, desk: bool) -> Row:
    if visit.status in ON_THE_WAY:
        detail = _("%(when)s · %(inside)s of %(total)s checked in") % {
            "when": _when(visit.arrival_at),
            "inside": visit.visitors_in,
            "total": visit.visitors_total,
        }
    else:  # still in approval: the host sees it coming, and that it is not yet approved
        detail = f"{_when(visit.arrival_at)} · {visit.get_status_display()}"
    url = reverse("visits:desk" if desk else "visits:detail", args=[visit.pk])
    return Row(str(visit), detail, url)


def _walk_in_row(walk_in) -> Row:
    detail = _("%(names)s · since %(when)s") % {
        "names": walk_in.names,
        "when": _when(walk_in.recorded_at),
    }
    return Row(walk_in.company, detail, reverse("visits:walk_in", args=[walk_in.pk]))


def _notification_row(notification) -> Row:
    """Opens what the notification is about, marking it read, as the bell's list does."""
    url = reverse("notification_open", args=[notification.pk])
    return Row(notification.shown_title, _when(notification.created_at), url)


@dataclass
class Section:
    key: str
    title: str
    icon: str
    url: str
    count: int
    rows: list = field(default_factory=list)
    urgent: bool = False


def _section(key, title, icon, url, queryset: QuerySet, row, *, urgent=False) -> Section | None:
    # One query a section, empty or not (the page costs the same every day): its first rows,
    # each with the count of them all (a window over the rows before the LIMIT). Two queries,
    # the count apart, cost the page some 5 ms more CPU to build and compile.
    if queryset.query.is_empty():  # a section the reader has no part in (.none()): 0.5 ms
        return None
    items = list(queryset.annotate(section_count=Window(Count("*")))[:SHORT])
    if not items:
        return None
    return Section(key, title, icon, url, items[0].section_count, [row(i) for i in items], urgent)


def decisions(user) -> QuerySet:
    return soonest_arrival_first(queue_for(user))


# What the rows show of a task and of a visit (its name: reference and client), and what
# their links and the "take it" button read: the whole rows, and the joins to the task's
# department and template, cost the page some 2 ms of CPU to compile and build.
TASK_ROW_FIELDS = (
    *("name", "name_en", "status", "due_date", "assignee", "department"),
    *("visit__reference", "visit__client__name", "visit__client__name_en"),
)
VISIT_ROW_FIELDS = ("reference", "status", "arrival_at", "client__name", "client__name_en")


def _due(tasks: QuerySet) -> QuerySet:
    """Open tasks of visits still to come, due today or overdue, the most overdue first."""
    return (
        tasks.filter(
            status=PrepStatus.OPEN,
            visit__status__in=PREPARING_STATUSES,
            due_date__lte=timezone.localdate(),
        )
        .select_related("visit__client")
        .only(*TASK_ROW_FIELDS)
        .order_by("due_date", "visit__arrival_at", "pk")
    )


def due_tasks(user) -> QuerySet:
    """Open tasks the user holds by name, due today or overdue."""
    return _due(PrepTask.objects.filter(assignee=user))


def my_departments(user) -> dict[int, bool]:
    """The departments this user belongs to or heads: {id: whether they are a member} (a
    member may take a task nobody holds; a head who is not one assigns it instead), kept with
    the user's access (reception.accounts.access.departments)."""
    return access.departments(user)


def untaken_tasks(department_ids) -> QuerySet:
    """Open tasks of these departments that nobody holds by name, due today or overdue. The
    departments as ids: PostgreSQL then filters the tasks directly instead of probing each
    one's department members."""
    return _due(PrepTask.objects.filter(assignee__isnull=True, department_id__in=department_ids))


def unfinished_requests(user) -> QuerySet:
    # The client is read for the five rows shown (prefetch): joined, PostgreSQL hashed every
    # client of the company to join them to a user's handful of drafts.
    return (
        VisitRequest.objects.filter(applicant=user, status__in=SUBMITTABLE_STATUSES)
        .only("reference", "status", "client")
        .prefetch_related(Prefetch("client", Client.objects.only("name", "name_en")))
        .order_by("-status", "arrival_at", "pk")
    )


def last_day_ahead(today, working_days: int = HOSTED_WORKING_DAYS):
    """The last day of the next `working_days` working days, today counting when it is one
    (the reception calendar: weekends, public holidays, make-up days, the admin's entries)."""
    calendar = WorkingCalendar().preload(today, today + timedelta(days=working_days * 3 + 30))
    first = today if calendar.is_working_day(today) else calendar.working_days_after(today, 1)
    return calendar.working_days_after(first, working_days - 1)


def coming_arrivals(user, *, everyone: bool) -> QuerySet:
    """For the desk: every visit arriving today and tomorrow. For everyone else: the visits
    they host, receive, accompany or filed, arriving in the next HOSTED_WORKING_DAYS working
    days (a host sees next week's visit, not only tomorrow's), those still in approval too
    where they may open them (visible_visits: a host named on a request sees it once it
    reaches a step of theirs or is approved). Only what the row shows (the client, who is
    in): the board's full query (pick-up, list facts) took PostgreSQL 7 ms to plan."""
    today = timezone.localdate()
    statuses: tuple[VisitStatus, ...]
    visits: QuerySet[VisitRequest]
    if everyone:
        last, statuses = today + timedelta(days=1), ON_THE_WAY
        visits = VisitRequest.objects.filter(at_my_sites(user, visit="pk"))  # the desk's sites
    else:
        last, statuses = last_day_ahead(today), (*ON_THE_WAY, *IN_APPROVAL)
        mine = VisitRequest.objects.filter(
            Q(main_host=user)
            | Q(receptionist=user)
            | Q(accompanying_staff=user)
            | Q(applicant=user)
        ).values("pk")
        visits = visible_visits(user).filter(pk__in=mine)
    visits = with_presence(
        visits.filter(
            status__in=statuses,
            arrival_at__gte=start_of(today),
            arrival_at__lt=start_of(last + timedelta(days=1)),
        )
    )
    return visits.select_related("client").only(*VISIT_ROW_FIELDS).order_by("arrival_at", "pk")


def waiting_walk_ins(user, *, everyone: bool) -> QuerySet:
    walk_ins = (
        WalkIn.objects.filter(status=WalkInStatus.WAITING)
        .only("company", "names", "recorded_at")
        .order_by("recorded_at")
    )
    # The gate and the desk: their sites' walk-ins (every site's, with no site assigned).
    return walk_ins.filter(at_my_sites(user)) if everyone else walk_ins.filter(wants_to_see=user)


def unread(user) -> QuerySet:
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .only("title", "title_message", "created_at")
        .order_by("-created_at")
    )


def work_for(user) -> list[Section]:
    desk = user.has_perm("visits.view_arrivals")
    departments = my_departments(user)
    sections = [
        _section(
            "walk_ins",
            _("Walk-ins waiting"),
            "bi-person-exclamation",
            reverse("visits:walk_ins") if user.has_perm("visits.view_walkin") else "",
            waiting_walk_ins(user, everyone=user.has_perm("visits.view_walkin")),
            _walk_in_row,
            urgent=True,
        ),
        _section(
            "decisions",
            _("Requests waiting for your decision"),
            "bi-check2-square",
            reverse("approvals:queue"),
            decisions(user) if user.has_perm("approvals.view_approvalstep") else _none(),
            _decision_row,
            urgent=True,
        ),
        _section(
            "tasks",
            _("Your tasks due today or overdue"),
            "bi-list-check",
            reverse("visits:my_tasks"),
            due_tasks(user),
            lambda task: _task_row(task, user),
            urgent=True,
        ),
        _section(
            "department_tasks",
            _("Your department's tasks, not yet taken"),
            "bi-people",
            reverse(
                "visits:tasks"
                if user.has_perm("visits.see_department_tasks")
                else "visits:my_tasks"
            ),
            untaken_tasks(list(departments)),
            lambda task: _task_row(task, user, may_take=bool(departments.get(task.department_id))),
            urgent=True,
        ),
        _section(
            "arrivals",
            _("Arriving today and tomorrow") if desk else _("Your visits, next 7 working days"),
            "bi-door-open",
            reverse("visits:board") if desk else reverse("visits:list"),
            coming_arrivals(user, everyone=desk),
            lambda visit: _arrival_row(visit, desk=desk),
        ),
        _section(
            "requests",
            _("Your drafts and returned requests"),
            "bi-pencil-square",
            reverse("visits:list"),
            unfinished_requests(user),
            _request_row,
        ),
        _section(
            "notifications",
            _("Unread notifications"),
            "bi-bell",
            reverse("notifications"),
            unread(user),
            _notification_row,
        ),
    ]
    return [s for s in sections if s is not None]


def _none() -> QuerySet:
    return VisitRequest.objects.none()


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        work = work_for(user)
        # The bell's count is the unread section's own (its window count), not a query more;
        # the departments come kept with the user's access. At 100,000 visits (least of 15,
        # beside the base in turns, 2026-12-07): 12 -> 10 queries, 21.0-21.8 -> 15.1-18.7 ms.
        unread_section = next((s for s in work if s.key == "notifications"), None)
        return super().get_context_data(
            work=work,
            unread_notifications=unread_section.count if unread_section else 0,
            entries=entries_for(user),
            today=timezone.localdate(),
            desk=user.has_perm("visits.view_arrivals"),
            **kwargs,
        )
