import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.organisation import DEMO_PASSWORD
from demo.seed_company import USERNAME_PREFIX, CompanySeeder, Sizes
from reception.models import ReceptionGrade, User

SMALL = 2_000
DEFAULT = 100_000


class Command(BaseCommand):
    help = (
        "Fill the configured database with five years of a large company's reception history "
        "(bulk inserts), for measuring pages. Load a policy first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--visits", type=int, default=DEFAULT, help=f"visit requests (default {DEFAULT:,})"
        )
        parser.add_argument(
            "--small", action="store_true", help=f"the small set: {SMALL:,} visit requests"
        )
        parser.add_argument("--seed", type=int, default=13, help="random seed (default 13)")

    def handle(self, *args, **options):
        if not ReceptionGrade.objects.current().exists():
            raise CommandError("Load a policy first: manage.py load_policy four-tier")
        if User.objects.filter(username__startswith=USERNAME_PREFIX).exists():
            raise CommandError(
                "This database already holds a seeded company; seed a fresh database instead."
            )
        visits = SMALL if options["small"] else options["visits"]
        if visits < 20:
            raise CommandError("Seed at least 20 visit requests.")
        sizes = Sizes.for_visits(visits)
        # Seeded staff log in with the demo password only on a development database.
        password = DEMO_PASSWORD if settings.DEBUG else None
        started = time.monotonic()
        report = CompanySeeder(sizes, seed=options["seed"], password=password).run()
        for name, count in report.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {sizes.visits:,} visit requests in {time.monotonic() - started:.1f} s."
            )
        )
