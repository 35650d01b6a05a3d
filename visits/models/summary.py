"""The work summary after a visit (seed 000: 工作小结 by the visited department and HR)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .requests import VisitRequest


class VisitSummary(models.Model):
    visit = models.OneToOneField(
        VisitRequest, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="summary"
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)
    outcome = models.TextField(_("outcome of the visit"), max_length=4000)
    lessons = models.TextField(_("lessons learned"), max_length=4000, blank=True)
    improvements = models.TextField(_("improvements for next time"), max_length=4000, blank=True)
    expenses = models.DecimalField(
        _("reception expenses (CNY)"), max_digits=10, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("work summary")
        verbose_name_plural = _("work summaries")
        ordering = ["-written_at"]

    def __str__(self) -> str:
        return str(self.visit)
