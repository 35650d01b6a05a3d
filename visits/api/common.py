"""What every endpoint shares: the token's user and scopes, errors as JSON, bad input as 400."""

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer

from reception.accounts import access
from reception.api_tokens import services as tokens
from reception.api_tokens.models import ApiToken
from reception.api_tokens.scopes import Scope, register_scopes

# The scopes visits offers (reception's own: clients, staff).
READ_VISITS = "read_visits"
FILE_REQUESTS = "file_requests"
DESK = "desk"
WALK_INS = "walk_ins"
TASKS = "tasks"
PASSES = "passes"


def register_visit_scopes() -> None:
    from django.utils.translation import gettext_lazy

    register_scopes(
        Scope(READ_VISITS, gettext_lazy("Visits: read requests and their visitors")),
        Scope(FILE_REQUESTS, gettext_lazy("Visits: file requests")),
        Scope(DESK, gettext_lazy("Desk: check visitors in and out")),
        Scope(WALK_INS, gettext_lazy("Walk-ins: record unannounced visitors")),
        Scope(TASKS, gettext_lazy("Preparation tasks: list and tick")),
        Scope(PASSES, gettext_lazy("Visitor passes: list, check at the gate, report passages")),
    )


class RateLimited(Exception):
    pass


class BadInput(Exception):
    """400 with field errors, already in the reader's language."""

    def __init__(self, errors: dict[str, list[str]], detail: str = "") -> None:
        super().__init__(detail)
        self.errors = errors
        self.detail = detail


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: the request acts as the token's user."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = tokens.authenticate(token)
        if found is None:
            return None
        if tokens.over_rate_limit(found):
            raise RateLimited
        request.user = found.user
        # what the user may do, from the cache, as AccessMiddleware does for the pages
        access.load(found.user)
        request.api_token = found  # type: ignore[attr-defined]
        return found


def token_of(request: HttpRequest) -> ApiToken:
    return request.auth  # type: ignore[attr-defined]


def require(request: HttpRequest, scope: str, *perms: str) -> Any:
    """The token holds `scope` and its user every role permission in `perms`, or 403."""
    if not token_of(request).has_scope(scope):
        raise HttpError(
            403, _("This token does not have the “%(scope)s” scope.") % {"scope": scope}
        )
    user = request.user
    for perm in perms:
        if not user.has_perm(perm):
            raise HttpError(403, _("You do not have permission to do this."))
    return user


def form_errors(form: forms.BaseForm | forms.BaseFormSet, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(form, forms.BaseFormSet):
        errors: dict[str, list[str]] = {}
        for i, row in enumerate(form.forms):
            errors.update(form_errors(row, f"{prefix}{i}."))
        if form.non_form_errors():
            errors[prefix.rstrip(".") or "__all__"] = [str(e) for e in form.non_form_errors()]
        return errors
    return {
        (prefix + field if field != "__all__" else prefix.rstrip(".") or "__all__"): [
            str(e) for e in messages
        ]
        for field, messages in form.errors.items()
    }


def as_form_data(values: dict[str, Any], prefix: str = "") -> MultiValueDict:
    """JSON values as a form's data: None as empty, booleans as the checkbox sends them."""
    data: MultiValueDict = MultiValueDict()
    for key, value in values.items():
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        values_ = value if isinstance(value, list) else [value]
        data.setlist(prefix + key, [str(v) for v in values_])
    return data
