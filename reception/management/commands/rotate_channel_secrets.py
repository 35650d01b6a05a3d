"""Encrypt the robots' webhook addresses and secrets again with the first CHANNEL_SECRET_KEYS
key (docs/im-sign-in.md: rotating the key)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from reception.notifications.channels.fields import rotate
from reception.notifications.channels.models import GroupRobot


class Command(BaseCommand):
    help = "Re-encrypt group robots' webhook addresses and secrets with the newest key."

    def handle(self, *args, **options):
        rows = GroupRobot.objects.values_list("pk", "webhook_url", "secret")
        count = 0
        with transaction.atomic():
            for pk, webhook_url, secret in rows.select_for_update():
                count += 1
                # values_list reads the decrypted text; stored again, encrypted with key one.
                GroupRobot.objects.filter(pk=pk).update(
                    webhook_url=rotate(webhook_url), secret=rotate(secret)
                )
        self.stdout.write(f"{count} robots re-encrypted.")
