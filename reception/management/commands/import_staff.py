from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reception.accounts import staff_import


class Command(BaseCommand):
    help = (
        "Check a staff list (.xlsx or .csv: name, login, email, phone, department, title, "
        "roles, WeCom/DingTalk/Feishu ids) and show what would change; with --commit, save it. "
        "The login is the key: running it again updates, never duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx or .csv file")
        parser.add_argument("--commit", action="store_true", help="save (default: only check)")

    def handle(self, *args, file, commit, **options):
        path = Path(file)
        try:
            with path.open("rb") as stream:
                rows = staff_import.read_rows(path.name, stream)
        except (OSError, staff_import.StaffFileError) as error:
            raise CommandError(str(error)) from error
        rows = staff_import.preview(rows)
        for row in rows:
            label = f"row {row.line}: {row.values['login'] or '?'} ({row.values['name'] or '?'})"
            if row.errors:
                self.stdout.write(self.style.ERROR(f"{label}: " + " ".join(row.errors)))
            else:
                self.stdout.write(" ".join([f"{label}: {row.action}", *row.changes]))
        bad = sum(1 for row in rows if row.errors)
        if bad:
            raise CommandError(f"{bad} of {len(rows)} rows have errors; nothing was saved.")
        if not commit:
            self.stdout.write(f"{len(rows)} rows are fine. Nothing saved: add --commit to save.")
            return
        report = staff_import.import_staff(rows=rows)
        for line in report.lines:
            self.stdout.write(f"  {line}")
        c = report.counts
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(rows)} people: {c['created']} created, {c['updated']} updated, "
                f"{c['departments']} new departments"
            )
        )
