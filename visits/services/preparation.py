"""Preparation tasks: generated from the division of labour on final approval, ticked off by
departments, kept in step with the visit when it changes."""

from collections import defaultdict

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import StaffMembership, User
from reception.notifications.notify import Lines, Msg, notify
from reception.policy.calendar import WorkingCalendar

from .. import links, permissions, quantities
from ..models import (
    PREPARING_STATUSES,
    AssignTo,
    EventKind,
    PrepStatus,
    PrepTask,
    PrepTaskTemplate,
    QuantityHint,
    StandardHint,
    VisitEvent,
    VisitRequest,
)
from ..models.preparation import TIME_FIELDS
from . import changes, webhooks
from .lifecycle import VisitError, lock
from .notifications import Kind


def due_date_for(template: PrepTaskTemplate, visit: VisitRequest, calendar=None):
    """Working days before arrival, by the company's calendar (holidays and 调休 included)."""
    arrival = timezone.localtime(visit.arrival_at).date()
    return (calendar or WorkingCalendar()).working_days_before(arrival, template.due_working_days)


def due_and_urgency(template: PrepTaskTemplate, visit: VisitRequest, calendar=None):
    """(due date, urgent): a task is never due before today; one whose normal due date has
    already passed (a late request, an earlier arrival) is due today and urgent."""
    due = due_date_for(template, visit, calendar)
    today = timezone.localdate()
    return (today, True) if due < today else (due, False)


def _templates():
    return (
        PrepTaskTemplate.objects.filter(active=True)
        .prefetch_related(Prefetch("grades", to_attr="grade_list"))
        .select_related("department")
    )


def matching_templates(visit: VisitRequest) -> list[PrepTaskTemplate]:
    return [t for t in _templates() if t.matches(visit, {g.pk for g in t.grade_list})]


def _new_task(template: PrepTaskTemplate, visit: VisitRequest, calendar) -> PrepTask:
    due, urgent = due_and_urgency(template, visit, calendar)
    return PrepTask(
        visit=visit,
        template=template,
        department=template.department,
        name=template.name,
        name_en=template.name_en,
        description=template.description,
        description_en=template.description_en,
        due_date=due,
        urgent=urgent,
        assignee=template.holder(visit),
    )


def generate_tasks(visit: VisitRequest) -> tuple[list[PrepTask], list[PrepTask]]:
    """Bring the visit's tasks in line with the templates: add what is missing, cancel what
    no longer applies (a removed service, another grade). Running it twice changes nothing.
    Returns (created, cancelled)."""
    wanted = {t.pk: t for t in matching_templates(visit)}
    existing = {
        task.template_id: task
        for task in visit.prep_tasks.filter(template__isnull=False).select_related(
            "department", "assignee"
        )
    }
    calendar = WorkingCalendar()
    created = [
        _new_task(template, visit, calendar)
        for pk, template in wanted.items()
        if pk not in existing
    ]
    PrepTask.objects.bulk_create(created)
    cancelled = []
    for template_id, task in existing.items():
        if template_id not in wanted and task.status != PrepStatus.CANCELLED:
            task.status = PrepStatus.CANCELLED
            task.needs_recheck = False
            task.save(update_fields=["status", "needs_recheck", "updated_at"])
            cancelled.append(task)
        elif template_id in wanted and task.status == PrepStatus.CANCELLED:
            task.status = PrepStatus.OPEN  # the service came back
            task.due_date, task.urgent = due_and_urgency(wanted[template_id], visit, calendar)
            task.save(update_fields=["status", "due_date", "urgent", "updated_at"])
            created.append(task)
    return created, cancelled


def department_people(department_ids) -> list[User]:
    """Members and heads of these departments: they are told about their departments'
    tasks, which the department page (visits.see_department_tasks) shows them."""
    members = User.objects.filter(
        memberships__department_id__in=department_ids, is_active=True
    ).distinct()
    heads = User.objects.filter(headed_departments__in=department_ids, is_active=True)
    # Everyone here may open the department page (visits.see_department_tasks admits whoever
    # belongs to or heads a department), so no one is filtered out person by person.
    return list({u.pk: u for u in [*members, *heads]}.values())


def on_approval(visit: VisitRequest) -> None:
    """Generate the tasks and tell each department, and each holder, what to prepare."""
    created, cancelled = generate_tasks(visit)
    _tell_departments(visit, created, Msg(_("%(ref)s: new preparation tasks"), ref=visit.reference))
    _tell_departments(
        visit, cancelled, Msg(_("%(ref)s: preparation tasks cancelled"), ref=visit.reference)
    )


def _task_lines(items) -> Lines:
    return Lines(
        Msg(
            _("%(title)s — due %(due)s"),
            title=(lambda t=t: t.label),
            due=t.due_date.isoformat(),
        )
        for t in items
    )


def _link(items, *, held: bool) -> str:
    """The tasks a notification names (one visit's), on "My tasks" (held) or the department
    page: filtered to their visit, so that they show however many tasks the page lists
    otherwise; scrolled to the task if it is one."""
    only = items[0].pk if len(items) == 1 else None
    return links.visit_tasks(items[0].visit_id, held=held, task_id=only)


def _tell_holders(tasks, title: Msg, exclude=None) -> set[int]:
    """Each holder hears of their tasks on "My tasks". Returns the holders' ids."""
    by_holder = defaultdict(list)
    for task in tasks:
        if task.assignee_id:
            by_holder[task.assignee_id].append(task)
    for items in by_holder.values():
        notify(
            [items[0].assignee],
            kind=Kind.TASKS,
            title=title,
            body=_task_lines(items),
            url=_link(items, held=True),
            exclude=exclude,
        )
    return set(by_holder)


def _tell_departments(visit, tasks, title: Msg, exclude=None) -> None:
    """Each task's holder is told on their own tasks page; the department people on theirs."""
    _tell_holders(tasks, title, exclude)
    by_department = defaultdict(list)
    for task in tasks:
        by_department[task.department_id].append(task)
    for department_id, items in by_department.items():
        # a holder of every one of them has just been told
        people = [
            u
            for u in department_people([department_id])
            if not all(t.assignee_id == u.pk for t in items)
        ]
        notify(
            people,
            kind=Kind.TASKS,
            title=title,
            body=_task_lines(items),
            url=_link(items, held=False),
            exclude=exclude,
        )


def _merge_changes(earlier: list[dict], hit: list[dict]) -> list[dict]:
    """Keep the value each field had when the task was last checked, and its latest value."""
    merged = {c["field"]: dict(c) for c in earlier}
    for change in hit:
        if change["field"] in merged:
            merged[change["field"]]["new"] = change["new"]
        else:
            merged[change["field"]] = {k: change[k] for k in ("field", "old", "new")}
    return [c for c in merged.values() if c["old"] != c["new"]]


def propagate_changes(
    visit: VisitRequest, diff: list[dict], by: User, *, reconcile: bool = True
) -> list[PrepTask]:
    """After an approved visit changed (diff: {field, old, new} per change): move the due
    dates if the time moved, mark re-check only the tasks whose watched fields changed (with
    the old and new values), cancel tasks of removed services, add tasks of added ones; tell
    the people concerned. reconcile=False (a new grade, back in approval): only mark; approval
    reconciles. Returns the tasks marked."""
    changed_fields = {c["field"] for c in diff}
    created, cancelled = generate_tasks(visit) if reconcile else ([], [])
    created_ids = {t.pk for t in created}
    affected = []
    calendar = WorkingCalendar()
    tasks = visit.prep_tasks.exclude(status=PrepStatus.CANCELLED).select_related(
        "template", "department", "assignee"
    )
    for task in tasks:
        if task.pk in created_ids:
            continue
        fields = ["updated_at"]
        if task.template and changed_fields & TIME_FIELDS:
            task.due_date, task.urgent = due_and_urgency(task.template, visit, calendar)
            fields += ["due_date", "urgent"]
        if task.template:
            hit = task.template.affected_by(diff)
        else:
            hit = [c for c in diff if c["field"] in TIME_FIELDS]
        if hit:
            task.needs_recheck = True
            task.recheck_changes = _merge_changes(task.recheck_changes, hit)
            task.recheck_fields = sorted(set(task.recheck_fields) | {c["field"] for c in hit})
            fields += ["needs_recheck", "recheck_changes", "recheck_fields"]
            affected.append(task)
        if len(fields) > 1:
            task.save(update_fields=fields)
    title = Msg(_("%(ref)s changed: re-check your preparation"), ref=visit.reference)
    _tell_departments(visit, affected, title, exclude=by)
    _tell_departments(visit, created, Msg(_("%(ref)s: new preparation tasks"), ref=visit.reference))
    _tell_departments(
        visit, cancelled, Msg(_("%(ref)s: preparation tasks cancelled"), ref=visit.reference)
    )
    return affected


def recheck_lines(task: PrepTask) -> list[str]:
    """The re-check note: each changed field with its old and new value, in the reader's
    language."""
    if task.recheck_changes:
        return [str(changes.change_line(c)) for c in task.recheck_changes]
    return [str(changes.field_label(f)) for f in task.recheck_fields]


def follow_holders(visit: VisitRequest, by: User) -> list[PrepTask]:
    """The main host or receptionist changed: their tasks pass to the new person (or back to
    the department when there is none), who is told. Returns the tasks that moved."""
    tasks = (
        visit.prep_tasks.exclude(status=PrepStatus.CANCELLED)
        .exclude(template__assign_to=AssignTo.NOBODY)
        .filter(template__isnull=False)
        .select_related("template", "department", "assignee")
    )
    moved = []
    for task in tasks:
        holder = task.template.holder(visit)  # type: ignore[union-attr]  # filtered: not null
        if (holder.pk if holder else None) != task.assignee_id:
            task.assignee = holder
            task.save(update_fields=["assignee", "updated_at"])
            moved.append(task)
    title = Msg(_("%(ref)s: preparation tasks passed to you"), ref=visit.reference)
    _tell_holders(moved, title, exclude=by)
    return moved


# ---- what departments do with their tasks -------------------------------------------------


def _check_member(task: PrepTask, user: User) -> None:
    if not user.has_perm("visits.tick_task", task):
        raise VisitError(_("Only the task's holder and the department's members can update it."))


def _locked(task: PrepTask) -> PrepTask:
    return (
        PrepTask.objects.select_for_update().select_related("department", "visit").get(pk=task.pk)
    )


def complete_task(
    *, task: PrepTask, by: User, note: str = "", car: str = "", driver: str = ""
) -> PrepTask:
    """Tick a task off. On the task that arranges the car (its template's standard is the car
    class), the car and driver the office gives become the visit's pick-up: the one record the
    arrivals board and the desk show."""
    with transaction.atomic():
        if car.strip() or driver.strip():
            lock(task.visit)  # the visit before the task, as the other writers lock them
        task = _locked(task)
        _check_member(task, by)
        if task.status == PrepStatus.CANCELLED:
            raise VisitError(_("This task was cancelled; it no longer needs doing."))
        note = (note or task.note).strip()
        limit = PrepTask._meta.get_field("note").max_length or 0
        if len(note) > limit:  # never cut a note short in silence
            raise VisitError(
                _("The note is too long: at most %(limit)s characters.") % {"limit": limit}
            )
        task.status = PrepStatus.DONE
        task.done_by = by
        task.done_at = timezone.now()
        task.note = note
        task.needs_recheck = False
        task.recheck_fields = []
        task.recheck_changes = []
        task.save()
        if task.template and task.template.standard_hint == StandardHint.CAR:
            _record_pickup(task.visit, by, car=car, driver=driver)
        webhooks.task_done(task)
    return task


def _record_pickup(visit: VisitRequest, by: User, *, car: str, driver: str) -> None:
    visit = lock(visit)
    wanted = {"pickup_car": car.strip(), "pickup_driver": driver.strip()}
    diff = [
        {"field": field, "old": getattr(visit, field), "new": value}
        for field, value in wanted.items()
        if value and value != getattr(visit, field)
    ]
    if diff:
        for change in diff:
            setattr(visit, change["field"], change["new"])
        visit.save(update_fields=[*(c["field"] for c in diff), "updated_at"])
        VisitEvent.objects.create(visit=visit, actor=by, kind=EventKind.CHANGE, changes=diff)


def reopen_task(*, task: PrepTask, by: User) -> PrepTask:
    with transaction.atomic():
        task = _locked(task)
        _check_member(task, by)
        if task.status != PrepStatus.DONE:
            raise VisitError(_("Only a task that is done can be reopened."))
        task.status = PrepStatus.OPEN
        task.done_by = None
        task.done_at = None
        task.save()
    return task


def confirm_recheck(*, task: PrepTask, by: User) -> PrepTask:
    """A done task still fits the changed visit: clear the flag, keep it done."""
    with transaction.atomic():
        task = _locked(task)
        _check_member(task, by)
        task.needs_recheck = False
        task.recheck_fields = []
        task.recheck_changes = []
        task.done_by = by
        task.done_at = timezone.now()
        task.save()
    return task


def _may_hold(user: User, task: PrepTask) -> bool:
    """Who may hold a department's task by name: an active member of that department."""
    return StaffMembership.objects.filter(
        user=user, user__is_active=True, department_id=task.department_id
    ).exists()


def assign_task(*, task: PrepTask, by: User, assignee: User | None) -> PrepTask:
    with transaction.atomic():
        task = _locked(task)
        permissions.require(
            by, "visits.assign_task", task, _("Only the head of the department assigns its tasks.")
        )
        if assignee is not None and not _may_hold(assignee, task):
            raise VisitError(_("Assign the task to a member of the department."))
        task.assignee = assignee
        task.save(update_fields=["assignee", "updated_at"])
        if assignee is not None:
            notify(
                [assignee],
                kind=Kind.TASK_ASSIGNED,
                title=Msg(
                    _("%(ref)s: “%(task)s” is yours, due %(due)s"),
                    ref=task.visit.reference,
                    task=lambda: task.label,
                    due=task.due_date.isoformat(),
                ),
                url=links.task(task),
                exclude=by,
            )
    return task


def take_task(*, task: PrepTask, by: User) -> PrepTask:
    """A member of the task's department takes an open task nobody holds yet: it becomes
    theirs (on their "My tasks"), as if their head had assigned it to them; the same rule
    says who may hold it. Taking a task one already holds changes nothing."""
    with transaction.atomic():
        task = _locked(task)
        if task.assignee_id == by.pk:
            return task
        if task.status != PrepStatus.OPEN or task.visit.status not in PREPARING_STATUSES:
            raise VisitError(_("Only an open task of a visit still to come can be taken."))
        if task.assignee_id is not None:
            raise VisitError(
                _("%(person)s has already taken this task.") % {"person": task.assignee}
            )
        if not _may_hold(by, task):
            raise VisitError(_("Only a member of the department can take its tasks."))
        task.assignee = by
        task.save(update_fields=["assignee", "updated_at"])
    return task


# ---- hints and readiness ------------------------------------------------------------------


def quantity_hint(task: PrepTask) -> str:
    visit = task.visit
    hint = task.template.quantity_hint if task.template else ""
    if hint == QuantityHint.SEATS:
        return str(quantities.seats(visit.headcount + visit.meal_staff))
    if hint == QuantityHint.VISITORS:
        return str(quantities.visitors(visit.headcount))
    if hint == QuantityHint.MEALS:
        return str(quantities.meals_places(visit.meals, visit.headcount + visit.meal_staff))
    if hint == QuantityHint.ROOMS:
        return str(quantities.rooms_nights(visit.rooms, visit.nights))
    return ""


def standard_hint(task: PrepTask) -> str:
    hint = task.template.standard_hint if task.template else ""
    standard = getattr(task.visit.grade, "standard", None) if task.visit.grade else None
    if not hint or standard is None:
        return ""
    if hint == StandardHint.CAR:
        return standard.car_label or str(_("no car by the standard"))
    if hint == StandardHint.HOTEL:
        return standard.hotel_label
    return str(_("¥%(amount)s per person") % {"amount": f"{standard.meal_per_person:.0f}"})


def readiness(tasks) -> int | None:
    """Percentage of the live (not cancelled) tasks that are done; None without tasks."""
    live = [t for t in tasks if t.status != PrepStatus.CANCELLED]
    if not live:
        return None
    done = sum(1 for t in live if t.status == PrepStatus.DONE and not t.needs_recheck)
    return round(100 * done / len(live))


def cancel_tasks(visit: VisitRequest, by: User) -> None:
    """The visit was cancelled: nothing is left to prepare."""
    tasks = list(
        visit.prep_tasks.exclude(status=PrepStatus.CANCELLED).select_related(
            "department", "assignee"
        )
    )
    PrepTask.objects.filter(pk__in=[t.pk for t in tasks]).update(
        status=PrepStatus.CANCELLED, needs_recheck=False
    )
    title = Msg(_("%(ref)s cancelled: stop preparing"), ref=visit.reference)
    _tell_departments(visit, tasks, title, exclude=by)
