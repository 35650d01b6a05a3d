from django.conf import settings
from django.conf import settings as django_settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from reception.demo import DEMO_PASSWORD, USERS, load_demo_organisation
from reception.loading import LoadReport
from reception.models import ReceptionGrade
from visits.demo import load_demo_desk, load_demo_history, load_demo_visits
from visits.demo_history import load_demo_history as load_report_history


class Command(BaseCommand):
    help = "Create demo departments, one user per role and sample clients (DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: demo users have a published "
                "password. Run it only on a local development database (DEBUG=1)."
            )
        if not ReceptionGrade.objects.current().exists():
            raise CommandError("Load a policy first: manage.py load_policy four-tier")
        report = LoadReport()
        load_demo_organisation(report)
        load_demo_visits(report)
        load_report_history(report)  # closed visits of six months, for the reports
        display = load_demo_desk(report)
        load_demo_history(report)  # closed visits with summaries and expense lines
        for line in report.lines:
            self.stdout.write(f"  {line}")
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(f"Demo data loaded: {report.counts['created']} created.")
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already present; nothing changed."))
        logins = ", ".join(u[0] for u in USERS)
        self.stdout.write(f"Demo logins ({DEMO_PASSWORD}): {logins}")
        screen = reverse("visits:welcome", args=[display.token])
        self.stdout.write(f"Lobby welcome screen: {django_settings.SITE_URL.rstrip('/')}{screen}")
