"""`manage.py api_schema`: write the API's OpenAPI schema to docs/api/openapi-v1.json
(`--check`: only say whether the file is up to date)."""

from django.core.management.base import BaseCommand, CommandError

from visits.api.schema import SCHEMA_FILE, schema_text


class Command(BaseCommand):
    help = "Write the API's OpenAPI schema to docs/api/openapi-v1.json."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true")

    def handle(self, *args, check, **options):
        text = schema_text()
        if check:
            if not SCHEMA_FILE.exists() or SCHEMA_FILE.read_text() != text:
                raise CommandError(f"{SCHEMA_FILE} is out of date: run manage.py api_schema")
            self.stdout.write("up to date")
            return
        SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_FILE.write_text(text)
        self.stdout.write(f"wrote {SCHEMA_FILE}")
