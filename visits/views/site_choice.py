"""Which sites a desk page shows: the sites the user works at (all of them when none is
assigned, so a one-site company sees what it always saw), narrowed to one by the switcher
(?site=<code>, or ?site=all), remembered in the session."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from reception.models import Site, User

from ..models import ItineraryItem

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


def at_my_sites(user, path: str = "site") -> Q:
    """A filter keeping what is at one of the user's sites, or everything when the user has
    no site assigned: a site's desk never opens another site's visit."""
    assigned = User.sites.through.objects.filter(user_id=user.pk)
    # A visit across sites is also the business of the desks its itinerary takes it to.
    outer = path.removesuffix("site").removesuffix("__") or "pk"
    touring = ItineraryItem.objects.filter(
        visit=OuterRef(outer), site__in=assigned.values("site_id")
    )
    return (
        Q(**{f"{path}__in": assigned.values("site_id")}) | Q(Exists(touring)) | Q(~Exists(assigned))
    )
