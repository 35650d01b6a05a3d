from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils import timezone

from visits.models import Reminder
from visits.reminders import sweep

CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
QUIET_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


class Command(BaseCommand):
    help = (
        "Send the reminders that are due and unsent, and notification emails left unsent: "
        "what Celery beat runs every 5 minutes. Safe to run at any time, and twice at once. "
        "Prints one line per reminder; with the console email backend (make run) the emails "
        "themselves are not printed unless --show-emails is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--show-emails",
            action="store_true",
            help="With the console email backend, print the emails too.",
        )

    def handle(self, *args, **options):
        now = timezone.now()
        quiet = settings.EMAIL_BACKEND == CONSOLE_EMAIL and not options["show_emails"]
        earlier = getattr(mail, "outbox", None)
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL if quiet else settings.EMAIL_BACKEND):
            report = sweep(now=now)
        if quiet and earlier is None:
            del mail.outbox  # the swept emails, not printed
        for line in sent_lines(now):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(str(report)))


def sent_lines(now) -> list[str]:
    """One line per reminder this sweep attempted (each attempt stamps last_attempt_at)."""
    reminders = (
        Reminder.objects.filter(last_attempt_at=now)
        .select_related("rule", "recipient", "visit__client")
        .order_by("due_at", "pk")
    )
    return [
        f"{r.get_status_display()}: {r.rule} → {r.recipient.get_username()}"
        + (
            f" ({r.visit.client.name}, {timezone.localtime(r.visit.arrival_at):%Y-%m-%d})"
            if r.visit and r.visit.client
            else ""
        )
        for r in reminders
    ]
