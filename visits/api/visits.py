"""Visits: the list (the page's filters, cursor pagination), one visit, its visitors, filing."""

import base64
import uuid

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from ..filters import VisitFilter
from ..forms.requests import VisitorFormSet, VisitRequestForm
from ..models import VisitRequest
from ..selectors import visible_visits, with_list_facts
from ..services import requests as services
from ..services.lifecycle import VisitError
from .common import FILE_REQUESTS, READ_VISITS, BadInput, as_form_data, form_errors, require
from .schemas import Error, Person, VisitIn, VisitorOut, VisitOut, VisitPage

router = Router(tags=["visits"])
PAGE_SIZE = 50


class VisitQuery(Schema):
    status: str | None = None
    arrival_from: str | None = Field(None, description="YYYY-MM-DD")
    arrival_to: str | None = Field(None, description="YYYY-MM-DD")
    site: str | None = Field(None, description="A site's code")
    cursor: str | None = None
    limit: int = Field(PAGE_SIZE, ge=1, le=200)


def person(user) -> Person | None:
    if user is None:
        return None
    return Person(id=user.pk, username=user.username, full_name=user.full_name)


def visit_out(visit: VisitRequest) -> VisitOut:
    grade = visit.final_grade or visit.proposed_grade
    return VisitOut(
        id=visit.pk,
        reference=visit.reference,
        status=visit.status,
        client_id=visit.client_id,
        client=visit.client.name if visit.client else None,
        site=visit.site.code if visit.site else None,
        arrival_at=visit.arrival_at,
        departure_at=visit.departure_at,
        headcount=visit.headcount,
        applicant=person(visit.applicant),  # type: ignore[arg-type]
        main_host=person(visit.main_host),
        grade=grade.code if grade else None,
        updated_at=visit.updated_at,
    )


def _cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(str(pk).encode()).decode()


def _after(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (ValueError, UnicodeDecodeError):
        raise BadInput({"cursor": [_("This cursor is not one the API gave.")]}) from None


def scoped_visits(user):
    return with_list_facts(visible_visits(user)).select_related(
        "client", "site", "applicant", "main_host", "final_grade", "proposed_grade"
    )


@router.get("/visits", response={200: VisitPage, 400: Error, 403: Error})
def list_visits(request: HttpRequest, query: Query[VisitQuery]):
    """The visits the token's user sees on the visit list, newest filed first."""
    user = require(request, READ_VISITS, "visits.view_visitrequest")
    params = {k: v for k, v in query.dict().items() if k in VisitFilter.base_filters and v}
    filterset = VisitFilter(as_form_data(params) or None, queryset=scoped_visits(user))
    if filterset.is_bound and not filterset.is_valid():
        raise BadInput(form_errors(filterset.form))
    visits = filterset.qs.order_by("-pk")
    if query.site:
        visits = visits.filter(site__code=query.site)
    if query.cursor:
        visits = visits.filter(pk__lt=_after(query.cursor))
    rows = list(visits[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return VisitPage(
        items=[visit_out(v) for v in rows], next_cursor=_cursor(rows[-1].pk) if more else None
    )


@router.get("/visits/{visit_id}", response={200: VisitOut, 403: Error, 404: Error})
def get_visit(request: HttpRequest, visit_id: int):
    user = require(request, READ_VISITS, "visits.view_visitrequest")
    return visit_out(get_object_or_404(scoped_visits(user), pk=visit_id))


@router.get("/visits/{visit_id}/visitors", response={200: list[VisitorOut], 403: Error, 404: Error})
def list_visitors(request: HttpRequest, visit_id: int):
    user = require(request, READ_VISITS, "visits.view_visitrequest")
    visit = get_object_or_404(visible_visits(user), pk=visit_id)
    return list(visit.visitors.order_by("pk"))


@router.post("/visits", response={201: VisitOut, 200: VisitOut, 400: Error, 403: Error})
def file_visit(request: HttpRequest, payload: VisitIn):
    """File a request as the filing page does (the same form, checks and service); `submit`
    sends it for approval. Nothing is saved when anything is wrong."""
    user = require(request, FILE_REQUESTS, "visits.add_visitrequest")
    values = payload.dict()
    visitors = values.pop("visitors")
    submit = values.pop("submit")
    token = values.pop("submission_token")
    try:
        token_id = uuid.UUID(token) if token else None
    except ValueError:
        raise BadInput({"submission_token": [_("Enter a valid UUID.")]}) from None
    if earlier := services.filed_with_token(user, token_id):
        return 200, visit_out(scoped_visits(user).get(pk=earlier.pk))
    visit = VisitRequest(applicant=user)
    form = VisitRequestForm(as_form_data(values), instance=visit)
    rows = as_form_data(
        {f"{i}-{k}": v for i, row in enumerate(visitors) for k, v in row.items()}, "visitors-"
    )
    rows.update({"visitors-TOTAL_FORMS": str(len(visitors)), "visitors-INITIAL_FORMS": "0"})
    formset = VisitorFormSet(rows, prefix="visitors")
    if not (form.is_valid() and formset.is_valid()):
        raise BadInput({**form_errors(form), **form_errors(formset, "visitors.")})
    kept = formset.rows()  # type: ignore[attr-defined]
    if not form.check_visitor_count(len(kept)) or (submit and not form.check_submission(len(kept))):
        raise BadInput(form_errors(form))
    try:
        with transaction.atomic():
            visit = services.file_visit_request(
                applicant=user, data=form.cleaned_data, visitors=kept, submit=submit, token=token_id
            )
    except services.AlreadyFiled as error:
        return 200, visit_out(scoped_visits(user).get(pk=error.visit.pk))
    except VisitError as error:  # the service's last word; nothing was saved
        raise BadInput({"__all__": [str(error.message)]}, str(error.message)) from None
    return 201, visit_out(scoped_visits(user).get(pk=visit.pk))
