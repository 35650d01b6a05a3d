from django.core.management.base import BaseCommand

from visits.reminders import sweep


class Command(BaseCommand):
    help = (
        "Send the reminders that are due and unsent, and notification emails left unsent: "
        "what Celery beat runs every 5 minutes. Safe to run at any time, and twice at once."
    )

    def handle(self, *args, **options):
        report = sweep()
        self.stdout.write(self.style.SUCCESS(str(report)))
