"""Working days. Until the holiday calendar arrives, weekends are the only days off."""

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def working_days_before(day: date, n: int) -> date:
    """The date n working days before `day` (n=0: `day` itself)."""
    current = day
    remaining = n
    while remaining > 0:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
