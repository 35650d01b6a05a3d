"""After the visit: the list of visits that are over, the work summary's two parts (the
visited department's and HR's) that close one, and follow-up actions marked done."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from reception.http import safe_next
from reception.views import PageQueryMixin

from ..forms.summary import FollowUpFormSet, SummaryForm, WaiveForm
from ..models import FollowUpAction, SummarySide, VisitStatus
from ..selectors import visible_visits, with_list_facts
from ..services.lifecycle import VisitError
from ..services.summary import close_follow_up, sides_of, waive_department_part, write_part


class SummaryListView(PermissionRequiredMixin, PageQueryMixin, ListView):
    """Visits that are over: those waiting for their work summary first."""

    permission_required = "visits.add_visitsummary"
    template_name = "visits/summary_list.html"
    paginate_by = 25

    def get_queryset(self):
        visits = with_list_facts(visible_visits(self.request.user)).filter(
            status__in=[VisitStatus.COMPLETED, VisitStatus.CLOSED]
        )
        return visits.prefetch_related("summary_parts__written_by").order_by(
            "status", "-departure_at"
        )


class SummaryView(PermissionRequiredMixin, View):
    """Both parts on one page: each reader writes the part that is theirs; HR may waive the
    department's part with a reason."""

    permission_required = "visits.add_visitsummary"
    template_name = "visits/summary_form.html"

    def get_object(self):
        return get_object_or_404(
            with_list_facts(visible_visits(self.request.user)), pk=self.kwargs["pk"]
        )

    def get(self, request, pk):
        visit = self.get_object()
        if visit.status != VisitStatus.COMPLETED:
            messages.info(request, _("A work summary is written once the guests have left."))
            return redirect("visits:detail", pk=pk)
        return self.render(visit)

    def post(self, request, pk):
        visit = self.get_object()
        side = request.POST.get("side", "")
        forms = {}
        try:
            if side == "waive":
                waive = WaiveForm(request.POST, prefix="waive")
                forms["waive_form"] = waive
                if waive.is_valid():
                    waive_department_part(
                        visit=visit, by=request.user, reason=waive.cleaned_data["reason"]
                    )
                    return self.done(visit)
            elif side in SummarySide.values:
                form = SummaryForm(request.POST, prefix=side)
                follow_ups = FollowUpFormSet(request.POST, prefix=f"{side}-fu")
                forms[side] = (form, follow_ups)
                if form.is_valid() and follow_ups.is_valid():
                    write_part(
                        visit=visit,
                        side=side,
                        by=request.user,
                        data=form.cleaned_data,
                        follow_ups=follow_ups.actions(),
                    )
                    return self.done(visit)
            else:
                return redirect("visits:summary", pk=pk)
        except VisitError as error:
            messages.error(request, error.message)
        return self.render(visit, status=400, **forms)

    def done(self, visit):
        visit.refresh_from_db()
        if visit.status == VisitStatus.CLOSED:
            messages.success(self.request, _("Work summary complete; the visit is closed."))
            return redirect("visits:detail", pk=visit.pk)
        messages.success(self.request, _("Your part of the work summary is saved."))
        return redirect("visits:summary", pk=visit.pk)

    def render(self, visit, status=200, waive_form=None, **posted):
        user = self.request.user
        parts = {p.side: p for p in visit.summary_parts.select_related("written_by")}
        sections = []
        for side in SummarySide:
            form, follow_ups = posted.get(side.value) or (
                SummaryForm(prefix=side.value),
                FollowUpFormSet(prefix=f"{side.value}-fu"),
            )
            writable = side in sides_of(user, visit) and side.value not in parts
            sections.append(
                {
                    "side": side,
                    "part": parts.get(side.value),
                    "form": form if writable else None,
                    "follow_ups": follow_ups if writable else None,
                }
            )
        may_waive = SummarySide.DEPARTMENT.value not in parts and user.has_perm(
            "visits.waive_department_summary", visit
        )
        context = {
            "visit": visit,
            "sections": sections,
            "waive_form": (waive_form or WaiveForm(prefix="waive")) if may_waive else None,
        }
        return render(self.request, self.template_name, context, status=status)


class FollowUpDoneView(View):
    """The owner marks a follow-up action done (a POST from the task list)."""

    def post(self, request, pk):
        action = get_object_or_404(FollowUpAction.objects.filter(owner=request.user), pk=pk)
        try:
            close_follow_up(action=action, by=request.user)
        except VisitError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Follow-up action done."))
        return redirect(safe_next(request, "visits:my_tasks"))
