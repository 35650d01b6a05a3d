import logging

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.urls import reverse

from demo.organisation import DEMO_PASSWORD, USERS, load_demo_organisation
from demo.report_history import load_closed_visits_for_reports
from demo.sites import load_demo_sites, site_logins
from demo.visits import (
    load_closed_visits_with_spending,
    load_demo_desk,
    load_demo_gate,
    load_demo_guest_side,
    load_demo_visits,
)
from reception.models import ReceptionGrade
from reception.policy.loading import LoadReport

# Loading the demo files and approves requests through the services, which email people;
# the emails are kept in memory and counted instead of flooding the terminal.
QUIET_EMAIL = "django.core.mail.backends.locmem.EmailBackend"
# Eager Celery logs one INFO line per task it runs.
CHATTY_LOGGERS = ("celery.app.trace",)
# With DEBUG off the command refuses to run unless given this.
OVERRIDE = "--i-know-this-creates-demo-logins"


class Command(BaseCommand):
    help = (
        "Create demo departments, one user per role and sample visits. Every demo login has "
        f"the published password {DEMO_PASSWORD!r}, so with DEBUG off it refuses to run "
        f"unless given {OVERRIDE}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--verbose-load", action="store_true", help="List every object created or updated."
        )
        parser.add_argument(
            OVERRIDE,
            action="store_true",
            help="Load the demo even with DEBUG off (its logins all have the published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["i_know_this_creates_demo_logins"]:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: it creates a login for every role, "
                f"all with the published password {DEMO_PASSWORD!r}. Run it on a local "
                f"development database (DEBUG=1), or add {OVERRIDE} if you really want these "
                "logins on this database."
            )
        if not ReceptionGrade.objects.current().exists():
            raise CommandError("Load a policy first: manage.py load_policy four-tier")
        report = LoadReport()
        loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
        levels = [logger.level for logger in loggers]
        for logger in loggers:
            logger.setLevel(logging.WARNING)
        try:
            earlier = getattr(mail, "outbox", None)  # a test's outbox stays as it was
            mail.outbox = []
            with override_settings(EMAIL_BACKEND=QUIET_EMAIL):
                load_demo_organisation(report)
                load_demo_sites(report)  # before the visits: they are for a site
                load_demo_visits(report)
                load_closed_visits_for_reports(report)  # six months of them
                display = load_demo_desk(report)
                load_closed_visits_with_spending(report)  # with summaries and expense lines
                invitation, kiosk = load_demo_guest_side(report)
                load_demo_gate(report)  # a delivery and a job candidate at the gate today
            emails = len(mail.outbox)
        finally:
            if earlier is None:
                del mail.outbox
            else:
                mail.outbox = earlier
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)
        if options["verbose_load"]:
            for line in report.lines:
                self.stdout.write(f"  {line}")
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded: {report.counts['created']} created; "
                    f"{emails} emails sent while loading (kept in memory, not printed)."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Demo data already present; nothing changed."))
        site = settings.SITE_URL.rstrip("/")
        logins = ", ".join(u[0] for u in USERS)
        self.stdout.write(f"Logins (password {DEMO_PASSWORD}): {logins}")
        by_site: dict[str, list[str]] = {}
        for site_name, role, username in site_logins():
            by_site.setdefault(site_name, []).append(f"{username} ({role})")
        for site_name, people in by_site.items():
            self.stdout.write(f"  {site_name}: {', '.join(people)}")
        self.stdout.write(f"Open:                 {site}{reverse('login')}")
        self.stdout.write(f"Arrivals board:       {site}{reverse('visits:board')}")
        screen = reverse("visits:welcome", args=[display.token])
        self.stdout.write(f"Lobby welcome screen: {site}{screen}")
        if invitation is not None:
            link = reverse("visits:guest_invitation", args=[invitation.token])
            self.stdout.write(f"Guest invitation:     {site}{link}")
        self.stdout.write(
            f"Lobby kiosk:          {site}{reverse('visits:kiosk', args=[kiosk.token])}"
        )
        self.stdout.write(f"Admin (as admin):     {site}{reverse('admin:index')}")
        self.stdout.write(f"API docs (logged in): {site}{reverse('api-v1:openapi-view')}")
        self.stdout.write(
            "API token (docs/api.md): python manage.py api_token receptionist --name demo "
            "--scope read_visits --scope desk --scope walk_ins   (prints it once, last line)"
        )
