"""The reports page, its tables' CSV and .xlsx exports, and the exports for the front office
and auditors (the visitor log, the visit list as filtered on screen)."""

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.views import View
from django.views.generic import TemplateView

from ..exports import (
    export,
    visit_list_header,
    visit_list_rows,
    visitor_log_header,
    visitor_log_rows,
)
from ..forms.reports import PeriodForm
from ..reports import BUILDERS, chart, computed_table, computed_tables
from .requests import VisitListMixin


def _period_form(request) -> PeriodForm:
    return PeriodForm(request.GET if ("start" in request.GET or "end" in request.GET) else None)


class ReportsView(PermissionRequiredMixin, TemplateView):
    permission_required = "visits.view_reports"
    template_name = "visits/reports.html"

    def get_context_data(self, **kwargs):
        form = _period_form(self.request)
        period = form.period()
        if not form.is_bound:  # the inputs show the default period rather than stay empty
            form = PeriodForm(initial={"start": period.start, "end": period.end})
        tables, computed_at = computed_tables(period)
        return super().get_context_data(
            form=form,
            period=period,
            computed_at=computed_at,
            # whole minutes, rounded up (30 seconds still says "after 1 minute")
            cache_minutes=max(0, -(-settings.REPORTS_CACHE_SECONDS // 60)),
            query=f"start={period.start.isoformat()}&end={period.end.isoformat()}",
            reports=[{"table": t, "chart": chart(t)} for t in tables],
            **kwargs,
        )


class ReportExportView(PermissionRequiredMixin, View):
    permission_required = "visits.view_reports"

    def get(self, request, key, fmt):
        if key not in BUILDERS:
            raise Http404
        table = computed_table(key, _period_form(request).period())
        if table is None:
            raise Http404
        return export(fmt, table.filename, table.headers, table.rows, title=table.title)


class VisitorLogExportView(PermissionRequiredMixin, View):
    """Who came, when, to see whom: for the front desk and for auditors."""

    permission_required = "visits.export_visitor_log"

    def get(self, request, fmt):
        period = _period_form(request).period()
        rows = visitor_log_rows(request.user, period.start, period.end)
        name = f"visitor-log-{period.start.isoformat()}-{period.end.isoformat()}"
        return export(fmt, name, visitor_log_header(), rows)


class VisitListExportView(VisitListMixin, View):
    """The visit list as the page shows it (the same scope, filters and default state), all of
    it rather than a page."""

    def get(self, request, fmt):
        return export(fmt, "visits", visit_list_header(), visit_list_rows(self.listed_visits()))
