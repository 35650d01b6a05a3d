"""Clients (the CRM's external id) and staff (the HR system's employee number): upserts."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.errors import HttpError

from reception.api_tokens.scopes import CLIENTS, STAFF
from reception.organisation import sync

from .common import BadInput, form_errors, require
from .schemas import ClientIn, ClientOut, Error, StaffIn, StaffOut

router = Router(tags=["organisation"])
KEY = r"^[-A-Za-z0-9_.:]{1,40}$"


def _refused() -> HttpError:
    return HttpError(403, _("You do not have permission to do this."))


@router.put(
    "/clients/{external_id}", response={200: ClientOut, 201: ClientOut, 400: Error, 403: Error}
)
def upsert_client(
    request: HttpRequest, external_id: str = Path(..., pattern=KEY), *, payload: ClientIn
):
    """Create the client with this external id, or update the fields sent."""
    user = require(request, CLIENTS)
    try:
        client, created = sync.upsert_client(
            by=user, external_id=external_id, data=payload.dict(exclude_unset=True)
        )
    except PermissionDenied:
        raise _refused() from None
    except sync.InvalidData as error:
        raise BadInput(form_errors(error.form)) from None
    out = ClientOut.from_orm(client)
    out.created = created
    return (201 if created else 200), out


@router.put(
    "/staff/{employee_number}", response={200: StaffOut, 201: StaffOut, 400: Error, 403: Error}
)
def upsert_staff(
    request: HttpRequest, employee_number: str = Path(..., pattern=KEY), *, payload: StaffIn
):
    user = require(request, STAFF)
    try:
        person, created = sync.upsert_staff(
            by=user, employee_number=employee_number, data=payload.dict(exclude_unset=True)
        )
    except PermissionDenied:
        raise _refused() from None
    except sync.InvalidData as error:
        raise BadInput(form_errors(error.form)) from None
    out = StaffOut.from_orm(person)
    out.created = created
    return (201 if created else 200), out


@router.post(
    "/staff/{employee_number}/deactivate", response={200: StaffOut, 403: Error, 404: Error}
)
def deactivate_staff(request: HttpRequest, employee_number: str = Path(..., pattern=KEY)):
    user = require(request, STAFF)
    try:
        person = sync.deactivate_staff(by=user, employee_number=employee_number)
    except PermissionDenied:
        raise _refused() from None
    if person is None:
        raise HttpError(404, _("Not found."))
    return StaffOut.from_orm(person)
