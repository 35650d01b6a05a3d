"""What each kind of reminder says, rendered later in the recipient's language, and whether it
still applies at the moment it is sent."""

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals.models import StepState
from reception.models import Department
from reception.notifications.notify import Lines, Msg

from .. import links, quantities
from ..documents import document_variant, visitor_information_attachment
from ..models import ArrivalMode, PrepStatus, PrepTask, Reminder, ReminderKind, VisitRequest
from ..models.reminders import KIND_STATUSES
from ..selectors import at_my_sites, visible_visits
from .planning import arrivals_on


class NoLongerApplies(Exception):
    """The reminder's reason has gone (approved meanwhile, task done, visit cancelled…)."""


@dataclass
class Message:
    title: Msg
    body: Lines
    url: str = ""
    attachments: list = field(default_factory=list)


class RenderedDocuments:
    """The documents rendered lately, by variant (visit, version, language, phones shown): the
    last few only, since a sweep sends one visit's reminders one after the other."""

    def __init__(self, keep: int = 16):
        self.keep = keep
        self.rendered: OrderedDict = OrderedDict()

    def get(self, key: tuple, render):
        if key in self.rendered:
            self.rendered.move_to_end(key)
        else:
            self.rendered[key] = render()
            while len(self.rendered) > self.keep:
                self.rendered.popitem(last=False)
        return self.rendered[key]


_rendered: ContextVar[RenderedDocuments | None] = ContextVar("rendered_documents", default=None)


@contextmanager
def documents_rendered_once() -> Iterator[RenderedDocuments]:
    """Within it (a sweep), a visit's document is rendered once per variant, not per reader."""
    rendered = RenderedDocuments()
    token = _rendered.set(rendered)
    try:
        yield rendered
    finally:
        _rendered.reset(token)


def attachments_for(reminder: Reminder) -> list[tuple[str, bytes, str]]:
    """Files sent with the reminder's email, as (filename, content, mimetype): the visitor
    information sheet (PDF) in the recipient's language, with phone numbers as the recipient
    may see them. If rendering fails, the reminder fails with the error and the sweep retries
    it. Inside documents_rendered_once(), readers of the same variant share one rendering."""
    visit, reader = reminder.visit, reminder.recipient
    if visit is None:
        return []
    language = reader.preferred_language

    def render():
        return visitor_information_attachment(visit=visit, language=language, reader=reader)

    rendered = _rendered.get()
    if rendered is None:
        return [render()]
    return [rendered.get(document_variant(visit=visit, language=language, reader=reader), render)]


def _visit(reminder: Reminder) -> VisitRequest:
    """The reminder's visit: every kind composed with it is about one visit (planning.py)."""
    assert reminder.visit is not None, reminder.rule.kind
    return reminder.visit


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _client(visit: VisitRequest):
    return lambda: visit.client.label if visit.client is not None else "—"


def _visit_url(visit: VisitRequest, user) -> str:
    """The visit page, for those allowed to open it (others would meet a 404)."""
    if not user.has_perm("visits.view_visitrequest"):
        return ""
    checked = _check_visits(user, [visit.pk])  # usually read ahead with its batch
    return reverse("visits:detail", args=[visit.pk]) if checked[visit.pk] else ""


def _check_visits(user, visit_ids) -> dict[int, bool]:
    """Whether the user may open each of these visits' pages, kept on the user object (a
    sweep keeps one per recipient): the ones not asked before are read in one query."""
    checked = getattr(user, "_visits_checked", None)
    if checked is None:
        checked = user._visits_checked = {}
    unknown = [pk for pk in visit_ids if pk not in checked]
    if unknown:
        visible = set(visible_visits(user).filter(pk__in=unknown).values_list("pk", flat=True))
        checked.update({pk: pk in visible for pk in unknown})
    return checked


# The kinds whose message links to the visit page (composed with _visit_url).
LINK_TO_VISIT = {
    ReminderKind.NOT_APPROVED,
    ReminderKind.VISITOR_INFORMATION,
    ReminderKind.WORK_SUMMARY,
}


def _read_visibility(batch: list[Reminder]) -> None:
    """Which of the batch's visits each recipient may open, one query per recipient rather
    than one per reminder (the scope query is costly to build and plan on a big history)."""
    wanted: dict[int, set[int]] = defaultdict(set)
    people = {}
    for reminder in batch:
        user = reminder.recipient
        if (
            reminder.rule.kind in LINK_TO_VISIT
            and reminder.visit_id
            and user.has_perm("visits.view_visitrequest")
        ):
            wanted[user.pk].add(reminder.visit_id)
            people[user.pk] = user
    for pk, visit_ids in wanted.items():
        _check_visits(people[pk], visit_ids)


def _tasks_url(user, visit_id: int) -> str:
    """The visit's tasks on the department page for its people; everyone else has their own
    tasks page (each filtered to the visit: visits.links)."""
    return links.visit_tasks(visit_id, held=not user.has_perm("visits.see_department_tasks"))


def _not_approved(reminder: Reminder) -> Message:
    visit = _visit(reminder)
    pending = visit.approval_steps.filter(state=StepState.PENDING)
    step = pending.select_related("role", "user").first()
    waiting = (
        Msg(
            _("Waiting for: %(step)s (%(approver)s)."),
            step=lambda: step.label,
            approver=lambda: step.approver_label,
        )
        if step
        else Msg(_("Returned to the applicant: it must be revised and submitted again."))
    )
    return Message(
        title=Msg(
            _("%(ref)s arrives %(arrival)s and is still not approved"),
            ref=visit.reference,
            arrival=_when(visit.arrival_at),
        ),
        body=Lines(
            [
                Msg(_("Client: %(client)s."), client=_client(visit)),
                waiting,
                Msg(
                    _(
                        "The approved visitor information should reach the customer "
                        "receptionist now so that the visit can be prepared."
                    )
                ),
            ]
        ),
        url=_visit_url(visit, reminder.recipient),
    )


def _visitor_information(reminder: Reminder) -> Message:
    visit = _visit(reminder)
    visitors = list(visit.visitors.all())
    lines = [
        Msg(_("Client: %(client)s."), client=_client(visit)),
        Msg(
            _("Grade: %(grade)s. Main host: %(host)s."),
            grade=lambda: visit.grade.label if visit.grade else "—",
            host=visit.main_host or "—",
        ),
        Msg(
            _("Arrival %(arrival)s (%(mode)s %(point)s), departure %(departure)s."),
            arrival=_when(visit.arrival_at),
            mode=ArrivalMode(visit.arrival_mode).label if visit.arrival_mode else "",
            point=visit.arrival_point,
            departure=_when(visit.departure_at),
        ),
        Msg(
            ngettext_lazy("%(count)s visitor:", "%(count)s visitors:", "count"),
            count=visit.headcount,
        ),
        *[f"  · {v.name}" + (f", {v.title}" if v.title else "") for v in visitors],
        Msg(
            _("Meals: %(meals)s; rooms: %(rooms)s; meeting room: %(room)s."),
            meals=visit.meals,
            rooms=quantities.rooms_nights(visit.rooms, visit.nights),
            room=visit.meeting_room or "—",
        ),
    ]
    if visit.services:
        lines.append(
            Msg(
                _("Services: %(services)s."),
                services=lambda: ", ".join(visit.service_labels()),
            )
        )
    return Message(
        title=Msg(
            _("Visitor information: %(ref)s, %(client)s arrives %(arrival)s"),
            ref=visit.reference,
            client=_client(visit),
            arrival=_when(visit.arrival_at),
        ),
        body=Lines(lines),
        url=_visit_url(visit, reminder.recipient),
        attachments=attachments_for(reminder),
    )


def _departments_of(user) -> list[int]:
    """The departments the user belongs to or heads, read once per user object (a sweep keeps
    one object per recipient)."""
    cached = getattr(user, "_reminder_departments", None)
    if cached is None:
        mine = Q(memberships__user=user) | Q(head=user)
        cached = list(Department.objects.filter(mine).values_list("pk", flat=True).distinct())
        user._reminder_departments = cached
    return cached


def _open_tasks_of(visits) -> QuerySet[PrepTask]:
    return (
        PrepTask.objects.filter(visit__in=visits, status=PrepStatus.OPEN)
        .select_related("department")
        .order_by("due_date", "department__code", "pk")
    )


def read_ahead(batch: list[Reminder]) -> None:
    """Read what composing a batch of reminders needs in one query per kind, not per reminder:
    the open tasks of the visits whose departments get their lists (as of the batch, as are
    the visits themselves), and which visits each recipient may open."""
    _read_visibility(batch)
    lists = [r for r in batch if r.rule.kind == ReminderKind.OPEN_TASKS and r.visit_id]
    if not lists:
        return
    tasks: dict[int | None, list[PrepTask]] = {r.visit_id: [] for r in lists}
    for task in _open_tasks_of(tasks.keys()):
        tasks[task.visit_id].append(task)
    for reminder in lists:
        _visit(reminder)._open_tasks = tasks[reminder.visit_id]


def _open_tasks(reminder: Reminder) -> Message:
    visit, user = _visit(reminder), reminder.recipient
    open_tasks = getattr(visit, "_open_tasks", None)
    if open_tasks is None:
        open_tasks = list(_open_tasks_of([visit.pk]))
    departments = set(_departments_of(user))
    tasks = [t for t in open_tasks if t.department_id in departments]
    if not tasks:
        raise NoLongerApplies(_("no open tasks are left for this person's departments"))
    return Message(
        title=Msg(
            ngettext_lazy(
                "%(ref)s arrives %(arrival)s: %(count)s open preparation task",
                "%(ref)s arrives %(arrival)s: %(count)s open preparation tasks",
                "count",
            ),
            ref=visit.reference,
            arrival=_when(visit.arrival_at),
            count=len(tasks),
        ),
        body=Lines(
            Msg(
                _("%(task)s — %(department)s — due %(due)s"),
                task=lambda t=t: t.label,
                department=lambda t=t: t.department.label,
                due=t.due_date.isoformat(),
            )
            for t in tasks
        ),
        url=_tasks_url(user, visit.pk),
    )


def _arrivals_today(reminder: Reminder) -> Message:
    day = reminder.day
    assert day is not None  # the kind is about a day (planning.py)
    visits = list(
        arrivals_on(day)
        # each reader's sites (all: none assigned)
        .filter(at_my_sites(reminder.recipient, visit="pk"))
        .select_related("client", "main_host")
        .order_by("arrival_at", "pk")
    )
    if not visits:
        raise NoLongerApplies(_("no arrivals are left for the day"))
    return Message(
        title=Msg(
            ngettext_lazy(
                "Arrivals on %(day)s: %(count)s visit",
                "Arrivals on %(day)s: %(count)s visits",
                "count",
            ),
            day=day.isoformat(),
            count=len(visits),
        ),
        body=Lines(
            Msg(
                ngettext_lazy(
                    "%(time)s %(client)s (%(ref)s): %(count)s guest, host %(host)s, room %(room)s",
                    "%(time)s %(client)s (%(ref)s): %(count)s guests, host %(host)s, room %(room)s",
                    "count",
                ),
                time=timezone.localtime(v.arrival_at).strftime("%H:%M"),
                client=_client(v),
                ref=v.reference,
                count=v.headcount,
                host=v.main_host or "—",
                room=v.meeting_room or "—",
            )
            for v in visits
        ),
        url=_board_url(reminder),
    )


def _board_url(reminder: Reminder) -> str:
    """The desk's arrivals board of the list's day; others have the list in the message."""
    if reminder.day is None or not reminder.recipient.has_perm("visits.view_arrivals"):
        return ""
    return f"{reverse('visits:board')}?day={reminder.day.isoformat()}"


def _task_overdue(reminder: Reminder) -> Message:
    task, visit = reminder.task, _visit(reminder)
    assert task is not None  # the kind is about a task (planning.py)
    if task.status != PrepStatus.OPEN:
        raise NoLongerApplies(_("the task is no longer open"))
    return Message(
        title=Msg(
            _("%(ref)s: “%(task)s” is past due (%(due)s)"),
            ref=visit.reference,
            task=lambda: task.label,
            due=task.due_date.isoformat(),
        ),
        body=Lines(
            [
                Msg(
                    _("Department: %(department)s. Assigned to: %(assignee)s."),
                    department=lambda: task.department.label,
                    assignee=task.assignee or "—",
                ),
                Msg(
                    _("%(client)s arrives %(arrival)s."),
                    client=_client(visit),
                    arrival=_when(visit.arrival_at),
                ),
            ]
        ),
        url=links.task(task),
    )


def _work_summary(reminder: Reminder) -> Message:
    visit = _visit(reminder)
    return Message(
        title=Msg(_("%(ref)s is over: please write the work summary"), ref=visit.reference),
        body=Lines(
            [
                Msg(
                    _("%(client)s visited from %(arrival)s to %(departure)s."),
                    client=_client(visit),
                    arrival=_when(visit.arrival_at),
                    departure=_when(visit.departure_at),
                ),
                Msg(_("Write down the lessons learned and what to improve (工作小结).")),
            ]
        ),
        url=_visit_url(visit, reminder.recipient),
    )


def _follow_up_due(reminder: Reminder) -> Message:
    action, visit = reminder.follow_up, _visit(reminder)
    assert action is not None  # the kind is about a follow-up action (planning.py)
    if action.done_at is not None:
        raise NoLongerApplies(_("the follow-up action is done"))
    return Message(
        title=Msg(
            _("%(ref)s: follow-up due %(due)s"), ref=visit.reference, due=action.due_on.isoformat()
        ),
        body=Lines(
            [
                Msg("%(what)s", what=action.description),
                Msg(_("Mark it done on your task list once it is.")),
            ]
        ),
        url=links.follow_up(action),
    )


COMPOSERS: dict[str, Callable[[Reminder], Message]] = {
    ReminderKind.NOT_APPROVED: _not_approved,
    ReminderKind.VISITOR_INFORMATION: _visitor_information,
    ReminderKind.OPEN_TASKS: _open_tasks,
    ReminderKind.ARRIVALS_TODAY: _arrivals_today,
    ReminderKind.TASK_OVERDUE: _task_overdue,
    ReminderKind.WORK_SUMMARY: _work_summary,
    ReminderKind.FOLLOW_UP_DUE: _follow_up_due,
}


def compose(reminder: Reminder) -> Message:
    """The message, or NoLongerApplies when its reason has gone since it fell due."""
    if not reminder.recipient.is_active:
        raise NoLongerApplies(_("the recipient is no longer active"))
    visit = reminder.visit
    if visit is not None and visit.status not in KIND_STATUSES[reminder.rule.kind]:
        raise NoLongerApplies(
            _("the visit is now “%(status)s”") % {"status": visit.get_status_display()}
        )
    return COMPOSERS[reminder.rule.kind](reminder)
