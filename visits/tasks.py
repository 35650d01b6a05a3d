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
