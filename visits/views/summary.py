"""After the visit: the list of visits that are over, and the work summary that closes one."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from reception.views import PageQueryMixin

from ..forms.summary import (
    SummaryForm,
)
from ..models import VisitStatus
from ..selectors import visible_visits, with_list_facts
from ..services.lifecycle import VisitError
from ..services.summary import close_with_summary


class SummaryListView(PermissionRequiredMixin, PageQueryMixin, ListView):
    """Visits that are over: those waiting for their work summary first."""

    permission_required = "visits.add_visitsummary"
    template_name = "visits/summary_list.html"
    paginate_by = 25

    def get_queryset(self):
        visits = with_list_facts(visible_visits(self.request.user)).filter(
            status__in=[VisitStatus.COMPLETED, VisitStatus.CLOSED]
        )
        return visits.select_related("summary__written_by").order_by("status", "-departure_at")


class SummaryView(PermissionRequiredMixin, View):
    permission_required = "visits.add_visitsummary"
    template_name = "visits/summary_form.html"

    def get_object(self):
        visit = get_object_or_404(
            with_list_facts(visible_visits(self.request.user)), pk=self.kwargs["pk"]
        )
        if visit.status != VisitStatus.COMPLETED:
            messages.info(self.request, _("A work summary is written once the guests have left."))
        return visit

    def get(self, request, pk):
        visit = self.get_object()
        if visit.status != VisitStatus.COMPLETED:
            return redirect("visits:detail", pk=pk)
        return self.render(visit, SummaryForm())

    def post(self, request, pk):
        visit = self.get_object()
        form = SummaryForm(request.POST)
        if form.is_valid():
            try:
                close_with_summary(visit=visit, by=request.user, data=form.cleaned_data)
            except VisitError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Work summary saved; the visit is closed."))
                return redirect("visits:detail", pk=pk)
        return self.render(visit, form, status=400)

    def render(self, visit, form, status=200):
        return render(
            self.request, self.template_name, {"visit": visit, "form": form}, status=status
        )
