from celery import shared_task


@shared_task(name="visits.sweep_reminders", ignore_result=True)
def sweep_reminders() -> str:
    """Run by Celery beat every 5 minutes. Safe to run twice at once: rows are locked.

    Records its start as the beat heartbeat that /health/ reads (config/health.py)."""
    from reception.models import Job  # local: as above
    from reception.notifications.heartbeats import (
        record,  # local: a Celery task module stays light to import
    )

    from .reminders import sweep  # local: as above

    record(Job.REMINDER_SWEEP)
    return str(sweep())


@shared_task(name="visits.anonymise_personal_data", ignore_result=True)
def anonymise_personal_data() -> str:
    """Run by Celery beat once a day: personal data past the retention period is anonymised."""
    from .services.retention import (  # local: a Celery task module stays light to import
        anonymise_personal_data as anonymise,
    )

    return str(anonymise())


@shared_task(name="visits.write_export", ignore_result=True)
def write_export(job_id: int) -> str:
    """Write an export job's file (visits/services/exports.py); a second delivery does nothing."""
    from .services.exports import run_export_job  # local: a Celery task module stays light

    job = run_export_job(job_id=job_id)
    return job.status if job is not None else "not queued"


@shared_task(name="visits.sweep_export_jobs", ignore_result=True)
def sweep_export_jobs() -> str:
    """Run by Celery beat every 10 minutes: old export files deleted, lost jobs re-sent."""
    from .services.exports import sweep_export_jobs as sweep  # local: as above

    return str(sweep())
