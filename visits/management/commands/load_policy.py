from django.core.management.base import BaseCommand
from django.db import transaction

from approvals.loading import load_chains
from reception.loading import LoadReport
from reception.seeds import SCHEMES
from reception.services import load_grades
from visits.loading import load_reminder_rules, load_task_templates


class Command(BaseCommand):
    help = (
        "Load a rulebook's reception policy (grades, standards, approval chains, preparation "
        "tasks, reminders) and make its grading scheme the one in use. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("scheme", nargs="?", default="four-tier", choices=sorted(SCHEMES))

    def handle(self, *args, scheme, **options):
        report = LoadReport()
        with transaction.atomic():
            load_grades(scheme_code=scheme, report=report)
            load_chains(scheme_code=scheme, report=report)
            load_task_templates(scheme_code=scheme, report=report)
            load_reminder_rules(report=report)
        for line in report.lines:
            self.stdout.write(f"  {line}")
        c = report.counts
        summary = f"Policy '{scheme}' loaded: {c['created']} created, {c['updated']} updated"
        if not report.changed:
            summary += " (everything was already up to date)"
        self.stdout.write(self.style.SUCCESS(summary))
