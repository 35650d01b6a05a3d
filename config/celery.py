import os

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    task_postrun,
    task_prerun,
    worker_process_init,
)

from . import observability

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jiedai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# reception keeps its tasks in reception/notifications/tasks.py, which the line above (it
# looks for <app>.tasks) does not find; their names stay reception.send_...
app.autodiscover_tasks(["reception.notifications"])

# A task sent during a request is logged by the worker with that request's id.
before_task_publish.connect(observability.send_request_id_with_task)
task_prerun.connect(observability.adopt_request_id)
task_postrun.connect(observability.drop_request_id)


@beat_init.connect
def sweep_when_beat_starts(sender, **kwargs):
    """Beat runs an interval task first one interval after it starts: sweep at once instead, so
    that the heartbeat /health/ reads is there minutes after a fresh start (the sweep is safe to
    run twice)."""
    entry = sender.app.conf.beat_schedule["sweep-reminders"]
    sender.app.send_task(entry["task"], **entry.get("options", {}))


@worker_process_init.connect
def warm_up_documents(**kwargs):
    """Each worker process renders a tiny PDF before it takes tasks, so that the first reminder
    with the visitor information sheet does not wait seconds for the fonts (visits/documents.py,
    warm_up; CELERY_WORKER_PROC_ALIVE_TIMEOUT gives it the time)."""
    from visits import documents  # Django is set up in the worker by now

    documents.warm_up()
