"""The links notifications, reminders and the home page give to preparation tasks and
follow-up actions. Each lands on a page that shows what it names, however long the list it
belongs to: the department page and "My tasks" filtered to one visit (?visit=<pk>), or one
task's link, which finds the page that lists it for its reader (visits:task)."""

from django.urls import reverse


def visit_tasks(visit_id: int, *, held: bool, task_id: int | None = None) -> str:
    """A visit's tasks: on "My tasks" (held: the reader holds them by name) or on the
    department page; task_id: scrolled to that one."""
    page = reverse("visits:my_tasks" if held else "visits:tasks")
    anchor = f"#task-{task_id}" if task_id else ""
    return f"{page}?visit={visit_id}{anchor}"


def task(task) -> str:
    """One task, wherever it is when the link is followed (its holder may change)."""
    return reverse("visits:task", args=[task.pk])


def follow_up(action) -> str:
    return f"{reverse('visits:my_tasks')}#follow-up-{action.pk}"


def export_job(job) -> str:
    """An export job's own page (its owner's; the file's download is on it)."""
    return reverse("visits:export_job", args=[job.pk])
