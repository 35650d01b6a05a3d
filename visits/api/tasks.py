"""Preparation tasks: the ones in the user's reach (theirs and their departments'), ticked."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from ..forms.preparation import TaskNoteForm
from ..models import PrepStatus
from ..selectors import tasks_in_reach
from ..services import preparation
from ..services.lifecycle import VisitError
from .common import TASKS, BadInput, as_form_data, form_errors, require
from .schemas import Error, TaskDone, TaskOut

router = Router(tags=["tasks"])


class TaskQuery(Schema):
    status: PrepStatus | None = None
    visit_id: int | None = None


def task_out(task) -> TaskOut:
    return TaskOut(
        id=task.pk,
        visit_id=task.visit_id,
        name=task.name,
        department=task.department.code,
        due_date=task.due_date,
        status=task.status,
        needs_recheck=task.needs_recheck,
        assignee=task.assignee.username if task.assignee else None,
    )


def _tasks(user):
    return tasks_in_reach(user).select_related("department", "assignee")


@router.get("/tasks", response={200: list[TaskOut], 403: Error})
def list_tasks(request: HttpRequest, query: Query[TaskQuery]):
    """The tasks the user holds or their departments prepare, soonest due first (at most 500)."""
    user = require(request, TASKS)
    tasks = _tasks(user).order_by("due_date", "pk")
    if query.status:
        tasks = tasks.filter(status=query.status)
    if query.visit_id:
        tasks = tasks.filter(visit_id=query.visit_id)
    return [task_out(t) for t in tasks[:500]]


@router.post("/tasks/{task_id}/done", response={200: TaskOut, 400: Error, 403: Error, 404: Error})
def tick_task(request: HttpRequest, task_id: int, payload: TaskDone):
    """Tick a task off, as on My tasks (the same rule: its holder or its department)."""
    user = require(request, TASKS)
    task = get_object_or_404(_tasks(user), pk=task_id)
    form = TaskNoteForm(as_form_data(payload.dict()))
    if not form.is_valid():
        raise BadInput(form_errors(form))
    try:
        task = preparation.complete_task(task=task, by=user, **form.cleaned_data)
    except VisitError as error:
        raise HttpError(409, str(error.message)) from None
    return task_out(get_object_or_404(_tasks(user), pk=task.pk))
