"""Channels as data: group robots, people's ids on each platform, routing rules, the outbox."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...accounts.roles import Role
from .fields import EncryptedTextField
from .validators import validate_webhook_url


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")


class GroupRobot(models.Model):
    """A group chat's custom robot (webhook), for a department's or a role's group."""

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    # Both encrypted at rest (fields.py): the address holds the robot's key.
    webhook_url = EncryptedTextField(
        _("webhook address"),
        help_text=_("The robot's https address from the group settings; never shown again."),
    )
    secret = EncryptedTextField(
        _("signing secret"),
        blank=True,
        help_text=_("DingTalk and Feishu robots with signing on; never shown again."),
    )
    department = models.ForeignKey(
        "reception.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="robots",
    )
    role = models.CharField(_("role"), max_length=50, choices=Role.choices, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("The language of the group's messages; empty: the default."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["platform", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.webhook_url:
            validate_webhook_url(self.webhook_url, self.platform)

    @property
    def message_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE


class ChannelAccount(models.Model):
    """A person's user id on a platform, for direct messages through the company's app."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="channel_accounts",
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    external_id = models.CharField(_("user id on the platform"), max_length=100)

    class Meta:
        verbose_name = _("messaging account")
        verbose_name_plural = _("messaging accounts")
        constraints = [
            models.UniqueConstraint(fields=["user", "platform"], name="one_account_per_platform")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_platform_display()}"


class RouteTarget(models.TextChoices):
    RECIPIENT = "recipient", _("The recipient directly")
    DEPARTMENT_ROBOTS = "department_robots", _("The group robots of the recipient's departments")
    ROLE_ROBOTS = "role_robots", _("The group robots of the recipient's roles")
    ROBOT = "robot", _("One group robot")


class ChannelRoute(models.Model):
    """Which notification kinds go where, e.g. approval_waiting → the approver directly."""

    kind = models.CharField(
        _("notification kind"),
        max_length=40,
        help_text=_("e.g. approval_waiting, tasks, task_assigned, guests_arrived, walk_in"),
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    target = models.CharField(_("send to"), max_length=20, choices=RouteTarget.choices)
    robot = models.ForeignKey(
        GroupRobot,
        verbose_name=_("group robot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routes",
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("message route")
        verbose_name_plural = _("message routes")
        ordering = ["kind", "platform"]

    def __str__(self) -> str:
        return f"{self.kind} → {self.get_target_display()} ({self.get_platform_display()})"

    def clean(self) -> None:
        if self.target == RouteTarget.ROBOT and self.robot_id is None:
            raise ValidationError({"robot": _("Choose the group robot.")})
        if self.robot is not None and self.robot.platform != self.platform:
            raise ValidationError({"robot": _("This robot belongs to another platform.")})


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed (gave up)")


class ChannelMessage(models.Model):
    """The outbox: one row per message and channel, sent exactly once."""

    notification = models.ForeignKey(
        "reception.Notification",
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="channel_messages",
    )
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    robot = models.ForeignKey(
        GroupRobot,
        verbose_name=_("group robot"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    target = models.CharField(_("to"), max_length=150)
    # A robot posts once per event: the event's key (GroupPost.key), unique per robot.
    event_key = models.CharField(_("event"), max_length=100, blank=True)
    payload = models.JSONField(_("message"))
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # Claimed by a sender until then (longer than a call's deadline): nobody else sends it
    # meanwhile; a sender that died is replaced once the claim runs out.
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Sent claims whose outcome was never written (the sender died): the next sender may repeat
    # a message the platform already took, and uses the platform's de-duplication.
    claims = models.PositiveSmallIntegerField(_("claims"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error_code = models.CharField(_("platform error code"), max_length=30, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("channel message")
        verbose_name_plural = _("channel messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["robot", "event_key"],
                condition=~models.Q(event_key=""),
                name="one_post_per_robot_and_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} → {self.target}"


class CardActionEvent(models.Model):
    """A button pressed on a card (actions.py): once per platform event, so a replayed
    callback does nothing again."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    event_id = models.CharField(_("event id"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    target = models.PositiveIntegerField(_("object"), default=0)
    choice = models.CharField(_("choice"), max_length=40, blank=True)
    done = models.BooleanField(_("done"), default=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("card action")
        verbose_name_plural = _("card actions")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "event_id"], name="one_card_action_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.action} {self.target} {self.choice}"
