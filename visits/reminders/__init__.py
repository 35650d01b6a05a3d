"""Reminders: rules as data, rows created when they fall due, a sweep that sends each once.

The sweep also announces walk-ins nobody answered in time (visits.services.walk_ins) and
escalates stalled or overdue approval steps (approvals.services.sweep_steps).

`sweep()` is what Celery beat runs every 5 minutes (`visits.tasks.sweep_reminders`) and what
`manage.py send_due_reminders` runs by hand. It also sends notification emails that were left
unsent (e.g. the broker was down when they were created), and the WeCom / DingTalk / Feishu
messages that are due (reception.notifications.channels).
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext

from approvals.services import sweep_steps
from reception.notifications.tasks import send_due_channel_messages, send_unsent_notification_emails

from ..models import ReminderKind
from ..services.walk_ins import chase_unanswered
from .content import attachments_for
from .delivery import retry, send_due_reminders
from .planning import plan_due_reminders

__all__ = ["SweepReport", "attachments_for", "hand_over_now", "retry", "sweep"]


@dataclass
class SweepReport:
    offered: int = 0
    reminders: Counter = field(default_factory=Counter)
    notification_emails: int = 0
    channel_messages: int = 0
    walk_ins_chased: int = 0
    steps: dict = field(default_factory=dict)

    def __str__(self) -> str:
        r = self.reminders
        return gettext(
            "Reminders: %(sent)s sent, %(failed)s failed, %(skipped)s no longer applied. "
            "Notification emails caught up: %(emails)s. Unanswered walk-ins announced: "
            "%(walk_ins)s. Approval steps escalated: %(escalated)s, reminded: %(reminded)s."
        ) % {
            "walk_ins": self.walk_ins_chased,
            "escalated": self.steps.get("stalled", 0) + self.steps.get("overdue", 0),
            "reminded": self.steps.get("reminded", 0),
            "sent": r["sent"],
            "failed": r["failed"],
            "skipped": r["skipped"],
            "emails": self.notification_emails,
        }


def sweep(*, now: datetime | None = None) -> SweepReport:
    """Create the rows of what has fallen due, send what is unsent, catch up on emails."""
    now = now or timezone.now()
    report = SweepReport()
    report.walk_ins_chased = chase_unanswered(now=now)
    report.steps = sweep_steps(now=now)
    report.offered = plan_due_reminders(now=now)
    report.reminders = send_due_reminders(now=now)
    report.notification_emails = send_unsent_notification_emails(now=now)
    report.channel_messages = send_due_channel_messages(now=now)
    return report


def hand_over_now(visit, *, now: datetime | None = None) -> Counter:
    """On approval: a hand-over to the receptionist (the visitor information, due T−2 working
    days) whose moment has already passed goes out at once instead of at the next sweep."""
    now = now or timezone.now()
    plan_due_reminders(now=now, visit=visit, kinds=[ReminderKind.VISITOR_INFORMATION])
    return send_due_reminders(now=now, visit_id=visit.pk)
