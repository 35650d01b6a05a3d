"""What a visit cost: estimate vs actual vs standard per category, the expense lines the
receptionist or the office enters after the visit, and the grade approver's decisions on lines
over the standard."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from ..forms.spending import ExpenseDecisionForm, ExpenseLineForm
from ..models import ExpenseApprovalState, VisitRequest
from ..permissions import approving_step
from ..selectors import visible_visits
from ..services.estimate import estimate
from ..services.lifecycle import VisitError
from ..services.spending import decide_expense, record_expense, spending_table


def visit_for_spending(user, pk):
    """A visit the user may open, or one whose over-standard lines wait for their decision
    (the grade's approver need not have seen the request itself)."""
    visit = visible_visits(user).filter(pk=pk).first()
    if visit is None:
        visit = get_object_or_404(
            VisitRequest, pk=pk, expense_lines__approval_state=ExpenseApprovalState.PENDING
        )
        if not user.has_perm("visits.approve_expense", visit):
            raise Http404
    return visit


class ExpensesView(PermissionRequiredMixin, View):
    permission_required = "visits.view_visitrequest"
    template_name = "visits/expenses.html"

    def get_object(self):
        return visit_for_spending(self.request.user, self.kwargs["pk"])

    def get(self, request, pk):
        return self.render(self.get_object(), ExpenseLineForm())

    def post(self, request, pk):
        visit = self.get_object()
        form = ExpenseLineForm(request.POST)
        if form.is_valid():
            try:
                line = record_expense(visit=visit, by=request.user, data=form.cleaned_data)
            except VisitError as error:
                messages.error(request, error.message)
            else:
                if line.over_standard:
                    messages.warning(
                        request, _("Saved; over the standard, it waits for the approver.")
                    )
                else:
                    messages.success(request, _("Expense saved."))
                return redirect("visits:expenses", pk=pk)
        return self.render(visit, form, status=400)

    def render(self, visit, form, status=200):
        user = self.request.user
        step = approving_step(visit)
        context = {
            "visit": visit,
            "estimate": estimate(visit),
            "table": spending_table(visit),
            "lines": visit.expense_lines.select_related("entered_by", "decided_by"),
            "form": form if user.has_perm("visits.record_expenses", visit) else None,
            "may_decide": user.has_perm("visits.approve_expense", visit),
            "approver": step.approver_label if step else "",
            "PENDING": ExpenseApprovalState.PENDING,
        }
        return render(self.request, self.template_name, context, status=status)


class ExpenseDecisionView(View):
    def post(self, request, pk, line):
        visit = visit_for_spending(request.user, pk)
        expense = get_object_or_404(visit.expense_lines, pk=line)
        form = ExpenseDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose approve or reject."))
            return redirect("visits:expenses", pk=pk)
        try:
            decide_expense(
                line=expense,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except VisitError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("visits:expenses", pk=pk)
