"""The reception desk: the arrivals board, one visit at the desk, check-in and check-out,
visitors added at the desk, the receptionist's arrangements."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from reception import fragments as kept
from reception.http import safe_next
from reception.models import ReceptionPolicy
from reception.validators import EARLIEST, LATEST, parse_day, parse_ids

from ..forms.desk import (
    AddVisitorForm,
    ArrangementsForm,
)
from ..models import (
    ARRANGEABLE_STATUSES,
    BOARD_STATUSES,
    EventKind,
    VisitEvent,
    VisitRequest,
    VisitStatus,
)
from ..selectors import (
    arrivals,
    still_on_site,
    visible_visits,
    with_tours,
)
from ..services import desk, walk_ins
from ..services.lifecycle import VisitError
from .access import RuleRequiredMixin
from .site_choice import at_my_sites, desk_sites

TABS = ("today", "tomorrow", "week")
# The gate panel names this many walk-ins, longest waiting first; the walk-in list has them all.
GATE_SHOWN = 10

# ---- undo, for a minute -------------------------------------------------------------------
# What the desk may still take back is kept in its session (no query on the board, and it
# survives the board's refresh and a reload); the service decides whether it still may.
UNDO_KEY = "desk_undo"


def offer_undo(request, event: VisitEvent, people) -> None:
    offers = [o for o in undo_offers(request) if o["event"] != event.pk]
    offers.append(
        {
            "event": event.pk,
            "in": event.kind == EventKind.CHECK_IN,
            "names": "、".join(v.name for v in people),
            "client": event.visit.client.label if event.visit.client else "",
            "until": desk.undo_until(event).timestamp(),
        }
    )
    request.session[UNDO_KEY] = offers[-5:]


def undo_offers(request) -> list[dict]:
    """The check-ins and check-outs this desk made less than a minute ago, newest first, with
    the seconds each has left."""
    now = timezone.now().timestamp()
    offers = [o for o in request.session.get(UNDO_KEY, []) if o["until"] > now]
    return [{**o, "seconds": int(o["until"] - now)} for o in reversed(offers)]


def drop_offer(request, event_id: int) -> None:
    if UNDO_KEY in request.session:
        request.session[UNDO_KEY] = [o for o in request.session[UNDO_KEY] if o["event"] != event_id]


def board_changed(request, error: str = "") -> HttpResponse:
    """The htmx answer to a check-in, check-out or undo on the board: the board reloads its
    body (the event below); a refusal shows above it."""
    if error:
        response = render(request, "visits/_desk_feedback.html", {"error": error})
        response["HX-Retarget"] = "#desk-feedback"
        response["HX-Reswap"] = "innerHTML"
    else:
        response = HttpResponse(status=204)
    response["HX-Trigger"] = "board-changed"
    return response


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
        # Bounded by what it shows, whatever the day's volume: a page of visits (a large group
        # as one row), a page of the groups still checked in, the first of those at the gate.
        sites = desk_sites(self.request)
        board = arrivals(
            first,
            last,
            search,
            page=self.request.GET.get("page"),
            where=with_tours(sites.q(), first, last),
        )
        # A visit on the board for its part of a tour shows the site it is for.
        home_sites = (
            None
            if sites.everywhere and sites.chosen is None
            else {s.pk for s in ([sites.chosen] if sites.chosen else sites.reach)}
        )
        for visit in board.object_list:  # the day beside the time, where the time alone misleads
            visit.shows_day = first != last or timezone.localdate(visit.arrival_at) != first
            visit.tour = home_sites is not None and visit.site_id not in home_sites
        board_url = f"{reverse('visits:board')}?{self.request.GET.urlencode()}"
        self.keep_rows(board.object_list, board_url)
        # The wall display shows arrivals only.
        on_site, on_site_people, on_site_capped = (
            (None, 0, False)
            if self.big
            else still_on_site(self.request.GET.get("on_site_page"), where=sites.q("visit__site"))
        )
        gate = list(walk_ins.waiting_at_the_gate(sites.q())[: GATE_SHOWN + 1])
        # the policy's answer time colours the walk-ins at the gate: read only when there are
        answer_minutes = ReceptionPolicy.get().walk_in_answer_minutes if gate else None
        return super().get_context_data(
            tab=tab,
            search=search,
            sites=sites,
            home_sites=home_sites,
            first=first,
            last=last,
            today=timezone.localdate(),
            previous_day=first - timedelta(days=1),
            next_day=first + timedelta(days=1),
            board=board,
            visits=board.object_list,
            board_query=self.query_without("page"),
            on_site=on_site,
            on_site_people=on_site_people,
            on_site_capped=on_site_capped,
            on_site_query=self.query_without("on_site_page"),
            at_the_gate=gate[:GATE_SHOWN],
            more_at_the_gate=len(gate) > GATE_SHOWN,
            answer_minutes=answer_minutes,
            now=timezone.now(),
            refresh_url=board_url,
            big=self.big,
            undo_offers=[] if self.big else undo_offers(self.request),
            board_url=board_url,
            **kwargs,
        )

    def keep_rows(self, visits, board_url: str) -> None:
        """Each row is kept rendered whole ({% cache %} in _board_body.html), its check-in
        forms and their token with it, for this browser (fragments.session), keyed by
        everything it shows: the visit's version and the fields a bulk update moves without
        it, the names it shows from other rows, presence, each listed visitor's state, the
        preparation, what the reader may do, the board's address (the forms' `next`), the
        language and time zone. Measured at 100,000 visits (one warm request, least of 15,
        beside the base in turns, 2026-12-07): two kept parts around forms rendered every
        time 21.1 ms; the whole row kept, the policy read only for walk-ins at the gate 17.2."""
        request, user = self.request, self.request.user
        common = (board_url, kept.session(request), kept.scope())
        for visit in visits:
            visit.state = state = visit.board_status
            visit.may_check_in = not self.big and user.has_perm("visits.check_in", visit)
            visit.may_print_badges = bool(
                not self.big and visit.visitors_in and user.has_perm("visits.print_badges", visit)
            )
            visit.kept_as, _key = kept.key(
                "board_row",
                visit.pk,
                visit.updated_at,
                visit.status,
                visit.reference,
                visit.final_grade_id,
                visit.grade and visit.grade.label,
                visit.client and visit.client.label,
                visit.tour,
                visit.site.label,
                visit.shows_day,
                state,
                visit.visitors_total,
                visit.visitors_in,
                visit.visitors_out,
                visit.waiting,
                visit.grouped,
                [
                    (v.pk, v.name, v.checked_in_at is None, v.checked_out_at is None)
                    + (v.texts_missing,)
                    for v in visit.listed
                ],
                visit.main_host,
                visit.pickup_done,
                visit.pickup_note,
                visit.readiness,
                visit.tasks_overdue,
                visit.may_check_in,
                visit.may_print_badges,
                *common,
            )

    def query_without(self, name: str) -> str:
        """The board's query string for one of its page links: the other parameters kept."""
        query = self.request.GET.copy()
        query.pop(name, None)
        return query.urlencode()


def desk_visit(request, pk, statuses=BOARD_STATUSES) -> VisitRequest:
    """A visit at the desk, of one of the user's sites (another site's visit: 404)."""
    return get_object_or_404(
        VisitRequest.objects.filter(
            at_my_sites(request.user, visit="pk"), status__in=statuses
        ).select_related(
            "client", "site", "main_host", "receptionist", "final_grade", "proposed_grade"
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
            itinerary=list(visit.itinerary.select_related("responsible", "site")),
            add_form=AddVisitorForm(),
            arrangements_form=ArrangementsForm(instance=visit),
            can_see_request=visible_visits(user).filter(pk=visit.pk).exists(),
            undo_offers=undo_offers(self.request),
            **kwargs,
        )


class DeskVisitRuleMixin(RuleRequiredMixin):
    """An action on a visit at the desk: the rule (permission_required, visits/permissions.py)
    is asked of the visit, fetched among those on the board (404 otherwise); 403 when it
    refuses. The service asks the same rule again under the visit's lock."""

    role_permission = "visits.check_in_visitors"
    statuses = BOARD_STATUSES  # where the desk looks for the visit

    def get_permission_object(self):
        if not hasattr(self, "visit"):
            self.visit = desk_visit(self.request, self.kwargs["pk"], self.statuses)
        return self.visit


class CheckView(DeskVisitRuleMixin, View):
    """POST check-in or check-out, for some visitors (visitor=<id>…) or the whole group. From
    the board with htmx: no reload, the board refreshes its body and offers the undo."""

    def get_permission_required(self):
        direction = self.kwargs["direction"]
        if direction not in ("in", "out"):
            raise Http404
        return ["visits.check_in" if direction == "in" else "visits.check_out"]

    def post(self, request, pk, direction):
        visit = self.get_permission_object()
        ids = parse_ids(request.POST.getlist("visitor")) or None
        check = desk.check_in if direction == "in" else desk.check_out
        try:
            people = check(visit=visit, by=request.user, visitor_ids=ids)
        except VisitError as error:
            if request.htmx:
                return board_changed(request, error.message)
            messages.error(request, error.message)
            return redirect(safe_next(request, "visits:desk", pk))
        kind = EventKind.CHECK_IN if direction == "in" else EventKind.CHECK_OUT
        event = visit.events.filter(kind=kind, actor=request.user).latest("at", "pk")
        offer_undo(request, event, people)
        if request.htmx:
            return board_changed(request)
        names = "、".join(v.name for v in people)
        if direction == "in":
            messages.success(
                request, _("Checked in: %(names)s. The host has been told.") % {"names": names}
            )
        else:
            messages.success(request, _("Checked out: %(names)s.") % {"names": names})
        return redirect(safe_next(request, "visits:desk", pk))


class UndoCheckView(RuleRequiredMixin, View):
    """POST: take back a check-in or check-out made less than a minute ago (the service
    refuses later ones, and anyone else's)."""

    role_permission = "visits.check_in_visitors"
    permission_required = "visits.undo_check"

    def get_permission_object(self) -> VisitEvent:
        if not hasattr(self, "event"):
            self.event = get_object_or_404(
                VisitEvent.objects.select_related("visit__client").filter(
                    kind__in=[EventKind.CHECK_IN, EventKind.CHECK_OUT]
                ),
                pk=self.kwargs["event"],
            )
        return self.event

    def post(self, request, event):
        event = self.get_permission_object()
        drop_offer(request, event.pk)
        try:
            people = desk.undo_check(event=event, by=request.user)
        except VisitError as error:
            if request.htmx:
                return board_changed(request, error.message)
            messages.error(request, error.message)
        else:
            if request.htmx:
                return board_changed(request)
            messages.success(
                request, _("Undone: %(names)s.") % {"names": "、".join(v.name for v in people)}
            )
        return redirect(safe_next(request, "visits:board"))


class AddVisitorView(DeskVisitRuleMixin, View):
    """Someone not on the list: added and checked in, so the check-in rule."""

    permission_required = "visits.check_in"

    def post(self, request, pk):
        visit = self.get_permission_object()
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


class ArrangementsView(DeskVisitRuleMixin, View):
    role_permission = "visits.track_preparation"
    permission_required = "visits.make_arrangements"
    statuses = ARRANGEABLE_STATUSES

    def post(self, request, pk):
        visit = self.get_permission_object()
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
