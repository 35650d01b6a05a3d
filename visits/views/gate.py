"""The gate (docs/gate.md): record an arrival of any kind, its page with check-in and
check-out and security's decision, who is on site now (and its PDF), the roll call, and the
watch list."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from reception.models import Site

from .. import documents
from ..forms.gate import KIND_FIELDS, ArrivalForm, DecisionForm, WatchEntryForm
from ..models import (
    Arrival,
    ArrivalKind,
    ArrivalStatus,
    HitDecision,
    RollCall,
    RollCallEntry,
    WatchEntry,
    WatchHit,
)
from ..services import arrivals as arrivals_service
from ..services import roll_call as roll_call_service
from ..services import watch_list as watch_list_service
from ..services.lifecycle import VisitError
from .site_choice import at_my_sites, desk_sites


class GateMixin(PermissionRequiredMixin):
    permission_required = "visits.use_gate"


def _sites(request) -> tuple[list[Site] | None, list[Site]]:
    """(the sites the lists show, None for every site; the sites one may record for)."""
    scope = desk_sites(request)
    if scope.chosen is not None:
        return [scope.chosen], [scope.chosen]
    return (None if scope.everywhere else scope.reach), [s for s in scope.reach if s.is_active]


def _default_site(request, choices: list[Site]) -> Site | None:
    home = request.user.home_site_id
    for site in choices:
        if site.pk == home:
            return site
    return choices[0] if choices else None


class GateView(GateMixin, View):
    """Asks the kind first (a plain GET step), then shows only that kind's fields."""

    template_name = "visits/gate/gate.html"

    def kind(self, request) -> ArrivalKind | None:
        code = request.GET.get("kind")
        kinds = arrivals_service.arrival_kinds()
        return next((k for k in kinds if k.code == code), None) if code else None

    def get(self, request):
        kind = self.kind(request)
        if kind is None:
            return self.chooser(request)
        shown, choices = _sites(request)
        form = ArrivalForm(
            kind=kind,
            by=request.user,
            sites=choices,
            initial={"site": _default_site(request, choices)},
        )
        return self.show(form, kind)

    def post(self, request):
        kind = self.kind(request)
        if kind is None:
            raise Http404
        shown, choices = _sites(request)
        form = ArrivalForm(request.POST, kind=kind, by=request.user, sites=choices)
        if not form.is_valid():
            return self.show(form, kind, status=400)
        data = form.cleaned_data
        site = data.get("site") or _default_site(request, choices)
        if site is None:
            form.add_error(None, _("The company has no active site: an administrator adds one."))
            return self.show(form, kind, status=400)
        try:
            arrival = arrivals_service.record_arrival(
                by=request.user,
                site=site,
                kind=kind,
                name=data["name"],
                phone=data.get("phone") or "",
                id_number=data.get("id_number") or "",
                headcount=data.get("headcount") or 1,
                company=data.get("company") or "",
                host=data.get("host"),
                department=data.get("department"),
                details=form.details(),
                safety_accepted=bool(data.get("safety_accepted")),
                safety_name=data.get("safety_name") or "",
            )
        except VisitError as error:
            form.add_error(None, error.message)
            return self.show(form, kind, status=400)
        if arrival.status == ArrivalStatus.HELD:
            messages.warning(request, _("Held: security has been told and decides."))
        else:
            messages.success(request, _("Recorded; whom it concerns has been told."))
        return redirect("visits:arrival", pk=arrival.pk)

    def chooser(self, request):
        shown, _choices = _sites(request)
        waiting = (
            Arrival.objects.filter(
                at_my_sites(request.user),
                status__in=[ArrivalStatus.AT_GATE, ArrivalStatus.HELD, ArrivalStatus.ON_SITE],
            )
            .filter(**({} if shown is None else {"site__in": shown}))
            .select_related("kind", "host", "department")
            .order_by("status", "-recorded_at")[:100]
        )
        return render(
            request,
            self.template_name,
            {"kinds": arrivals_service.arrival_kinds(), "arrivals": waiting},
        )

    def show(self, form, kind, status=200):
        return render(
            self.request,
            "visits/gate/arrival_form.html",
            {"form": form, "kind": kind},
            status=status,
        )


class ArrivalView(View):
    """An arrival at the gate: the gate acts on it; whoever its kind told of it (the person
    seen, the receiving department…) opens it from their notification to read it."""

    template_name = "visits/gate/arrival_detail.html"

    acts = False  # the gate of the arrival's site: it checks in, out, and decides

    def get_object(self):
        user = self.request.user
        arrivals = Arrival.objects.select_related(
            "kind", "host", "department", "site", "recorded_by"
        )
        gate = user.has_perm("visits.use_gate")
        if gate:
            arrival = arrivals.filter(at_my_sites(user), pk=self.kwargs["pk"]).first()
            if arrival is not None:
                self.acts = True
                return arrival
        arrival = arrivals.filter(pk=self.kwargs["pk"]).first()
        if arrival is not None and user.has_perm("visits.read_told_arrival", arrival):
            return arrival  # to read: its kind told this person of it
        # another site's gate: 404, as at the desk; anyone else: 403 alike for an arrival they
        # were not told of and for none at all
        raise Http404 if gate else PermissionDenied

    def get(self, request, pk):
        return render(request, self.template_name, self.context(self.get_object(), DecisionForm()))

    def post(self, request, pk):
        arrival = self.get_object()
        if not self.acts:
            raise PermissionDenied
        action = request.POST.get("action")
        form = DecisionForm(request.POST)
        form.is_valid()
        note = form.cleaned_data.get("note", "")
        try:
            if action == "check_in":
                arrivals_service.check_in(arrival=arrival, by=request.user)
            elif action == "check_out":
                arrivals_service.check_out(arrival=arrival, by=request.user)
            elif action in ("let_in", "refuse"):
                if not watch_list_service.may_keep(request.user):
                    raise VisitError(_("Only security decides a watch-list match."))
                arrivals_service.decide_held(
                    arrival=arrival, by=request.user, let_in=action == "let_in", note=note
                )
            else:
                raise VisitError(_("Unknown action."))
        except VisitError as error:
            messages.error(request, error.message)
            arrival = self.get_object()
            return render(request, self.template_name, self.context(arrival, form), status=400)
        return redirect("visits:arrival", pk=pk)

    def context(self, arrival, form):
        keeps = watch_list_service.may_keep(self.request.user)
        hits = list(arrival.hits.select_related("entry", "decided_by")) if keeps else []
        labels = {
            code: str(field().label) for code, field in KIND_FIELDS.items() if code != "company"
        }
        details = [(labels.get(k, k), v) for k, v in arrival.details.items()]
        return {
            "arrival": arrival,
            "at_the_gate": self.acts,
            "events": arrival.events.select_related("actor"),
            "hits": hits,
            "may_decide": keeps and arrival.status == ArrivalStatus.HELD,
            "details": details,
            "form": form,
        }


class OnSiteView(GateMixin, View):
    template_name = "visits/gate/on_site.html"

    def get(self, request):
        shown, choices = _sites(request)
        people = roll_call_service.on_site_now(shown)
        running = RollCall.objects.filter(closed_at__isnull=True, site__in=choices).select_related(
            "site"
        )
        return render(
            request,
            self.template_name,
            {"people": people, "running": list(running), "sites": choices},
        )


class OnSitePdfView(GateMixin, View):
    def get(self, request):
        shown, _choices = _sites(request)
        html = render_to_string(
            "visits/documents/on_site.html",
            {"people": roll_call_service.on_site_now(shown), "now": timezone.now()},
            request=request,
        )
        response = HttpResponse(documents.html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, "on-site.pdf")
        patch_cache_control(response, private=True, no_store=True)
        return response


class RollCallListView(GateMixin, View):
    template_name = "visits/gate/roll_call_list.html"

    def get(self, request):
        _shown, choices = _sites(request)
        roll_calls = (
            RollCall.objects.filter(at_my_sites(request.user))
            .select_related("site", "started_by")
            .order_by("-started_at")[:50]
        )
        return render(request, self.template_name, {"roll_calls": roll_calls, "sites": choices})

    def post(self, request):
        _shown, choices = _sites(request)
        site = next((s for s in choices if str(s.pk) == request.POST.get("site")), None)
        site = site or _default_site(request, choices)
        if site is None:
            raise Http404
        roll_call = roll_call_service.start_roll_call(site=site, by=request.user)
        return redirect("visits:roll_call", pk=roll_call.pk)


class RollCallView(GateMixin, View):
    template_name = "visits/gate/roll_call.html"

    def get_object(self):
        roll_calls = RollCall.objects.filter(at_my_sites(self.request.user)).select_related(
            "site", "started_by", "closed_by"
        )
        return get_object_or_404(roll_calls, pk=self.kwargs["pk"])

    def get(self, request, pk):
        return render(request, self.template_name, self.context(self.get_object()))

    def post(self, request, pk):
        roll_call = self.get_object()
        try:
            if request.POST.get("action") == "close":
                roll_call_service.close_roll_call(roll_call=roll_call, by=request.user)
            else:
                entry = get_object_or_404(
                    RollCallEntry, roll_call=roll_call, pk=request.POST.get("entry") or 0
                )
                entry = roll_call_service.mark_safe(
                    entry=entry, by=request.user, safe=request.POST.get("safe") != "0"
                )
                if request.htmx:
                    return render(
                        request,
                        "visits/gate/_roll_call_row.html",
                        {"entry": entry, "roll_call": roll_call, **self.counts(roll_call)},
                    )
        except VisitError as error:
            messages.error(request, error.message)
        return redirect("visits:roll_call", pk=pk)

    def counts(self, roll_call):
        return {**self.context(roll_call), "oob": True}

    def context(self, roll_call):
        entries = list(roll_call.entries.all())
        missing = [e for e in entries if e.safe_at is None]
        return {
            "roll_call": roll_call,
            "entries": entries,
            "missing": missing,
            "total": len(entries),
            "safe": len(entries) - len(missing),
            "missing_count": len(missing),
        }


class WatchListMixin(PermissionRequiredMixin):
    permission_required = "visits.keep_watch_list"


class WatchListView(WatchListMixin, View):
    template_name = "visits/gate/watch_list.html"

    def get(self, request):
        entries = WatchEntry.objects.select_related("added_by").order_by("-is_active", "name_key")
        hits = WatchHit.objects.select_related("entry", "arrival", "decided_by").order_by("-at")[
            :50
        ]
        return render(
            request,
            self.template_name,
            {"entries": entries, "hits": hits, "open": HitDecision.OPEN},
        )


class WatchEntryEditView(WatchListMixin, View):
    template_name = "visits/gate/watch_entry_form.html"

    def get_object(self):
        pk = self.kwargs.get("pk")
        return get_object_or_404(WatchEntry, pk=pk) if pk else None

    def get(self, request, pk=None):
        entry = self.get_object()
        initial = (
            {
                "kind": entry.kind,
                "name": entry.name,
                "mobile": entry.mobile,
                "reason": entry.reason,
                "is_active": entry.is_active,
            }
            if entry
            else {"is_active": True}
        )
        return render(
            request, self.template_name, {"form": WatchEntryForm(initial=initial), "entry": entry}
        )

    def post(self, request, pk=None):
        entry = self.get_object()
        form = WatchEntryForm(request.POST)
        if form.is_valid():
            try:
                watch_list_service.save_entry(by=request.user, entry=entry, **form.cleaned_data)
            except VisitError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("visits:watch_list")
        return render(request, self.template_name, {"form": form, "entry": entry}, status=400)


class WatchHitDecisionView(WatchListMixin, View):
    """Security decides a match outside the gate's arrivals (a walk-in, a visit request): let
    in with a note, or refuse. A held arrival is decided on its own page."""

    def post(self, request, pk):
        hit = get_object_or_404(WatchHit, pk=pk, arrival__isnull=True)
        form = DecisionForm(request.POST)
        form.is_valid()
        try:
            watch_list_service.decide_hit(
                hit=hit,
                by=request.user,
                let_in=request.POST.get("action") == "let_in",
                note=form.cleaned_data.get("note", ""),
            )
        except VisitError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Decided; the gate may go on."))
        return redirect("visits:watch_list")
