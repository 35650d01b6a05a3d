import sys

from django.core.management.base import BaseCommand, CommandError

from reception.policy.calendar_import import CalendarImportError, import_calendar, parse_calendar


class Command(BaseCommand):
    help = (
        "Enter days off and working days from a list (one date or range per line, then "
        "'off' or 'work', then a note), e.g. a year's official holiday schedule. "
        "Safe to run again. FILE '-' reads standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a UTF-8 text or CSV file, or - for standard input")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete the entries of the same years that the list does not contain",
        )

    def handle(self, *args, file, replace, **options):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8-sig") as handle:
                    text = handle.read()
            entries = parse_calendar(text)
        except (OSError, CalendarImportError) as error:
            raise CommandError(str(error)) from error
        if not entries:
            raise CommandError("The list contains no dates.")
        report = import_calendar(entries=entries, replace=replace)
        for line in report.lines:
            self.stdout.write(f"  {line}")
        c = report.counts
        years = ", ".join(str(y) for y in sorted({e.day.year for e in entries}))
        summary = (
            f"Calendar {years}: {len(entries)} dates, {c['created']} created, "
            f"{c['updated']} updated, {c['deleted']} deleted"
        )
        if not report.changed:
            summary += " (everything was already up to date)"
        self.stdout.write(self.style.SUCCESS(summary))
