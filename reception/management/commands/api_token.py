"""`manage.py api_token USERNAME --name NAME [--scope …]`: create a token, printed once, last."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reception.api_tokens import scopes, services
from reception.errors import RuleError
from reception.models import User


class Command(BaseCommand):
    help = "Create an API token acting as USERNAME; the token is printed once, on the last line."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="the integration's name")
        parser.add_argument(
            "--scope",
            action="append",
            default=[],
            help="a scope (repeat for several); known: "
            + ", ".join(s.code for s in scopes.all_scopes()),
        )
        parser.add_argument("--days", type=int, default=365, help="valid for (0: no expiry)")
        parser.add_argument("--per-minute", type=int, default=120)

    def handle(self, *args, username, name, scope, days, per_minute, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            token, raw = services.create_token(
                user=user, name=name, scopes=scope, expires_at=expires, per_minute=per_minute
            )
        except RuleError as error:
            raise CommandError(str(error.message)) from None
        until = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
        scoped = ", ".join(token.scopes) or "no scopes"
        self.stdout.write(f"Token {token.name!r} for {user.username} ({scoped}), {until}.")
        self.stdout.write(raw)
