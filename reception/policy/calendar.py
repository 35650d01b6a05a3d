"""Working days in mainland China.

Each date is answered, in this order, by
1. the administrator's calendar entries (`CalendarDay`: a company shutdown, an extra working
   day, or a whole year's official schedule entered before the library knows it);
2. the official public holidays and make-up working days (调休) from `chinesecalendar`,
   which raises NotImplementedError for years whose schedule it does not carry yet;
3. for such years, weekends only — logged once per year and shown on the admin calendar page.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

import chinese_calendar
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import get_language

from ..models import CalendarDay

log = logging.getLogger(__name__)

ENTRY, OFFICIAL, WEEKENDS = "entry", "official", "weekends"
# Longest stretch without a working day the search accepts before giving up.
MAX_DAYS_OFF_IN_A_ROW = 60

_warned_years: set[int] = set()


@cache
def official_schedule_known(year: int) -> bool:
    """Whether chinesecalendar carries the official schedule of this year."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@cache
def official_years() -> tuple[int, int] | None:
    """First and last year of the library's official schedules."""
    years = [y for y in range(1990, 2101) if official_schedule_known(y)]
    return (years[0], years[-1]) if years else None


def official_years_label() -> str:
    span = official_years()
    return f"{span[0]}–{span[1]}" if span else "—"


def _holiday_name(english: str | None) -> str:
    """The library names holidays in English; its enum knows the Chinese name too."""
    if not english:
        return ""
    if (get_language() or "").startswith("zh"):
        for holiday in chinese_calendar.Holiday:
            if holiday.value == english:
                return holiday.chinese
    return english


@dataclass(frozen=True)
class DayInfo:
    day: date
    working: bool
    source: str  # ENTRY, OFFICIAL or WEEKENDS
    note: str = ""


class WorkingCalendar:
    """Answers many dates with one query per year for the administrator's entries.

    Make one per job (a sweep, a batch of due dates) so edits in the admin are seen next time.
    """

    def __init__(self, site_id: int | None = None) -> None:
        """`site_id`: the calendar of that site, its own entries winning over the group's (a
        site without its own follows the group's); none: the group's alone."""
        self.site_id = site_id
        self._entries: dict[int, dict] = {}
        self._span: tuple[date, date, dict] | None = None

    def _read(self, **dates) -> dict:
        """The entries of those dates, the group's then the site's (which win), in one query."""
        mine = Q(site__isnull=True)
        if self.site_id:
            mine |= Q(site_id=self.site_id)
        rows = CalendarDay.objects.filter(mine, **dates).order_by(
            F("site_id").asc(nulls_first=True)
        )
        return {e.day: e for e in rows}

    def preload(self, first: date, last: date) -> "WorkingCalendar":
        """Read the administrator's entries for first..last in one query (days outside it are
        read by year, as before): a page that looks a few weeks ahead costs one query, across
        a new year too."""
        self._span = (first, last, self._read(day__range=(first, last)))
        return self

    def _entry(self, day: date):
        if self._span and self._span[0] <= day <= self._span[1]:
            return self._span[2].get(day)
        if day.year not in self._entries:
            self._entries[day.year] = self._read(day__year=day.year)
        return self._entries[day.year].get(day)

    def info(self, day: date) -> DayInfo:
        entry = self._entry(day)
        if entry is not None:
            return DayInfo(day, entry.is_working_day, ENTRY, entry.note)
        if official_schedule_known(day.year):
            working = chinese_calendar.is_workday(day)
            _off, name = chinese_calendar.get_holiday_detail(day)
            return DayInfo(day, working, OFFICIAL, _holiday_name(name))
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "The holiday library has no official schedule for %s (it covers %s): counting "
                "weekends only, plus the days entered in the admin calendar.",
                day.year,
                official_years_label(),
            )
        return DayInfo(day, day.weekday() < 5, WEEKENDS)

    def is_working_day(self, day: date) -> bool:
        return self.info(day).working

    def _step(self, day: date, n: int, direction: int) -> date:
        current, remaining, idle = day, n, 0
        while remaining > 0:
            current += timedelta(days=direction)
            if self.is_working_day(current):
                remaining -= 1
                idle = 0
            else:
                idle += 1
                if idle > MAX_DAYS_OFF_IN_A_ROW:
                    raise ValueError(f"no working day within {idle} days of {current}")
        return current

    def working_days_before(self, day: date, n: int) -> date:
        """The date n working days before `day` (n=0: `day` itself)."""
        return self._step(day, n, -1)

    def working_days_after(self, day: date, n: int) -> date:
        """The date n working days after `day` (n=0: `day` itself)."""
        return self._step(day, n, +1)

    def shift(self, day: date, offset: int) -> date:
        """offset < 0: that many working days before; > 0: after; 0: the day itself."""
        if offset < 0:
            return self.working_days_before(day, -offset)
        return self.working_days_after(day, offset)


def is_working_day(day: date) -> bool:
    return WorkingCalendar().is_working_day(day)


def working_days_before(day: date, n: int) -> date:
    """The date n working days before `day` (n=0: `day` itself)."""
    return WorkingCalendar().working_days_before(day, n)


def working_days_after(day: date, n: int) -> date:
    return WorkingCalendar().working_days_after(day, n)


def years_without_official_schedule(years) -> list[int]:
    return [y for y in years if not official_schedule_known(y)]


def working_hours_between(
    start: datetime,
    end: datetime,
    *,
    day_start: time,
    day_end: time,
    calendar: WorkingCalendar | None = None,
) -> float:
    """Hours between two moments that fall inside working hours (day_start–day_end, local
    time) of working days: a step that waited over a weekend waited no working hours then."""
    if end <= start or day_end <= day_start:
        return 0.0
    calendar = calendar or WorkingCalendar()
    start, end = timezone.localtime(start), timezone.localtime(end)
    tz = start.tzinfo
    total = 0.0
    day = start.date()
    while day <= end.date():
        if calendar.is_working_day(day):
            opens = datetime.combine(day, day_start, tzinfo=tz)
            closes = datetime.combine(day, day_end, tzinfo=tz)
            overlap = (min(end, closes) - max(start, opens)).total_seconds()
            total += max(overlap, 0) / 3600
        day += timedelta(days=1)
    return total
