"""Walk-ins: recorded at the gate, accepted or declined by the person they asked for."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from reception.models import Client
from reception.views import PageQueryMixin

from ..forms.requests import ReasonForm
from ..forms.walk_ins import (
    WalkInForm,
)
from ..models import WalkIn
from ..selectors import visible_visits
from ..services import walk_ins as walk_ins_service
from ..services.lifecycle import VisitError
from .site_choice import at_my_sites, desk_sites, recording_site, several_sites


class WalkInListView(PermissionRequiredMixin, PageQueryMixin, ListView):
    permission_required = "visits.view_walkin"
    template_name = "visits/walkin_list.html"
    paginate_by = 30

    def get_queryset(self):
        since = timezone.now() - timedelta(days=7)
        # A site's gate and desk see their sites' walk-ins (everyone's, with no site assigned).
        return (
            WalkIn.objects.filter(at_my_sites(self.request.user), recorded_at__gte=since)
            .select_related(
                "site", "recorded_by", "wants_to_see", "decided_by", "on_behalf_of", "visit"
            )
            # the department and title beside the name of whom they asked for
            .prefetch_related("wants_to_see__memberships__department", "wants_to_see__groups")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(several_sites=several_sites(), **kwargs)


class WalkInCreateView(PermissionRequiredMixin, View):
    permission_required = "visits.add_walkin"
    template_name = "visits/walkin_form.html"

    def form(self, data=None, initial=None):
        sites = desk_sites(self.request)
        site = recording_site(sites, self.request.user)
        form = WalkInForm(data, initial=initial, by=self.request.user, sites=sites.reach, site=site)
        return form, site

    def get(self, request):
        contact = walk_ins_service.walk_in_contact()
        form, _site = self.form(initial={"wants_to_see": contact.pk if contact else None})
        return self.render(form)

    def post(self, request):
        form, site = self.form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["site"] = data.get("site") or site
            try:
                walk_in = walk_ins_service.record_walk_in(by=request.user, **data)
            except VisitError as error:
                form.add_error(None, error.message)
                return self.render(form, status=400)
            messages.success(
                request,
                _(
                    "Recorded. %(person)s and the front desk have been told; %(person)s will "
                    "accept or decline."
                )
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
        walk_ins = WalkIn.objects.select_related(
            "site", "recorded_by", "wants_to_see", "decided_by", "on_behalf_of", "visit", "client"
        )
        walk_in = get_object_or_404(walk_ins, pk=self.kwargs["pk"])
        user = self.request.user
        if (
            walk_in.wants_to_see_id != user.pk
            and not WalkIn.objects.filter(at_my_sites(user), pk=walk_in.pk).exists()
        ):
            raise Http404  # another site's walk-in: only the person asked for sees it
        contact = walk_ins_service.walk_in_contact()
        if (
            walk_in.wants_to_see_id != user.pk
            and not user.has_perm("visits.view_walkin")
            and (contact is None or contact.pk != user.pk)  # told when nobody answers
            and not walk_ins_service.hears_of_walk_ins(user)  # told of every walk-in
        ):
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
                visit = walk_ins_service.accept_walk_in(walk_in=walk_in, by=request.user)
                messages.success(
                    request,
                    _(
                        "Accepted: %(ref)s is on today's board, ready for check-in; grading and "
                        "approval follow. The gate and the front desk have been told."
                    )
                    % {"ref": visit.reference},
                )
                if visible_visits(request.user).filter(pk=visit.pk).exists():
                    return redirect("visits:detail", pk=visit.pk)
                return redirect("visits:desk", pk=visit.pk)
            if action == "decline" and form.is_valid():
                walk_ins_service.decline_walk_in(
                    walk_in=walk_in, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.info(request, _("Declined; the gate has been told."))
                return redirect("visits:walk_in", pk=pk)
        except VisitError as error:
            messages.error(request, error.message)
        return render(request, self.template_name, self.context(walk_in, form), status=400)

    def context(self, walk_in, form):
        user = self.request.user
        may_decide = user.has_perm("visits.decide_walk_in", walk_in)
        return {
            "walk_in": walk_in,
            "grade": walk_ins_service.walk_in_grade() if may_decide else None,
            "form": form,
            "may_decide": may_decide,
            "on_behalf": may_decide and walk_in.wants_to_see_id != user.pk,
        }
