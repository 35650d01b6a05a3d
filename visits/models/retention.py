"""What the retention sweep anonymised, one row per run (PIPL: personal data kept only as long
as the policy says)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnonymisationRun(models.Model):
    """One real run of the retention sweep (also when nothing was due); never edited."""

    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    retention_days = models.PositiveSmallIntegerField(_("retention (days)"))
    visits = models.PositiveIntegerField(_("visits"), default=0)
    visitors = models.PositiveIntegerField(_("visitors"), default=0)
    walk_ins = models.PositiveIntegerField(_("walk-ins"), default=0)

    class Meta:
        verbose_name = _("personal data anonymisation")
        verbose_name_plural = _("personal data anonymisations")
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.ran_at:%Y-%m-%d %H:%M} · {self.visits} / {self.visitors} / {self.walk_ins}"
