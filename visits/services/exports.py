"""Exports as jobs: an export of more rows than EXPORT_JOB_THRESHOLD_ROWS is written by a
Celery task (visits.write_export) into the private exports storage, a batch of rows at a time
with its progress on the job, and offered on the owner's "My exports" page; its owner is told
when it is ready (or failed). Smaller exports are sent at once, as before. A beat entry
(visits.sweep_export_jobs) deletes jobs and files past EXPORT_FILES_KEEP_DAYS, re-sends jobs
the broker lost and marks failed those whose worker died."""

import logging
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation

from reception.errors import RuleError
from reception.models import User
from reception.notifications.notify import broker_pause

from .. import exports
from ..exports import ExportSpec, Params
from ..models import ExportFormat, ExportJob, ExportKind, ExportStatus
from . import notifications

log = logging.getLogger(__name__)

# The job's progress is written every this many rows (one UPDATE each).
PROGRESS_EVERY = 1000
# A queued job no worker took this long after it was asked for is sent again (the broker lost
# it); a job still running this long after it started had its worker die: it is marked failed.
RESEND_AFTER = timedelta(minutes=5)
STALE_AFTER = timedelta(hours=1)
RULES: dict[str, str] = {
    ExportKind.VISITOR_LOG: "visits.export_visitor_log",
    ExportKind.VISIT_LIST: "visits.export_visit_list",
}


@dataclass(frozen=True)
class ExportRequest:
    """What request_export decided: `job` is None when the export is small enough to be sent at
    once (from `spec`)."""

    spec: ExportSpec
    job: ExportJob | None


def request_export(*, by: User, kind: str, fmt: str, params: Params) -> ExportRequest:
    """Count the export's rows: up to EXPORT_JOB_THRESHOLD_ROWS it is sent at once; above,
    an export job is queued (its task starts after commit)."""
    if kind not in RULES or fmt not in ExportFormat.values:
        raise RuleError(f"unknown export {kind}.{fmt}")
    if not by.has_perm(RULES[kind]):
        raise RuleError(translation.gettext("You may not export this list."))
    spec = exports.spec_for(kind, by, params)
    total = spec.count()
    if total <= settings.EXPORT_JOB_THRESHOLD_ROWS:
        return ExportRequest(spec=spec, job=None)
    # A second click while the same export is still being written leads to that job.
    open_jobs = ExportJob.objects.filter(
        owner=by,
        kind=kind,
        fmt=fmt,
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING],
    )
    for job in open_jobs.only("pk", "params", "rows_total"):
        if job.params == spec.params:
            return ExportRequest(spec=spec, job=job)
    with transaction.atomic():
        job = ExportJob.objects.create(
            owner=by,
            kind=kind,
            fmt=fmt,
            params=spec.params,
            summary=spec.summary,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=total,
        )
        transaction.on_commit(lambda: enqueue_export(job.pk))
    return ExportRequest(spec=spec, job=job)


def enqueue_export(job_id: int) -> None:
    """Hand the job to Celery; with the broker down it stays queued and the sweep re-sends it."""
    from ..tasks import write_export  # local: the task module imports this one

    eager = write_export.app.conf.task_always_eager
    if not eager and broker_pause.active():
        log.warning("Broker paused after a failure; the sweep will send export job %s", job_id)
        return
    try:
        write_export.delay(job_id)
    except Exception:  # the broker is unreachable or hangs: the job stays queued
        if not eager:
            broker_pause.start()
        log.exception("Could not enqueue export job %s; the sweep will re-send it", job_id)


def _claim(job_id: int, now: datetime) -> ExportJob | None:
    """queued → running, once: a second delivery of the same task finds nothing to claim."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, started_at=now, rows_done=0
    )
    if not claimed:
        return None
    return ExportJob.objects.select_related("owner").get(pk=job_id)


class _Progress:
    """Counts the rows as they are written; the job's progress every PROGRESS_EVERY rows."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.written = 0

    def counted(self, rows: Iterable[list]) -> Iterator[list]:
        for row in rows:
            yield row
            self.written += 1
            if self.written % PROGRESS_EVERY == 0:
                ExportJob.objects.filter(pk=self.job_id).update(rows_done=self.written)


def run_export_job(*, job_id: int, now: datetime | None = None) -> ExportJob | None:
    """Write the job's file (the task's work). Whatever goes wrong is recorded on the job with
    its message, and its owner told; the task itself never fails."""
    job = _claim(job_id, now or timezone.now())
    if job is None:
        return None
    progress = _Progress(job.pk)
    try:
        with translation.override(job.language or job.owner.preferred_language):
            spec = exports.spec_for(job.kind, job.owner, job.params)
            with tempfile.TemporaryFile() as spool:
                exports.write(job.fmt, spool, spec, progress.counted(spec.rows()))
                spool.seek(0)
                job.file.save(f"{uuid.uuid4().hex}.{job.fmt}", File(spool), save=False)
    except Exception as error:  # recorded and told; the log has the traceback
        log.exception("Export job %s failed", job.pk)
        return _finish(
            job, status=ExportStatus.FAILED, done=progress.written, error=_readable(error)
        )
    return _finish(job, status=ExportStatus.DONE, done=progress.written, filename=spec.filename)


def _readable(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:1000] if text else type(error).__name__


def _finish(job: ExportJob, *, status: str, done: int, error: str = "", filename: str = ""):
    job.status = status
    job.rows_done = done
    if status == ExportStatus.DONE:
        job.rows_total = done  # rows checked in since it was asked for are in the file too
    job.error = error
    job.filename = filename
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(
            update_fields=[
                "status",
                "rows_done",
                "rows_total",
                "error",
                "filename",
                "file",
                "finished_at",
            ]
        )
        notifications.export_finished(job)
    return job


def download_name(job: ExportJob) -> str:
    return f"{job.filename or job.kind}.{job.fmt}"


def sweep_export_jobs(*, now: datetime | None = None) -> dict[str, int]:
    """Delete jobs (and their files) past EXPORT_FILES_KEEP_DAYS; re-send jobs still queued
    RESEND_AFTER after they were asked for; mark failed jobs running longer than STALE_AFTER
    (their worker died: a task is never started twice). Safe to run twice at once."""
    now = now or timezone.now()
    old = ExportJob.objects.filter(
        created_at__lt=now - timedelta(days=settings.EXPORT_FILES_KEEP_DAYS)
    )
    purged = 0
    for job in old.only("pk", "file"):
        if job.file:
            job.file.delete(save=False)
        purged += ExportJob.objects.filter(pk=job.pk).delete()[0]
    lost = list(
        ExportJob.objects.filter(
            status=ExportStatus.QUEUED, created_at__lt=now - RESEND_AFTER
        ).values_list("pk", flat=True)
    )
    for job_id in lost:
        enqueue_export(job_id)
    stale = 0
    for job in ExportJob.objects.filter(
        status=ExportStatus.RUNNING, started_at__lt=now - STALE_AFTER
    ).select_related("owner"):
        with transaction.atomic():
            taken = ExportJob.objects.filter(pk=job.pk, status=ExportStatus.RUNNING).update(
                status=ExportStatus.FAILED
            )
        if taken:
            stale += 1
            _finish(
                job,
                status=ExportStatus.FAILED,
                done=job.rows_done,
                error="The worker writing the file stopped before it was finished.",
            )
    return {"purged": purged, "resent": len(lost), "stale": stale}
