"""The scopes a token may hold: reception's own, and those the apps above register."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    code: str
    label: str | Promise


_SCOPES: dict[str, Scope] = {}


def register_scopes(*scopes: Scope) -> None:
    for scope in scopes:
        _SCOPES[scope.code] = scope


def all_scopes() -> list[Scope]:
    return list(_SCOPES.values())


def choices() -> list[tuple[str, str | Promise]]:
    return [(s.code, s.label) for s in _SCOPES.values()]


CLIENTS = "clients"
STAFF = "staff"
register_scopes(
    Scope(CLIENTS, _("Clients: create and update by external id")),
    Scope(STAFF, _("Staff: create, update and deactivate by employee number")),
)
