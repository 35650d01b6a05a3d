from django.core.management.base import BaseCommand

from visits.services.retention import anonymise_personal_data


class Command(BaseCommand):
    help = (
        "Anonymise visitors' and walk-ins' names, phone numbers and ID numbers on visits that "
        "ended longer ago than the reception policy's retention period: what Celery beat runs "
        "daily. Safe to run again: what is anonymised stays as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be anonymised."
        )

    def handle(self, *args, dry_run=False, **options):
        result = anonymise_personal_data(dry_run=dry_run)
        verb = "would anonymise" if dry_run else "anonymised"
        self.stdout.write(
            self.style.SUCCESS(
                f"Retention {result.retention_days} days: {verb} {result.visits} visits "
                f"({result.visitors} visitors) and {result.walk_ins} walk-ins."
            )
        )
