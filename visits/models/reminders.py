"""Reminder rules (policy, edited in the admin) and the reminders they produce, one row per
(rule, subject, recipient) so each is sent exactly once."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from reception.models import Bilingual, Notification

from .preparation import PrepTask
from .requests import VisitRequest, VisitStatus
from .summary import FollowUpAction


class ReminderKind(models.TextChoices):
    NOT_APPROVED = "not_approved", _("Visit still not approved: warning")
    VISITOR_INFORMATION = "visitor_information", _("Approved visitor information for reception")
    OPEN_TASKS = "open_tasks", _("Each department's open preparation tasks")
    ARRIVALS_TODAY = "arrivals_today", _("Today's arrivals (daily list)")
    TASK_OVERDUE = "task_overdue", _("Preparation task past due")
    WORK_SUMMARY = "work_summary", _("Work summary after the visit")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up action due")


class Anchor(models.TextChoices):
    ARRIVAL = "arrival", _("the arrival day")
    DEPARTURE = "departure", _("the departure day")
    TASK_DUE = "task_due", _("the task's due date")
    EVERY_WORKING_DAY = "every_working_day", _("every working day")
    FOLLOW_UP_DUE = "follow_up_due", _("the follow-up action's due date")


class Party(models.TextChoices):
    """Recipients defined by their part in the visit, rather than by a company role."""

    APPLICANT = "applicant", _("The applicant (sales lead or project engineer)")
    PENDING_APPROVERS = "pending_approvers", _("Whoever must decide the pending approval step")
    RECEPTIONIST = (
        "receptionist",
        _("The visit's customer receptionist (every receptionist until one is assigned)"),
    )
    MAIN_HOST = "main_host", _("The main host")
    TASK_DEPARTMENTS = (
        "task_departments",
        _("Members and heads of each department with open tasks for the visit"),
    )
    TASK_DEPARTMENT_HEAD = "task_department_head", _("The head of the task's department")
    FOLLOW_UP_OWNER = "follow_up_owner", _("The owner of the follow-up action")
    VISITED_DEPARTMENT = (
        "visited_department",
        _(
            "The visited department: the head of the applicant's department (marketing for sales "
            "staff, technology for project engineers) and the applicant"
        ),
    )


# What each kind of reminder is about, which anchors it accepts, and the visit statuses in
# which it still applies when it is due.
VISIT_KINDS = {
    ReminderKind.NOT_APPROVED,
    ReminderKind.VISITOR_INFORMATION,
    ReminderKind.OPEN_TASKS,
    ReminderKind.WORK_SUMMARY,
}
KIND_ANCHORS = {
    ReminderKind.NOT_APPROVED: {Anchor.ARRIVAL, Anchor.DEPARTURE},
    ReminderKind.VISITOR_INFORMATION: {Anchor.ARRIVAL, Anchor.DEPARTURE},
    ReminderKind.OPEN_TASKS: {Anchor.ARRIVAL, Anchor.DEPARTURE},
    ReminderKind.WORK_SUMMARY: {Anchor.ARRIVAL, Anchor.DEPARTURE},
    ReminderKind.TASK_OVERDUE: {Anchor.TASK_DUE},
    ReminderKind.ARRIVALS_TODAY: {Anchor.EVERY_WORKING_DAY},
    ReminderKind.FOLLOW_UP_DUE: {Anchor.FOLLOW_UP_DUE},
}
LIVE = [VisitStatus.APPROVED, VisitStatus.IN_PROGRESS]
KIND_STATUSES: dict[str, list[VisitStatus]] = {
    ReminderKind.NOT_APPROVED: [
        VisitStatus.SUBMITTED,
        VisitStatus.IN_APPROVAL,
        VisitStatus.RETURNED,
    ],
    ReminderKind.VISITOR_INFORMATION: LIVE,
    ReminderKind.OPEN_TASKS: LIVE,
    ReminderKind.TASK_OVERDUE: LIVE,
    ReminderKind.ARRIVALS_TODAY: LIVE,
    ReminderKind.WORK_SUMMARY: [*LIVE, VisitStatus.COMPLETED, VisitStatus.CLOSED],
    ReminderKind.FOLLOW_UP_DUE: [VisitStatus.COMPLETED, VisitStatus.CLOSED],
}


class ReminderRule(Bilingual, models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=ReminderKind.choices,
        help_text=_(
            "What is sent and when it still applies: warnings only while the visit waits for "
            "approval, visitor information and task lists only once it is approved, overdue "
            "reminders only while the task is open, work summaries only for visits that took "
            "place."
        ),
    )
    anchor = models.CharField(
        _("counted from"),
        max_length=30,
        choices=Anchor.choices,
        help_text=_(
            "Visit reminders count from the arrival or departure day, overdue reminders from "
            "the task's due date; the daily list goes out every working day."
        ),
    )
    offset_working_days = models.SmallIntegerField(
        _("offset (working days)"),
        default=0,
        help_text=_(
            "Negative: before (−2 is two working days before), positive: after, 0: on the day. "
            "Working days follow the company calendar (holidays and make-up working days)."
        ),
    )
    send_time = models.TimeField(
        _("time of day"),
        default="08:30",
        help_text=_("Local time on the due day from which it goes out (checked every 5 minutes)."),
    )
    recipient_roles = models.ManyToManyField(
        Group,
        verbose_name=_("recipients by role"),
        blank=True,
        related_name="+",
        help_text=_("Everyone holding one of these roles, e.g. front desk or HR."),
    )
    parties = models.JSONField(
        _("recipients by their part in the visit"),
        default=list,
        blank=True,
        help_text=_(
            "E.g. the applicant, the pending approver, the receptionist, the visited "
            "department (the head of the applicant's department, and the applicant)."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Switch a rule off rather than deleting it: sent reminders keep their rule."),
    )

    history = HistoricalRecords(m2m_fields=[recipient_roles])

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label

    def clean(self):
        allowed = KIND_ANCHORS.get(self.kind, set())
        if self.kind and self.anchor and self.anchor not in allowed:
            raise ValidationError(
                {
                    "anchor": _("“%(kind)s” counts from %(anchors)s.")
                    % {
                        "kind": ReminderKind(self.kind).label,
                        "anchors": ", ".join(str(Anchor(a).label) for a in sorted(allowed)),
                    }
                }
            )
        unknown = set(self.parties or []) - set(Party.values)
        if unknown:
            raise ValidationError({"parties": _("Unknown recipients: %s") % ", ".join(unknown)})

    @property
    def about_visits(self) -> bool:
        return self.kind in VISIT_KINDS


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Due, not sent yet")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("No longer applies")


class Reminder(models.Model):
    """One reminder to one person. Rows are created by the sweep when they fall due and the
    unique constraints make a second sweep's rows collide instead of doubling them."""

    rule = models.ForeignKey(
        ReminderRule,
        verbose_name=_("rule"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    visit = models.ForeignKey(
        VisitRequest,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    task = models.ForeignKey(
        PrepTask,
        verbose_name=_("preparation task"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    follow_up = models.ForeignKey(
        FollowUpAction,
        verbose_name=_("follow-up action"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    day = models.DateField(
        _("day"), null=True, blank=True, help_text=_("For daily lists: the day they cover.")
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    notification = models.ForeignKey(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "visit", "recipient"],
                condition=models.Q(visit__isnull=False, task__isnull=True, follow_up__isnull=True),
                name="one_reminder_per_rule_visit_recipient",
            ),
            models.UniqueConstraint(
                fields=["rule", "follow_up", "recipient"],
                condition=models.Q(follow_up__isnull=False),
                name="one_reminder_per_rule_follow_up_recipient",
            ),
            models.UniqueConstraint(
                fields=["rule", "task", "recipient"],
                condition=models.Q(task__isnull=False),
                name="one_reminder_per_rule_task_recipient",
            ),
            models.UniqueConstraint(
                fields=["rule", "day", "recipient"],
                condition=models.Q(visit__isnull=True),
                name="one_reminder_per_rule_day_recipient",
            ),
            models.CheckConstraint(
                condition=models.Q(visit__isnull=False) | models.Q(day__isnull=False),
                name="reminder_is_about_a_visit_or_a_day",
            ),
        ]
        indexes = [
            # The sweep's claim: the earliest due rows of a status, in order, a batch at a time.
            models.Index(fields=["status", "due_at", "id"], name="reminders_due_to_claim"),
        ]

    def __str__(self) -> str:
        subject = self.visit.reference if self.visit is not None else self.day
        return f"{self.rule} · {subject} · {self.recipient}"
