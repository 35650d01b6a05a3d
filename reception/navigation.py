"""What each user's navbar and home page offer, decided by their permissions and roles.

The menu is a registry: each app contributes its own entries from its `AppConfig.ready()`
(`register_menu_entries(Entry(...), ...)`), so reception, the ground floor, names no URL,
permission or rule of the apps above it. An entry's `order` places it: the bar and the home
page list entries by it, whichever app registered them first.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAIN = "main"  # the navbar and the home page's "Go to"
ACCOUNT = "account"  # the user's own menu, under their name in the navbar


@dataclass(frozen=True)
class Entry:
    key: str
    label: str | Promise
    description: str | Promise
    icon: str
    url_name: str
    perm: str | None = None
    rule: str | None = None  # a django-rules rule, named (the app that defines it is above)
    order: int = 0  # place in its menu, the smallest first
    menu: str = MAIN

    def url(self) -> str:
        return reverse(self.url_name)

    def allows(self, user) -> bool:
        if self.rule is not None:  # rules are django-rules permissions: has_perm asks them
            return user.has_perm(self.rule)
        return self.perm is None or user.has_perm(self.perm)


_registry: dict[str, Entry] = {}


def register_menu_entries(*entries: Entry) -> None:
    """Add an app's entries to the menus. A key registered again is replaced (a test setting
    up an app twice changes nothing); two keys may not share an order in one menu, so the
    order users see never depends on which app was set up first."""
    for entry in entries:
        taken = next(
            (
                e.key
                for e in _registry.values()
                if e.menu == entry.menu and e.order == entry.order and e.key != entry.key
            ),
            None,
        )
        if taken is not None:
            raise ValueError(f"Menu entry {entry.key!r}: order {entry.order} is taken by {taken!r}")
        _registry[entry.key] = entry


def menu_entries(menu: str = MAIN) -> list[Entry]:
    """Every entry of a menu, in order."""
    return sorted((e for e in _registry.values() if e.menu == menu), key=lambda e: e.order)


# reception's own entries; the apps above add theirs (visits 10, 40-100; approvals 20-30)
register_menu_entries(
    Entry(
        "clients",
        _("Clients"),
        _("Client companies, their contacts and categories."),
        "bi-buildings",
        "reception:client_list",
        perm="reception.view_client",
        order=110,
    ),
    Entry(
        "admin",
        _("Policy administration"),
        _("Grades, standards, departments, roles and every other rule, as editable data."),
        "bi-sliders",
        "admin:index",
        perm="reception.change_receptionpolicy",
        order=120,
    ),
)


NAVBAR_SHOWN = 3  # entries in the bar of a wide screen; the rest are under "More"


def entries_for(user, menu: str = MAIN) -> list[Entry]:
    if not user.is_authenticated:
        return []
    return [e for e in menu_entries(menu) if e.allows(user)]


@dataclass(frozen=True)
class Panel:
    """A section an app above adds to a reception page (the client page's visit history):
    the page loads `url_name` (reversed with the object's id) in place with htmx, and shows
    `link` to it until then or without JavaScript."""

    key: str
    title: str | Promise
    link: str | Promise
    url_name: str
    order: int = 0

    def url(self, pk: int) -> str:
        return reverse(self.url_name, args=[pk])


_panels: dict[str, dict[str, Panel]] = {}


def register_panels(page: str, *panels: Panel) -> None:
    """Add an app's sections to a reception page ("client": the client page); a key
    registered again is replaced."""
    for panel in panels:
        _panels.setdefault(page, {})[panel.key] = panel


def panels_for(page: str, pk: int) -> list[dict]:
    """A page's sections in order, each with its URL for the object `pk`."""
    panels = sorted(_panels.get(page, {}).values(), key=lambda p: p.order)
    return [{"panel": panel, "url": panel.url(pk)} for panel in panels]
