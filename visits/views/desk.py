"""The reception desk: the arrivals board, one visit at the desk, check-in and check-out,
visitors added at the desk, the receptionist's arrangements."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from reception.http import safe_next
from reception.models import ReceptionPolicy
from reception.validators import EARLIEST, LATEST, parse_day, parse_ids

from ..forms.desk import (
    AddVisitorForm,
    ArrangementsForm,
)
from ..models import VisitRequest, VisitStatus
from ..selectors import (
    BOARD_STATUSES,
    STILL_ON_SITE_SHOWN,
    arrivals,
    still_on_site,
    visible_visits,
)
from ..services import desk, walk_ins
from ..services.lifecycle import VisitError

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
        asked = self.request.GET.get("day", "")
        day = parse_day(asked)
        if day is not None:
            tab = "day"
        else:
            if asked and not self.request.htmx:  # the refreshes would repeat it
                messages.warning(
                    self.request,
                    _("“%(day)s” is not a date between %(first)s and %(last)s: showing today.")
                    % {"day": asked[:20], "first": EARLIEST, "last": LATEST},
                )
                tab = "today"
            day = today + timedelta(days=1) if tab == "tomorrow" else today
        if tab == "week":
            return tab, today, today + timedelta(days=6)
        if tab not in TABS and tab != "day":
            tab = "today"
        return tab, day, day

    def get_context_data(self, **kwargs):
        tab, first, last = self.period()
        search = self.request.GET.get("q", "").strip()[:100]
        visits = list(arrivals(first, last, search))
        for visit in visits:  # the day beside the time, where the time alone could mislead
            visit.shows_day = first != last or timezone.localdate(visit.arrival_at) != first
        query = self.request.GET.copy()
        return super().get_context_data(
            tab=tab,
            search=search,
            first=first,
            last=last,
            today=timezone.localdate(),
            previous_day=first - timedelta(days=1),
            next_day=first + timedelta(days=1),
            visits=visits,
            on_site=list(still_on_site()),
            on_site_shown=STILL_ON_SITE_SHOWN,
            at_the_gate=list(walk_ins.waiting_at_the_gate()),
            answer_minutes=ReceptionPolicy.get().walk_in_answer_minutes,
            now=timezone.now(),
            refresh_url=f"{reverse('visits:board')}?{query.urlencode()}",
            big=self.big,
            can_check_in=self.request.user.has_perm("visits.check_in_visitors"),
            **kwargs,
        )


def desk_visit(request, pk, statuses=BOARD_STATUSES) -> VisitRequest:
    return get_object_or_404(
        VisitRequest.objects.filter(status__in=statuses).select_related(
            "client", "main_host", "receptionist", "final_grade", "proposed_grade"
        ),
        pk=pk,
    )


class DeskVisitView(PermissionRequiredMixin, TemplateView):
    """One visit at the desk: its visitors, check-in and check-out, arrangements."""

    permission_required = "visits.view_arrivals"
    template_name = "visits/desk_visit.html"

    def get_context_data(self, **kwargs):
        # A closed visit still opens (read only: the check-in rule refuses it), so the desk's
        # "accepted: check them in now" notification does not end on a 404 once the summary
        # is written.
        visit = desk_visit(self.request, self.kwargs["pk"], [*BOARD_STATUSES, VisitStatus.CLOSED])
        user = self.request.user
        visitors = list(visit.visitors.all())
        return super().get_context_data(
            visit=visit,
            visitors=visitors,
            # The group buttons offer only what can happen: nobody to check out before anyone
            # came, nobody to check in once all have.
            anyone_to_check_in=any(v.checked_in_at is None for v in visitors),
            anyone_on_site=any(v.on_site for v in visitors),
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
        ids = parse_ids(request.POST.getlist("visitor")) or None
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
        return redirect(safe_next(request, "visits:desk", pk))


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


# ---- the lobby welcome screen (no login: a per-display secret URL) ------------------------


# ---- itinerary ----------------------------------------------------------------------------
