import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("jiedai")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def sweep_when_beat_starts(sender, **kwargs):
    """Beat runs an interval task first one interval after it starts: sweep at once instead, so
    that the heartbeat /health/ reads is there minutes after a fresh start (the sweep is safe to
    run twice)."""
    entry = sender.app.conf.beat_schedule["sweep-reminders"]
    sender.app.send_task(entry["task"], **entry.get("options", {}))
