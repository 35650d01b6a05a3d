"""Exports too large to write during a request (visits/services/exports.py): one row per export
a user asked for, written by a Celery task, offered on the user's "My exports" page.

The file lives in the private "exports" storage (settings.STORAGES: a folder of MEDIA_ROOT the
web server never serves); only the download view hands it out, and only to its owner."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def exports_storage():
    return storages["exports"]


class ExportKind(models.TextChoices):
    VISITOR_LOG = "visitor_log", _("Visitor log")
    VISIT_LIST = "visit_list", _("Visit list")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", ".xlsx"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", pgettext_lazy("export", "Failed")


class ExportJob(models.Model):
    """One export written in the background. `params` are the page's own query (the visit
    list's filters, the visitor log's dates) as lists of values, so the task reads exactly the
    list the page showed; `summary` is what the "My exports" page says about them."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    kind = models.CharField(_("export"), max_length=20, choices=ExportKind.choices)
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    summary = models.JSONField(_("filters"), default=list, blank=True)
    # The language of the page it was asked on: the file's headings and words are in it, as the
    # immediate export's would be.
    language = models.CharField(_("language"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), storage=exports_storage, upload_to="exports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="export_owner_latest")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.owner} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        """Still queued or being written: the page keeps polling."""
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
