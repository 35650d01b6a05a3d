"""The work summary after a visit (seed 000: 工作小结 by the visited department and HR).

It has two parts, one per side: the visited department's and HR's. The visit closes when both
are in, or when HR closes it with the department's part waived (a reason is kept)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .requests import VisitRequest


class SummarySide(models.TextChoices):
    DEPARTMENT = "department", _("Visited department")
    HR = "hr", _("Human resources")


class VisitSummary(models.Model):
    """One side's part of the work summary."""

    visit = models.ForeignKey(
        VisitRequest,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="summary_parts",
    )
    side = models.CharField(_("side"), max_length=20, choices=SummarySide.choices)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)
    outcome = models.TextField(_("outcome of the visit"), max_length=4000, blank=True)
    lessons = models.TextField(_("what went well"), max_length=4000, blank=True)
    improvements = models.TextField(_("what to improve"), max_length=4000, blank=True)
    waived_reason = models.TextField(
        _("reason the part was waived"),
        max_length=1000,
        blank=True,
        help_text=_("Set when HR closed the visit without the department's part."),
    )

    class Meta:
        verbose_name = _("work summary part")
        verbose_name_plural = _("work summary parts")
        ordering = ["visit", "side"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "side"], name="one_summary_part_per_side")
        ]

    def __str__(self) -> str:
        return f"{self.visit} · {self.get_side_display()}"

    @property
    def is_waived(self) -> bool:
        return bool(self.waived_reason)


class FollowUpAction(models.Model):
    """Something the summary says must happen next, owned by one person with a due date."""

    summary = models.ForeignKey(
        VisitSummary,
        verbose_name=_("summary part"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    visit = models.ForeignKey(
        VisitRequest,
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    description = models.CharField(_("follow-up action"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_at"])]

    def __str__(self) -> str:
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
