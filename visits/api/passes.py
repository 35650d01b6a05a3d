"""Visitor passes: a visit's passes, and the access control's two calls, the pass check at a
turnstile (`POST /passes/check`, reads only) and the passage reported back
(`POST /passes/passage`, checks the visitor in when not yet in). docs/access-control.md."""

from datetime import date

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from reception.errors import RuleError
from reception.models import Site

from ..models import BOARD_STATUSES, PassOutcome, VisitorPass, VisitRequest
from ..selectors import at_my_sites, visible_visits
from ..services import passes as services
from .common import PASSES, BadInput, require
from .schemas import Error

router = Router(tags=["passes"])


class PassOut(Schema):
    id: int
    code: str = Field(description="The short code; the QR holds `JDPASS:` and it.")
    visitor_id: int | None
    visitor: str | None
    site: str | None = Field(description="The site's code")
    valid_from: date | None
    valid_until: date | None
    revoked: bool


class PassIn(Schema):
    code: str = Field(description="The short code, or the QR's text as scanned.")
    site: str = Field(description="The site's code where the gate stands.")
    gate: str = Field("", max_length=100, description="The gate or turnstile, free text.")


class PassAnswer(Schema):
    valid: bool = Field(description="Open the gate.")
    outcome: str = Field(description="valid, already_in, checked_in, expired, revoked, …")
    reason: str = Field(description="One sentence to show, in the reader's language.")
    visitor: str | None
    visit_reference: str | None
    host: str | None
    valid_until: date | None
    checked_in: bool = Field(False, description="The passage checked the visitor in.")


def _site(user, code: str) -> Site:
    """The site by its code (400 when there is none); 403 when the user's desk does not
    cover it (a user assigned to no site covers every site, as on the desk pages)."""
    site = Site.objects.filter(code=code.strip()).first()
    if site is None:
        raise BadInput({"site": [_("There is no site with this code.")]})
    assigned = set(user.sites.values_list("pk", flat=True))
    if assigned and site.pk not in assigned:
        raise HttpError(403, _("You do not work at this site."))
    return site


def _answer(result: services.PassResult) -> PassAnswer:
    found = result.visitor_pass
    visit = found.visit if found is not None else None
    host = visit.main_host if visit is not None else None
    return PassAnswer(
        valid=result.ok,
        outcome=str(result.outcome),
        reason=result.sentence,
        visitor=result.visitor.name if result.visitor else None,
        visit_reference=visit.reference if visit else None,
        host=host.full_name if host else None,
        valid_until=services.visit_days(visit)[1] if visit and visit.site_id else None,
        checked_in=result.outcome == PassOutcome.CHECKED_IN,
    )


@router.get("/visits/{visit_id}/passes", response={200: list[PassOut], 403: Error, 404: Error})
def list_passes(request: HttpRequest, visit_id: int):
    """The passes of the visit's visitors, revoked ones too (made when the guest's invitation
    is opened or a badge printed; reading makes none): for those who see the visit on the
    visit list, and for the desk and the gate the visits on their arrivals board."""
    user = require(request, PASSES)
    if user.has_perm("visits.view_visitrequest"):  # those who see it on the visit list
        reach = visible_visits(user)
    elif user.has_perm("visits.view_arrivals"):  # the desk and the gate: the board's visits
        reach = VisitRequest.objects.filter(
            at_my_sites(user, visit="pk"), status__in=BOARD_STATUSES
        )
    else:
        raise HttpError(403, _("You do not have permission to do this."))
    visit = get_object_or_404(reach.select_related("site"), pk=visit_id)
    first, last = services.visit_days(visit) if visit.site_id else (None, None)
    rows = VisitorPass.objects.filter(visit=visit).select_related("visitor").order_by("pk")
    return [
        PassOut(
            id=p.pk,
            code=p.code,
            visitor_id=p.visitor_id,
            visitor=p.visitor.name if p.visitor else None,
            site=visit.site.code if visit.site_id else None,
            valid_from=first,
            valid_until=last,
            revoked=p.revoked_at is not None,
        )
        for p in rows
    ]


@router.post("/passes/check", response={200: PassAnswer, 400: Error, 403: Error})
def check(request: HttpRequest, payload: PassIn):
    """Is this pass valid here now? Reads only: nobody is checked in."""
    user = require(request, PASSES, "visits.view_arrivals")
    site = _site(user, payload.site)
    return _answer(services.check_pass(code=payload.code, site=site))


@router.post("/passes/passage", response={200: PassAnswer, 400: Error, 403: Error})
def passage(request: HttpRequest, payload: PassIn):
    """The visitor passed the gate: logged, and checked in when not yet in (on the visit's
    timeline, naming the gate). A repeat report changes nothing and answers `already_in`."""
    user = require(request, PASSES, "visits.view_arrivals")
    site = _site(user, payload.site)
    try:
        result = services.check_in_by_pass(code=payload.code, site=site, by=user, gate=payload.gate)
    except RuleError as error:  # the rule, asked again under the visit's lock
        raise HttpError(403, str(error)) from None
    return _answer(result)
