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
