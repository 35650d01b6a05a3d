"""The guest's side. Public but signed: the invitation page (its signed token) and the lobby
kiosk (its secret); the rest is staff: sending and revoking an invitation, the scan page of
the desk and the gate, the badges."""

import logging

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from reception.accounts import throttle
from reception.http import client_ip
from reception.models import ReceptionPolicy

from ..forms.guests import (
    AcceptForm,
    GuestNameForm,
    GuestVisitorFormSet,
    InviteForm,
    KioskAcceptForm,
    KioskForm,
    PassCodeForm,
)
from ..models import BadgeFormat, Invitation, LobbyKiosk, VisitStatus
from ..selectors import visible_visits
from ..services import badges, invitations, passes
from ..services.lifecycle import VisitError
from .access import RuleRequiredMixin
from .desk import desk_visit
from .site_choice import desk_sites

log = logging.getLogger("jiedai.guests")

# Openings of guest pages per client address and minute: a link shared in a chat is opened a
# few times, a script trying tokens many.
GUEST_OPENINGS_PER_MINUTE = 60


def _throttled(request, what: str) -> bool:
    return not throttle.within(
        f"{what}:{client_ip(request)}", limit=GUEST_OPENINGS_PER_MINUTE, seconds=60
    )


def guest_visitor_initial(visit) -> list[dict]:
    return [
        {
            "id": v.pk,
            "name": v.name,
            "title": v.title,
            "phone": v.phone,
            "id_type": v.id_type,
            "id_number_masked": v.id_number_masked,
            "car_plate": v.car_plate,
            "arrival_mode": v.arrival_mode,
            "arrival_number": v.arrival_number,
            "arrival_time": v.arrival_time,
            "dietary": v.dietary,
        }
        for v in visit.visitors.all()
    ]


@method_decorator([login_not_required, never_cache], name="dispatch")
class InvitationView(View):
    """The invitation on the guest's phone: the visit, the site and how to get there, the host,
    the itinerary; the visitors to complete; the texts to accept; each visitor's pass."""

    template_name = "visits/guest/invitation.html"

    def open(self, request, token):
        if _throttled(request, "guest"):
            return None, render(
                request,
                "visits/guest/closed.html",
                {"reason": _("Too many requests: wait a minute and reload.")},
                status=429,
            )
        try:
            return invitations.open_invitation(token), None
        except invitations.InvitationClosed as refused:
            invitations.log_refused(token, str(refused))
            return None, render(
                request, "visits/guest/closed.html", {"reason": str(refused)}, status=404
            )

    def context(self, invitation: Invitation, **extra) -> dict:
        visit = invitation.visit
        visitors = list(visit.visitors.all())
        accepted = invitations.acceptance_by_visitor(visit)
        notices = passes.current_notices()
        live = passes.passes_for(visit) if visit.status != VisitStatus.DRAFT else {}
        rows = []
        for visitor in visitors:
            visitor_pass = live.get(visitor.pk)
            rows.append(
                {
                    "visitor": visitor,
                    "pass": visitor_pass,
                    "qr": passes.qr_svg(visitor_pass) if visitor_pass else "",
                    "missing": [n for n in notices if n.pk not in accepted.get(visitor.pk, set())],
                }
            )
        return {
            "invitation": invitation,
            "visit": visit,
            "site": visit.site,
            "rows": rows,
            "notices": notices,
            "itinerary": list(visit.itinerary.all()),
            "may_change": invitations.guest_may_change(visit),
            "limit": invitations.visitor_limit(invitation),
            "company": ReceptionPolicy.get(),
            "token": invitation.token,
            **extra,
        }

    def get(self, request, token):
        invitation, refused = self.open(request, token)
        if refused is not None:
            return refused
        formset = GuestVisitorFormSet(
            initial=guest_visitor_initial(invitation.visit), prefix="visitors"
        )
        return render(
            request,
            self.template_name,
            self.context(invitation, formset=formset, name_form=GuestNameForm()),
        )

    def post(self, request, token):
        invitation, refused = self.open(request, token)
        if refused is not None:
            return refused
        visit = invitation.visit
        formset = GuestVisitorFormSet(
            request.POST, initial=guest_visitor_initial(visit), prefix="visitors"
        )
        name_form = GuestNameForm(request.POST)
        if formset.is_valid() and name_form.is_valid():
            try:
                invitations.save_guest_visitors(
                    invitation=invitation,
                    rows=formset.rows(),
                    guest_name=name_form.cleaned_data["guest_name"],
                )
            except VisitError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request, _("Thank you: your changes are saved and your host told.")
                )
                return redirect(request.path)
        return render(
            request,
            self.template_name,
            self.context(invitation, formset=formset, name_form=name_form),
            status=400 if not (formset.is_valid() and name_form.is_valid()) else 200,
        )


@method_decorator([login_not_required, never_cache], name="dispatch")
class InvitationAcceptView(InvitationView):
    """A visitor accepts the texts in force, typing their name."""

    http_method_names = ["post"]

    def post(self, request, token):
        invitation, refused = self.open(request, token)
        if refused is not None:
            return refused
        form = AcceptForm(request.POST)
        if form.is_valid():
            visitor = invitation.visit.visitors.filter(pk=form.cleaned_data["visitor"]).first()
            if visitor is None:
                raise Http404
            try:
                invitations.accept_notices(
                    visitor=visitor,
                    notices=passes.current_notices(),
                    name=form.cleaned_data["name"],
                )
            except VisitError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Accepted. Thank you."))
        else:
            messages.error(request, _("Type your name to accept."))
        return redirect(reverse("visits:guest_invitation", args=[token]) + "#texts")


class InviteView(RuleRequiredMixin, View):
    """The applicant sends the invitation (by email, and as a link to paste), or revokes it."""

    permission_required = "visits.invite_guests"
    role_permission = "visits.change_visitrequest"
    http_method_names = ["post"]

    def get_permission_object(self):
        return get_object_or_404(visible_visits(self.request.user), pk=self.kwargs["pk"])

    def post(self, request, pk):
        visit = self.get_permission_object()
        if request.POST.get("revoke"):
            invitation = invitations.live_invitation(visit)
            if invitation is not None:
                invitations.revoke_invitation(invitation=invitation, by=request.user)
                messages.success(request, _("The invitation is revoked: its link no longer opens."))
            return redirect("visits:detail", pk=visit.pk)
        form = InviteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Enter a valid email address, or leave it empty."))
            return redirect("visits:detail", pk=visit.pk)
        contact = visit.contacts.filter(email__gt="").first()
        try:
            invitation = invitations.send_invitation(
                visit=visit, by=request.user, email=form.cleaned_data["email"], contact=contact
            )
        except VisitError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Invitation ready%(to)s. Link to paste into WeChat: %(url)s")
                % {
                    "to": f" ({invitation.sent_to})" if invitation.sent_to else "",
                    "url": invitations.invitation_url(invitation),
                },
            )
        return redirect("visits:detail", pk=visit.pk)


# html5-qrcode reads a photo of a pass through a blob: image (the camera needs nothing more).
READS_PHOTOS = csp_update({"img-src": "blob:"})


@method_decorator(READS_PHOTOS, name="dispatch")
class ScanView(PermissionRequiredMixin, View):
    """The desk's and the gate's scan page: the camera (html5-qrcode, vendored) or the short
    code typed; one scan checks the visitor in."""

    permission_required = "visits.view_arrivals"  # the desk and the gate
    template_name = "visits/guest/scan.html"

    def site(self, request):
        scope = desk_sites(request)
        return scope.chosen or (scope.reach[0] if scope.reach else None), scope

    def get(self, request):
        site, scope = self.site(request)
        return render(
            request, self.template_name, {"form": PassCodeForm(), "site": site, "scope": scope}
        )

    def post(self, request):
        site, scope = self.site(request)
        form = PassCodeForm(request.POST)
        result = None
        if form.is_valid() and site is not None:
            result = passes.check_in_by_pass(
                code=form.cleaned_data["code"], site=site, by=request.user
            )
        template = "visits/guest/_scan_result.html" if request.htmx else self.template_name
        return render(
            request,
            template,
            {"form": PassCodeForm(), "site": site, "scope": scope, "result": result},
            status=200 if result is None or result.ok else 422 if not request.htmx else 200,
        )


@method_decorator([login_not_required, never_cache, READS_PHOTOS], name="dispatch")
class KioskView(View):
    """A lobby tablet: a planned visitor scans their pass, or types their mobile number and
    short code; the host is told. No pass: the walk-in way, at the front desk."""

    template_name = "visits/guest/kiosk.html"

    def kiosk(self):
        kiosk = (
            LobbyKiosk.objects.filter(token=self.kwargs["token"], active=True)
            .select_related("site")
            .first()
        )
        if kiosk is None:
            raise Http404
        return kiosk

    def get(self, request, token):
        kiosk = self.kiosk()
        return render(
            request,
            self.template_name,
            {"kiosk": kiosk, "form": KioskForm(), "company": ReceptionPolicy.get()},
        )

    def post(self, request, token):
        kiosk = self.kiosk()
        accepting = "accept_texts" in request.POST
        form = (KioskAcceptForm if accepting else KioskForm)(request.POST)
        result = None
        error = ""
        if form.is_valid():
            scanned = form.cleaned_data["code"].upper().startswith("JDPASS:")
            phone = None if scanned else form.cleaned_data["phone"]
            if accepting:
                try:
                    result = passes.accept_at_kiosk(
                        kiosk=kiosk,
                        code=form.cleaned_data["code"],
                        phone=phone,
                        name=form.cleaned_data["name"],
                    )
                except VisitError as refused:
                    error = str(refused)
            else:
                result = passes.check_in_by_pass(
                    code=form.cleaned_data["code"], site=kiosk.site, kiosk=kiosk, phone=phone
                )
        elif accepting:
            error = str(_("Tick the box and type your name to accept."))
        # Texts the visitor has not accepted yet: offered here, with the pass kept.
        to_accept = passes.notices_to_accept(result) if result is not None else []
        if accepting and error:
            to_accept = passes.current_notices()
        accept_form = None
        if to_accept:
            accept_form = KioskAcceptForm(
                initial={
                    "code": request.POST.get("code", ""),
                    "phone": request.POST.get("phone", ""),
                }
            )
        return render(
            request,
            self.template_name,
            {
                "kiosk": kiosk,
                "form": KioskForm(),
                "result": result,
                "to_accept": to_accept,
                "accept_form": accept_form,
                "accept_error": error,
                "company": ReceptionPolicy.get(),
            },
            status=400 if error else 200,
        )


class BadgeView(RuleRequiredMixin, View):
    """The badges of a visit (or of one visitor, ?visitor=<id>) as a PDF, in a size of the
    policy's (?size=<code>)."""

    permission_required = "visits.print_badges"
    role_permission = "visits.view_arrivals"

    def get_permission_object(self):
        return desk_visit(self.request, self.kwargs["pk"])

    def get(self, request, pk):
        visit = self.get_permission_object()
        people = list(visit.visitors.all())
        wanted = request.GET.get("visitor", "")
        if wanted:
            people = [v for v in people if str(v.pk) == wanted]
            if not people:
                raise Http404
        size = BadgeFormat.objects.filter(code=request.GET.get("size", "")).first()
        pdf = badges.badges_pdf(visit=visit, visitors=people, size=size)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="badges-{visit.reference}.pdf"'
        return response
