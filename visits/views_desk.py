"""The reception desk: arrivals board, check-in and check-out, walk-ins, the lobby welcome
screen and the itinerary editor."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from reception.models import Client, ReceptionPolicy
from reception.views import PageQueryMixin

from . import desk
from .forms import ReasonForm
from .forms_desk import (
    AddVisitorForm,
    ArrangementsForm,
    ItineraryFormSet,
    WalkInForm,
    itinerary_initial,
)
from .lifecycle import VisitError
from .models import VisitRequest, WalkIn, WalkInStatus, WelcomeDisplay
from .selectors import BOARD_STATUSES, arrivals, still_on_site, visible_visits

TABS = ("today", "tomorrow", "week")


class BoardView(PermissionRequiredMixin, TemplateView):
    """Today's (or another day's, or the next 7 days') arrivals. Refreshes itself with htmx;
    ?big=1 is the large-screen mode for a wall display."""

    permission_required = "visits.view_arrivals"

    def get_template_names(self):
        if self.request.htmx:
            return ["visits/_board_body.html"]
        return ["visits/board_big.html" if self.big else "visits/board.html"]

    @property
    def big(self) -> bool:
        return self.request.GET.get("big") == "1"

    def period(self):
        today = timezone.localdate()
        tab = self.request.GET.get("tab", "today")
        try:
            day = date.fromisoformat(self.request.GET.get("day", ""))
            tab = "day"
        except ValueError:
            day = today + timedelta(days=1) if tab == "tomorrow" else today
        if tab == "week":
            return tab, today, today + timedelta(days=6)
        if tab not in TABS and tab != "day":
            tab = "today"
        return tab, day, day

    def get_context_data(self, **kwargs):
        tab, first, last = self.period()
        visits = list(arrivals(first, last))
        query = self.request.GET.copy()
        return super().get_context_data(
            tab=tab,
            first=first,
            last=last,
            today=timezone.localdate(),
            previous_day=first - timedelta(days=1),
            next_day=first + timedelta(days=1),
            visits=visits,
            on_site=list(still_on_site()),
            now=timezone.now(),
            refresh_url=f"{reverse('visits:board')}?{query.urlencode()}",
            big=self.big,
            can_check_in=self.request.user.has_perm("visits.check_in_visitors"),
            **kwargs,
        )


def desk_visit(request, pk) -> VisitRequest:
    return get_object_or_404(
        VisitRequest.objects.filter(status__in=BOARD_STATUSES).select_related(
            "client", "main_host", "receptionist", "final_grade", "proposed_grade"
        ),
        pk=pk,
    )


class DeskVisitView(PermissionRequiredMixin, TemplateView):
    """One visit at the desk: its visitors, check-in and check-out, arrangements."""

    permission_required = "visits.view_arrivals"
    template_name = "visits/desk_visit.html"

    def get_context_data(self, **kwargs):
        visit = desk_visit(self.request, self.kwargs["pk"])
        user = self.request.user
        return super().get_context_data(
            visit=visit,
            visitors=list(visit.visitors.all()),
            itinerary=list(visit.itinerary.select_related("responsible")),
            add_form=AddVisitorForm(),
            arrangements_form=ArrangementsForm(instance=visit),
            can_check_in=user.has_perm("visits.check_in_visitors"),
            can_arrange=user.has_perm("visits.track_preparation"),
            can_see_request=visible_visits(user).filter(pk=visit.pk).exists(),
            **kwargs,
        )


class CheckView(PermissionRequiredMixin, View):
    """POST check-in or check-out, for some visitors (visitor=<id>…) or the whole group."""

    permission_required = "visits.check_in_visitors"

    def post(self, request, pk, direction):
        visit = desk_visit(request, pk)
        ids = [int(v) for v in request.POST.getlist("visitor") if v.isdigit()] or None
        try:
            if direction == "in":
                people = desk.check_in(visit=visit, by=request.user, visitor_ids=ids)
                messages.success(
                    request,
                    _("Checked in: %(names)s. The host has been told.")
                    % {"names": "、".join(v.name for v in people)},
                )
            elif direction == "out":
                people = desk.check_out(visit=visit, by=request.user, visitor_ids=ids)
                messages.success(
                    request,
                    _("Checked out: %(names)s.") % {"names": "、".join(v.name for v in people)},
                )
            else:
                raise Http404
        except VisitError as error:
            messages.error(request, error.message)
        return redirect(request.POST.get("next") or reverse("visits:desk", args=[pk]))


class AddVisitorView(PermissionRequiredMixin, View):
    permission_required = "visits.check_in_visitors"

    def post(self, request, pk):
        visit = desk_visit(request, pk)
        form = AddVisitorForm(request.POST)
        if form.is_valid():
            try:
                desk.add_visitor_at_desk(visit=visit, by=request.user, **form.cleaned_data)
            except VisitError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(name)s added to the visit and checked in.")
                    % {"name": form.cleaned_data["name"]},
                )
        else:
            errors = "; ".join(
                f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items()
            )
            messages.error(request, _("The visitor was not added: %(errors)s") % {"errors": errors})
        return redirect("visits:desk", pk=pk)


class ArrangementsView(PermissionRequiredMixin, View):
    permission_required = "visits.track_preparation"

    def post(self, request, pk):
        visit = desk_visit(request, pk)
        form = ArrangementsForm(request.POST, instance=VisitRequest.objects.get(pk=visit.pk))
        if form.is_valid():
            try:
                desk.update_arrangements(visit=visit, by=request.user, data=form.cleaned_data)
            except VisitError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Arrangements saved."))
        else:
            messages.error(request, _("The arrangements were not saved: check the fields."))
        return redirect("visits:desk", pk=pk)


# ---- walk-ins -----------------------------------------------------------------------------


class WalkInListView(PermissionRequiredMixin, PageQueryMixin, ListView):
    permission_required = "visits.view_walkin"
    template_name = "visits/walkin_list.html"
    paginate_by = 30

    def get_queryset(self):
        since = timezone.now() - timedelta(days=7)
        return WalkIn.objects.filter(recorded_at__gte=since).select_related(
            "recorded_by", "wants_to_see", "decided_by", "visit"
        )


class WalkInCreateView(PermissionRequiredMixin, View):
    permission_required = "visits.add_walkin"
    template_name = "visits/walkin_form.html"

    def get(self, request):
        contact = desk.walk_in_contact()
        form = WalkInForm(initial={"wants_to_see": contact.pk if contact else None})
        return self.render(form)

    def post(self, request):
        form = WalkInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            walk_in = desk.record_walk_in(by=request.user, **data)
            messages.success(
                request,
                _("Recorded. %(person)s has been told and will accept or decline.")
                % {"person": walk_in.wants_to_see},
            )
            return redirect("visits:walk_ins")
        return self.render(form, status=400)

    def render(self, form, status=200):
        names = Client.objects.order_by("name").values_list("name", flat=True)
        return render(
            self.request, self.template_name, {"form": form, "client_names": names}, status=status
        )


class WalkInDecisionView(View):
    """The person the visitors asked for accepts or declines; the desk may look."""

    template_name = "visits/walkin_detail.html"

    def get_object(self):
        walk_ins = WalkIn.objects.select_related("recorded_by", "wants_to_see", "visit", "client")
        walk_in = get_object_or_404(walk_ins, pk=self.kwargs["pk"])
        user = self.request.user
        if walk_in.wants_to_see_id != user.pk and not user.has_perm("visits.view_walkin"):
            raise Http404
        return walk_in

    def get(self, request, pk):
        walk_in = self.get_object()
        return render(request, self.template_name, self.context(walk_in, ReasonForm()))

    def post(self, request, pk):
        walk_in = self.get_object()
        action = request.POST.get("action")
        form = ReasonForm(request.POST if action == "decline" else None)
        try:
            if action == "accept":
                visit = desk.accept_walk_in(walk_in=walk_in, by=request.user)
                messages.success(
                    request,
                    _("Accepted: request %(ref)s is filed and submitted. The gate has been told.")
                    % {"ref": visit.reference},
                )
                return redirect("visits:detail", pk=visit.pk)
            if action == "decline" and form.is_valid():
                desk.decline_walk_in(
                    walk_in=walk_in, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.info(request, _("Declined; the gate has been told."))
                return redirect("visits:walk_in", pk=pk)
        except VisitError as error:
            messages.error(request, error.message)
        return render(request, self.template_name, self.context(walk_in, form), status=400)

    def context(self, walk_in, form):
        may_decide = (
            walk_in.wants_to_see_id == self.request.user.pk
            and walk_in.status == WalkInStatus.WAITING
        )
        return {"walk_in": walk_in, "form": form, "may_decide": may_decide}


# ---- the lobby welcome screen (no login: a per-display secret URL) ------------------------


@method_decorator(login_not_required, name="dispatch")
class WelcomeScreenView(TemplateView):
    def get_template_names(self):
        return ["visits/_welcome_lines.html" if self.request.htmx else "visits/welcome.html"]

    def get_context_data(self, **kwargs):
        display = WelcomeDisplay.objects.filter(token=self.kwargs["token"], active=True).first()
        if display is None:
            raise Http404
        return super().get_context_data(
            display=display,
            lines=desk.welcome_lines(),
            company_line=ReceptionPolicy.get().company_name,
            **kwargs,
        )


# ---- itinerary ----------------------------------------------------------------------------


class ItineraryEditView(PermissionRequiredMixin, View):
    permission_required = "visits.view_visitrequest"
    template_name = "visits/itinerary_form.html"

    def get_object(self) -> VisitRequest:
        visit = get_object_or_404(visible_visits(self.request.user), pk=self.kwargs["pk"])
        user = self.request.user
        allowed = (
            user.has_perm("visits.track_preparation")
            or visit.applicant_id == user.pk
            or visit.main_host_id == user.pk
        )
        if not allowed:
            raise Http404
        return visit

    def get(self, request, pk):
        visit = self.get_object()
        formset = ItineraryFormSet(initial=itinerary_initial(visit), prefix="items")
        return self.render(visit, formset)

    def post(self, request, pk):
        visit = self.get_object()
        if "prefill" in request.POST:
            if desk.default_itinerary(visit):
                messages.success(request, _("Itinerary drafted from the reception procedure."))
            return redirect("visits:itinerary", pk=pk)
        formset = ItineraryFormSet(request.POST, initial=itinerary_initial(visit), prefix="items")
        if formset.is_valid():
            try:
                desk.save_itinerary(visit=visit, by=request.user, rows=formset.rows())
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
