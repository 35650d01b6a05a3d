from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from approvals.loading import load_chains
from reception.policy.loading import LoadReport
from reception.policy.services import load_grades, load_role_ranks, load_sites
from reception.rulebooks import SCHEMES
from visits.loading import load_guest_side, load_reminder_rules, load_task_templates
from visits.services.arrivals import load_arrival_kinds


class Command(BaseCommand):
    help = (
        "Load a rulebook's reception policy (grades, standards, role ranks, the first site, "
        "approval chains "
        "and their escalation, preparation tasks, reminders): create what is missing and keep "
        "what the company edited. Safe to run again. --reset shows how to bring existing rows "
        "back to the rulebook; --reset --yes does it."
    )

    def add_arguments(self, parser):
        parser.add_argument("scheme", nargs="?", default="four-tier", choices=sorted(SCHEMES))
        parser.add_argument(
            "--use",
            action="store_true",
            help="Make this scheme the one in use even when the company uses another.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Bring existing rows back to the rulebook (undoes edits made in the admin). "
            "Prints what it would change; changes nothing without --yes.",
        )
        parser.add_argument("--yes", action="store_true", help="Confirm --reset.")

    def handle(self, *args, scheme, use, reset, yes, **options):
        if yes and not reset:
            raise CommandError("--yes confirms --reset; give both or neither.")
        dry_run = reset and not yes
        report = LoadReport(reset=reset)
        with transaction.atomic():
            load_grades(scheme_code=scheme, report=report, use=use)
            load_role_ranks(report=report)
            load_sites(report=report)
            load_chains(scheme_code=scheme, report=report)
            load_task_templates(scheme_code=scheme, report=report)
            load_reminder_rules(report=report)
            load_arrival_kinds()  # the gate's kinds of arrival (docs/gate.md)
            load_guest_side(report=report)
            if dry_run:
                transaction.set_rollback(True)
        if dry_run:
            self.stdout.write("What --reset --yes would change (nothing is changed now):")
        for line in report.lines:
            self.stdout.write(f"  {line}")
        c = report.counts
        if dry_run:
            self.stdout.write(
                self.style.WARNING(
                    f"Reset of '{scheme}' NOT done: it would make {c['created']} created, "
                    f"{c['updated']} updated. Nothing was changed; run again with "
                    "--reset --yes to do it."
                )
            )
            return
        summary = f"Policy '{scheme}' loaded: {c['created']} created, {c['updated']} updated"
        if report.kept:
            summary += (
                f"; {report.kept} edited row(s) kept as they are "
                "(--reset shows the rulebook's values)"
            )
        elif not report.changed:
            summary += " (everything was already up to date)"
        self.stdout.write(self.style.SUCCESS(summary))
