"""Heartbeats of background jobs: recorded by the job, read by /health/ (config/health.py)."""

from datetime import datetime

from django.utils import timezone

from ..models import Heartbeat, Job


def record(job: Job, *, at: datetime | None = None) -> None:
    Heartbeat.objects.update_or_create(job=job, defaults={"at": at or timezone.now()})


def last_run(job: Job) -> datetime | None:
    return Heartbeat.objects.filter(job=job).values_list("at", flat=True).first()
