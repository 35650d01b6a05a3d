"""What a visit should cost by its grade's standard (seed 001 九), before it takes place:
shown at filing, on the visit page and on the approval card."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reception.models import ReceptionStandard

from ..models import ExpenseCategory, Service, VisitRequest

ZERO = Decimal("0.00")
# A car pick-up and drop-off is two trips.
CAR_TRIPS = 2


@dataclass(frozen=True)
class EstimateLine:
    category: ExpenseCategory
    quantity: int
    unit: object  # a translatable unit name
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Estimate:
    standard: ReceptionStandard | None
    lines: list[EstimateLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def by_category(self) -> dict[str, Decimal]:
        return {line.category.value: line.amount for line in self.lines}


def unit_price(standard: ReceptionStandard | None, category: str) -> Decimal | None:
    """What the standard allows per unit of `category`; None when it sets no limit.

    Hotel and car: nothing is allowed when the grade has no hotel or car class; with a class
    but no reference price set, the line is not compared."""
    if standard is None:
        return None
    if category == ExpenseCategory.MEAL:
        return standard.meal_per_person
    if category == ExpenseCategory.WINE:
        return standard.wine_per_bottle
    if category == ExpenseCategory.CIGARETTES:
        return standard.cigarettes_per_pack
    if category == ExpenseCategory.HOTEL:
        if not standard.hotel_class:
            return Decimal("0")
        return standard.hotel_room_price or None
    if category == ExpenseCategory.CAR:
        if not standard.car_class:
            return Decimal("0")
        return standard.car_trip_price or None
    return None  # gifts, activities, other: no per-unit standard


def grade_standard(visit: VisitRequest) -> ReceptionStandard | None:
    grade = visit.grade
    if grade is None:
        return None
    try:
        return grade.standard
    except ReceptionStandard.DoesNotExist:
        return None


def estimate(visit: VisitRequest) -> Estimate:
    """Meals × people × occasions, wine and cigarettes as requested, hotel rooms × nights at
    the standard's reference price, and the car when the grade provides one."""
    standard = grade_standard(visit)
    if standard is None:
        return Estimate(standard=None)
    lines = []
    people = (visit.headcount or 0) + (visit.meal_staff or 0)

    def add(category: ExpenseCategory, quantity: int, unit: str | Promise, price: Decimal) -> None:
        if quantity > 0 and price > 0:
            amount = (price * quantity).quantize(Decimal("0.01"))
            lines.append(EstimateLine(category, quantity, unit, price, amount))

    add(ExpenseCategory.MEAL, visit.meals * people, _("person-meals"), standard.meal_per_person)
    add(ExpenseCategory.WINE, visit.wine_bottles, _("bottles"), standard.wine_per_bottle)
    add(ExpenseCategory.CIGARETTES, visit.cigarette_packs, _("packs"), standard.cigarettes_per_pack)
    if standard.hotel_class:
        add(
            ExpenseCategory.HOTEL,
            visit.rooms * visit.nights,
            _("room-nights"),
            standard.hotel_room_price,
        )
    if standard.car_class and Service.CAR in (visit.services or []):
        add(ExpenseCategory.CAR, CAR_TRIPS, _("trips"), standard.car_trip_price)
    return Estimate(standard=standard, lines=lines)


# ---- where a request goes over its grade's standard (the decision card) -------------------


@dataclass(frozen=True)
class OverLine:
    """One category the request asks more for than the grade's standard allows: per unit,
    what the standard allows (0: the grade does not provide it) and what was asked, priced
    at the standard of the grade the applicant proposed, or, for what that grade does not
    provide either, of the nearest higher grade that does (None: no grade provides it)."""

    category: ExpenseCategory
    quantity: int
    unit: object
    allowed_price: Decimal
    asked_price: Decimal | None
    asked_grade: object  # the ReceptionGrade whose price `asked_price` is

    @property
    def allowed(self) -> Decimal:
        return (self.allowed_price * self.quantity).quantize(Decimal("0.01"))

    @property
    def asked(self) -> Decimal | None:
        if self.asked_price is None:
            return None
        return (self.asked_price * self.quantity).quantize(Decimal("0.01"))

    @property
    def difference(self) -> Decimal | None:
        return None if self.asked is None else self.asked - self.allowed


def _provided(standard: ReceptionStandard | None, category: str) -> Decimal | None:
    """The standard's price per unit of `category` when it provides it, else None."""
    price = unit_price(standard, category)
    return price if price else None


def _requested(visit: VisitRequest) -> list[tuple[ExpenseCategory, int, object]]:
    """What the request asks for, in the estimate's units."""
    people = (visit.headcount or 0) + (visit.meal_staff or 0)
    car = CAR_TRIPS if Service.CAR in (visit.services or []) else 0
    return [
        (ExpenseCategory.MEAL, visit.meals * people, _("person-meals")),
        (ExpenseCategory.WINE, visit.wine_bottles, _("bottles")),
        (ExpenseCategory.CIGARETTES, visit.cigarette_packs, _("packs")),
        (ExpenseCategory.HOTEL, visit.rooms * visit.nights, _("room-nights")),
        (ExpenseCategory.CAR, car, _("trips")),
    ]


def over_standard(visit: VisitRequest, ladder: list[ReceptionStandard]) -> list[OverLine]:
    """Line by line, where the request goes over the standard of its grade (the final one once
    marketing fixed it): what it asks that the grade does not provide (a car at a grade without
    one), and, when marketing fixed a lower grade than the applicant proposed, the difference
    in price per unit. `ladder`: the standards of the grade's scheme, highest grade first."""
    grade = visit.grade
    standard = grade_standard(visit)
    if grade is None or standard is None:
        return []
    proposed = visit.proposed_grade or grade
    by_grade = {s.grade_id: s for s in ladder}
    asked_from = by_grade.get(proposed.pk, standard)
    lines = []
    for category, quantity, unit in _requested(visit):
        if quantity <= 0:
            continue
        allowed = _provided(standard, category) or Decimal("0")
        asked, asked_grade = _provided(asked_from, category), asked_from.grade
        if asked is None:  # nearest grade above the proposed one that provides it
            above = [s for s in ladder if s.grade.rank < asked_from.grade.rank]
            providing = [s for s in above if _provided(s, category)]
            if providing:
                nearest = providing[-1]
                asked, asked_grade = _provided(nearest, category), nearest.grade
        if asked is None and allowed == 0:
            lines.append(OverLine(category, quantity, unit, allowed, None, None))
        elif asked is not None and asked > allowed:
            lines.append(OverLine(category, quantity, unit, allowed, asked, asked_grade))
    return lines


def standards_ladder(visits: list[VisitRequest]) -> dict[int, list[ReceptionStandard]]:
    """For these visits' grades, every standard of their schemes, highest grade first, by
    scheme id: one query for a page of cards."""
    schemes = {g.scheme_id for v in visits for g in (v.proposed_grade, v.final_grade) if g}
    ladders: dict[int, list[ReceptionStandard]] = {s: [] for s in schemes}
    if schemes:
        standards = ReceptionStandard.objects.filter(grade__scheme_id__in=schemes)
        for standard in standards.select_related("grade").order_by("grade__rank"):
            ladders[standard.grade.scheme_id].append(standard)
    return ladders
