"""The desk and the gate: check-in and check-out, walk-ins."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from ..forms.walk_ins import WalkInForm
from ..models import BOARD_STATUSES, VisitRequest
from ..services import desk
from ..services import walk_ins as walk_ins_service
from ..services.lifecycle import VisitError
from ..views.site_choice import at_my_sites
from .common import DESK, WALK_INS, BadInput, as_form_data, form_errors, require
from .schemas import CheckedOut, CheckIn, Error, WalkInIn, WalkInOut

router = Router(tags=["desk"])


def _check(request: HttpRequest, visit_id: int, payload: CheckIn, *, rule: str, action):
    """As the desk page: the role first (403), the visit among the board's at the user's sites
    (404), the rule (403), then the service, which asks the rule again under the lock."""
    user = require(request, DESK, "visits.check_in_visitors")
    visit = get_object_or_404(
        VisitRequest.objects.filter(at_my_sites(user), status__in=BOARD_STATUSES), pk=visit_id
    )
    if not user.has_perm(rule, visit):
        raise HttpError(403, _("This cannot be done to this visit now."))
    try:
        people = action(visit=visit, by=user, visitor_ids=payload.visitor_ids or None)
    except VisitError as error:
        raise HttpError(409, str(error.message)) from None
    done = visit.visitors.filter(pk__in=[p.pk for p in people]).order_by("pk")
    return CheckedOut(visitors=list(done))  # type: ignore[arg-type]


@router.post(
    "/visits/{visit_id}/check-in", response={200: CheckedOut, 403: Error, 404: Error, 409: Error}
)
def check_in(request: HttpRequest, visit_id: int, payload: CheckIn):
    return _check(request, visit_id, payload, rule="visits.check_in", action=desk.check_in)


@router.post(
    "/visits/{visit_id}/check-out", response={200: CheckedOut, 403: Error, 404: Error, 409: Error}
)
def check_out(request: HttpRequest, visit_id: int, payload: CheckIn):
    return _check(request, visit_id, payload, rule="visits.check_out", action=desk.check_out)


@router.post("/walk-ins", response={201: WalkInOut, 400: Error, 403: Error})
def record_walk_in(request: HttpRequest, payload: WalkInIn):
    """Record unannounced visitors at the gate; the person asked for is told at once."""
    user = require(request, WALK_INS, "visits.add_walkin")
    form = WalkInForm(as_form_data(payload.dict()), by=user)
    if not form.is_valid():
        raise BadInput(form_errors(form))
    try:
        walk_in = walk_ins_service.record_walk_in(by=user, **form.cleaned_data)
    except VisitError as error:
        raise BadInput({"__all__": [str(error.message)]}, str(error.message)) from None
    return 201, walk_in
