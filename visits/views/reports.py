"""The reports page, its tables' CSV and .xlsx exports, and the exports for the front office
and auditors (the visitor log, the visit list as filtered on screen)."""

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from reception.models import Site, User

from .. import links
from ..exports import export
from ..forms.reports import PeriodForm
from ..models import ExportKind
from ..reports import TABLE_KEYS, chart, computed_table, computed_tables
from ..services.exports import request_export
from .requests import VisitListMixin


def _period_form(request) -> PeriodForm:
    return PeriodForm(request.GET if ("start" in request.GET or "end" in request.GET) else None)


def _sites(request) -> tuple[list[Site], Site | None]:
    """The group's sites (one query) and the one the reports are narrowed to (?site=<code>);
    none, or an unknown code, is the whole group."""
    sites = list(Site.objects.all())
    chosen = {site.code: site for site in sites}.get(request.GET.get("site", ""))
    return sites, chosen


class ReportsView(PermissionRequiredMixin, TemplateView):
    permission_required = "visits.view_reports"
    template_name = "visits/reports.html"

    def get_context_data(self, **kwargs):
        form = _period_form(self.request)
        period = form.period()
        if not form.is_bound:  # the inputs show the default period rather than stay empty
            form = PeriodForm(initial={"start": period.start, "end": period.end})
        sites, site = _sites(self.request)
        tables, computed_at = computed_tables(period, site, sites)
        query = f"start={period.start.isoformat()}&end={period.end.isoformat()}"
        return super().get_context_data(
            form=form,
            period=period,
            computed_at=computed_at,
            # whole minutes, rounded up (30 seconds still says "after 1 minute")
            cache_minutes=max(0, -(-settings.REPORTS_CACHE_SECONDS // 60)),
            query=f"{query}&site={site.code}" if site else query,
            sites=sites if len(sites) > 1 else [],
            site=site,
            # drawn only when the tables are not kept rendered (the template's {% cache %})
            reports=SimpleLazyObject(lambda: [{"table": t, "chart": chart(t)} for t in tables]),
            **kwargs,
        )


class ReportExportView(PermissionRequiredMixin, View):
    permission_required = "visits.view_reports"

    def get(self, request, key, fmt):
        if key not in TABLE_KEYS:
            raise Http404
        sites, site = _sites(request)
        table = computed_table(key, _period_form(request).period(), site, sites)
        if table is None:
            raise Http404
        return export(fmt, table.filename, table.headers, table.rows, title=table.title)


# The page's own query is the export's parameters; these are the page's business, not the list's.
NOT_PARAMETERS = {"download", "page"}


def requested_export(request, kind: str, fmt: str):
    """The file at once, or (above EXPORT_JOB_THRESHOLD_ROWS) an export job: then the job's
    page, which shows its progress and offers the file when it is written."""
    params = {k: v for k, v in request.GET.lists() if k not in NOT_PARAMETERS}
    asked = request_export(by=cast(User, request.user), kind=kind, fmt=fmt, params=params)
    if asked.job is None:
        spec = asked.spec
        return export(fmt, spec.filename, spec.header, spec.rows())
    messages.info(
        request,
        ngettext(
            "The export has %(count)s row: it is being written in the background. This page "
            "shows when it is ready, and you will be notified.",
            "The export has %(count)s rows: it is being written in the background. This page "
            "shows when it is ready, and you will be notified.",
            asked.job.rows_total,
        )
        % {"count": asked.job.rows_total},
    )
    return redirect(links.export_job(asked.job))


class VisitorLogExportView(PermissionRequiredMixin, View):
    """Who came, when, to see whom: for the front desk and for auditors."""

    permission_required = "visits.export_visitor_log"

    def get(self, request, fmt):
        return requested_export(request, ExportKind.VISITOR_LOG, fmt)


class VisitListExportView(VisitListMixin, View):
    """The visit list as the page shows it (the same scope, filters and default state), all of
    it rather than a page."""

    def get(self, request, fmt):
        return requested_export(request, ExportKind.VISIT_LIST, fmt)
