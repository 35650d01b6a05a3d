"""Counted quantities in words, each noun in the form its number asks for ("1 seat",
"2 seats"; Chinese has one form). Each is a Msg, so it renders in the reader's language on a
page (str) and in each recipient's language inside a notification's Msg."""

from django.utils.translation import ngettext_lazy

from reception.notifications.messages import Msg

# Made once: each ngettext_lazy with a named number builds a new proxy class, and a
# task board asks for a quantity on each of its rows.
SEATS = ngettext_lazy("%(n)s seat", "%(n)s seats", "n")
VISITORS = ngettext_lazy("%(n)s visitor", "%(n)s visitors", "n")
MEALS = ngettext_lazy("%(n)s meal", "%(n)s meals", "n")
PLACES = ngettext_lazy("%(n)s place", "%(n)s places", "n")
ROOMS = ngettext_lazy("%(n)s room", "%(n)s rooms", "n")
NIGHTS = ngettext_lazy("%(n)s night", "%(n)s nights", "n")


def seats(n: int) -> Msg:
    return Msg(SEATS, n=n)


def visitors(n: int) -> Msg:
    return Msg(VISITORS, n=n)


def meals_places(meals: int, places: int) -> Msg:
    """Meals for so many places at table: "1 meal × 6 places"."""
    return Msg("%(meals)s × %(places)s", meals=Msg(MEALS, n=meals), places=Msg(PLACES, n=places))


def rooms_nights(rooms: int, nights: int) -> Msg:
    """Hotel rooms for so many nights: "1 room × 2 nights"."""
    return Msg("%(rooms)s × %(nights)s", rooms=Msg(ROOMS, n=rooms), nights=Msg(NIGHTS, n=nights))
