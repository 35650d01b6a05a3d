import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext

from reception.models import Department, User
from reception.notifications.channels.cards import make_card
from reception.notifications.channels.delivery import PLATFORMS
from reception.notifications.channels.http import TransportError
from reception.notifications.channels.models import ChannelAccount, GroupRobot, Platform


class Command(BaseCommand):
    help = (
        "Send one test card through WeCom, DingTalk or Feishu to a user (their id on the "
        "platform, through the company app) or a department (its group robot), or a robot by "
        "name, and print the platform's answer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, choices=Platform.values)
        parser.add_argument(
            "--to", required=True, help="a username, a department code or a robot's name"
        )

    def handle(self, *args, channel, to, **options):
        adapter = PLATFORMS[channel]
        user = User.objects.filter(username=to).first()
        if user is not None:
            account = ChannelAccount.objects.filter(user=user, platform=channel).first()
            if account is None:
                raise CommandError(f"{to} has no {channel} user id (admin: messaging accounts).")
            if not adapter.app_configured():
                raise CommandError(f"The {channel} company app is not configured (environment).")
            card = self._card(user.preferred_language)
            send = lambda: adapter.send_direct(adapter.direct_payload(card, account.external_id))  # noqa: E731
        else:
            robot = self._robot(channel, to)
            card = self._card(robot.message_language)
            send = lambda: adapter.send_robot(  # noqa: E731
                robot.webhook_url, robot.secret, adapter.robot_payload(card)
            )
        try:
            answer = send()
        except TransportError as error:
            raise CommandError(f"{channel} could not be reached: {error}") from None
        self.stdout.write(json.dumps(answer.raw, ensure_ascii=False))
        if not answer.ok:
            raise CommandError(f"{channel} refused the message: {answer.code} {answer.message}")
        self.stdout.write(self.style.SUCCESS("sent"))

    def _robot(self, channel: str, to: str) -> GroupRobot:
        robots = GroupRobot.objects.filter(platform=channel, active=True)
        department = Department.objects.filter(code=to).first()
        robot = (
            robots.filter(department=department).first()
            if department
            else robots.filter(name=to).first()
        )
        if robot is None:
            raise CommandError(f"No user, department or {channel} group robot called {to}.")
        return robot

    def _card(self, language: str):
        with translation.override(language):
            return make_card(
                title=gettext("Jiedai test message"),
                text=gettext("If you can read this, messages from Jiedai reach you here."),
                url="/",
                language=language,
            )
