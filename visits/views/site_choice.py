"""Which sites a desk page shows: the sites the user works at (all of them when none is
assigned, so a one-site company sees what it always saw), narrowed to one by the switcher
(?site=<code>, or ?site=all), remembered in the session."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from reception.models import Site, User

from ..selectors import at_my_sites

__all__ = ["ALL", "DeskSites", "at_my_sites", "desk_sites", "several_sites", "recording_site"]

SESSION_KEY = "desk_site"
ALL = "all"


@dataclass
class DeskSites:
    reach: list[Site]  # the sites this user's desk covers
    everywhere: bool  # no site assigned: every site, unfiltered
    chosen: Site | None = None  # the one the switcher narrowed to; None: all of reach

    @property
    def switchable(self) -> bool:
        return len(self.reach) > 1

    @property
    def shown(self) -> Site | None:
        """The one site the page shows, named in its title: the switcher's choice, or the
        only site of someone assigned to one (a one-site company names none)."""
        if self.chosen is not None:
            return self.chosen
        return self.reach[0] if not self.everywhere and len(self.reach) == 1 else None

    def q(self, path: str = "site") -> Q:
        """A filter keeping the visits (or rows reaching a visit's site through `path`) at
        the shown sites."""
        if self.chosen is not None:
            return Q(**{path: self.chosen})
        if self.everywhere:
            return Q()
        return Q(**{f"{path}__in": self.reach})


def desk_sites(request) -> DeskSites:
    """The user's sites in one query, and the switcher's choice (asked now, or remembered)."""
    user = request.user
    mine = User.sites.through.objects.filter(user_id=user.pk, site_id=OuterRef("pk"))
    sites = list(Site.objects.annotate(mine=Exists(mine)))
    assigned = [s for s in sites if getattr(s, "mine")]  # noqa: B009  # annotated
    scope = DeskSites(reach=assigned or sites, everywhere=not assigned)
    by_code = {s.code: s for s in scope.reach}
    asked = request.GET.get("site")
    if asked is not None and (asked == ALL or asked in by_code):
        request.session[SESSION_KEY] = asked
    remembered = request.session.get(SESSION_KEY)
    if scope.switchable:
        scope.chosen = by_code.get(remembered) if remembered != ALL else None
    return scope


def recording_site(sites: DeskSites, user) -> Site | None:
    """Where something the desk or gate records happens (a walk-in): the switcher's site,
    else the user's home site when in reach and open, else the first open site in reach."""
    if sites.chosen is not None and sites.chosen.is_active:
        return sites.chosen
    open_sites = [s for s in sites.reach if s.is_active]
    home = next((s for s in open_sites if s.pk == user.home_site_id), None)
    return home or (open_sites[0] if open_sites else None)


def several_sites() -> bool:
    """Whether the company has more than one site (pages then name each row's site)."""
    return Site.objects.count() > 1
