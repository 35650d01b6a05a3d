"""The itinerary editor: the day's programme of a visit, drafted from the reception procedure."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from ..forms.itinerary import (
    ItineraryFormSet,
    itinerary_initial,
)
from ..models import VisitRequest
from ..selectors import visible_visits
from ..services import itinerary
from ..services.lifecycle import VisitError
from .access import RuleRequiredMixin


class ItineraryEditView(RuleRequiredMixin, View):
    role_permission = "visits.view_visitrequest"
    permission_required = "visits.edit_itinerary"
    template_name = "visits/itinerary_form.html"

    def get_object(self) -> VisitRequest:
        """The visit, in the user's scope (404 outside it); the rule is asked of it (403)."""
        if not hasattr(self, "visit"):
            self.visit = get_object_or_404(visible_visits(self.request.user), pk=self.kwargs["pk"])
        return self.visit

    def get(self, request, pk):
        visit = self.get_object()
        formset = ItineraryFormSet(initial=itinerary_initial(visit), prefix="items")
        return self.render(visit, formset)

    def post(self, request, pk):
        visit = self.get_object()
        if "prefill" in request.POST:
            if itinerary.default_itinerary(visit):
                messages.success(request, _("Itinerary drafted from the reception procedure."))
            return redirect("visits:itinerary", pk=pk)
        formset = ItineraryFormSet(request.POST, initial=itinerary_initial(visit), prefix="items")
        if formset.is_valid():
            try:
                itinerary.save_itinerary(visit=visit, by=request.user, rows=formset.rows())
            except VisitError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Itinerary saved."))
                return redirect(reverse("visits:detail", args=[pk]) + "#itinerary")
        return self.render(visit, formset, status=400)

    def render(self, visit, formset, status=200):
        return render(
            self.request, self.template_name, {"visit": visit, "formset": formset}, status=status
        )
