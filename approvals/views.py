from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django_filters.views import FilterView

from reception.errors import RuleError
from reception.http import safe_next
from reception.views import PageQueryMixin

from . import services
from .filters import QueueFilter
from .forms import DecisionForm, current_grade_choices
from .selectors import queue_for, steps_of


class QueueView(PermissionRequiredMixin, PageQueryMixin, FilterView):
    permission_required = "approvals.view_approvalstep"
    filterset_class = QueueFilter
    template_name = "approvals/queue.html"
    paginate_by = 25

    def get_queryset(self):
        return queue_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grades = current_grade_choices()
        context["rows"] = [
            {"step": step, "form": DecisionForm(step=step, grade_choices=grades)}
            for step in context["object_list"]
        ]
        return context


class DecideView(PermissionRequiredMixin, View):
    """Approve, return or reject a step: in place with htmx, or as a plain form post."""

    permission_required = "approvals.view_approvalstep"

    def post(self, request, pk):
        step = get_object_or_404(
            steps_of(request.user).select_related("visit__applicant", "visit__client"), pk=pk
        )
        form = DecisionForm(request.POST, step=step)
        outcome, error = None, None
        if form.is_valid():
            try:
                outcome = services.decide(
                    step=step,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    grade=form.cleaned_data.get("grade"),
                )
            except RuleError as exc:
                error = exc.message
        if request.htmx:
            context = {
                "step": outcome or step,
                "form": form,
                "error": error,
                "done": outcome,
                "queue_url": self.next_url(),
            }
            if outcome:
                outcome.visit.refresh_from_db()
            return render(request, "approvals/_step_row.html", context)
        if outcome:
            messages.success(request, self.summary(outcome))
        else:
            messages.error(
                request,
                error
                or _("The decision was not saved: %(errors)s")
                % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)},
            )
        return redirect(self.next_url())

    def summary(self, step) -> str:
        return _("%(ref)s: “%(step)s” %(decision)s.") % {
            "ref": step.visit.reference,
            "step": step.label,
            "decision": step.get_state_display().lower(),
        }

    def next_url(self) -> str:
        return safe_next(self.request, "approvals:queue")
