"""Entering a year's official schedule (or a company's shutdowns) in one step.

The list has one date or range per line, then whether it is a day off or a working day, then
an optional note. Blank lines and lines starting with # are ignored; fields are separated by
spaces, tabs or commas:

    # 2027, 国务院办公厅通知
    2027-01-01              off      元旦
    2027-02-06..2027-02-14  off      春节
    2027-02-20              work     春节调休上班

Day off: off, holiday, 休, 休息, 放假. Working day: work, working, 班, 上班, 补班.
Ranges: 2027-02-06..2027-02-14, 2027-02-06~2027-02-14 or 2027-02-06至2027-02-14.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import CalendarDay, DayKind
from .loading import LoadReport, upsert

OFF_WORDS = {"off", "holiday", "dayoff", "day-off", "休", "休息", "放假", "假"}
WORK_WORDS = {"work", "working", "workday", "working-day", "班", "上班", "补班", "调休上班"}
MAX_RANGE_DAYS = 31
_DATE = r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"
_RANGE = re.compile(rf"^({_DATE})\s*(?:\.\.|~|～|至)\s*({_DATE})$")


class CalendarImportError(ValueError):
    def __init__(self, line_no: int, message: str):
        super().__init__(_("Line %(line)s: %(problem)s") % {"line": line_no, "problem": message})


@dataclass(frozen=True)
class Entry:
    day: date
    kind: str
    note: str = ""


def _date(text: str, line_no: int) -> date:
    try:
        year, month, day = (int(part) for part in re.split(r"[-/.]", text))
        return date(year, month, day)
    except ValueError:
        problem = _("“%(text)s” is not a date.") % {"text": text}
        raise CalendarImportError(line_no, problem) from None


def _dates(text: str, line_no: int) -> list[date]:
    match = _RANGE.match(text)
    if not match:
        return [_date(text, line_no)]
    first, last = _date(match[1], line_no), _date(match[2], line_no)
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise CalendarImportError(
            line_no,
            _("A range runs forwards and covers at most %(n)s days.") % {"n": MAX_RANGE_DAYS},
        )
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _kind(word: str, line_no: int) -> str:
    word = word.lower()
    if word in OFF_WORDS:
        return DayKind.OFF
    if word in WORK_WORDS:
        return DayKind.WORKING
    raise CalendarImportError(
        line_no,
        _("say “off” (a day off) or “work” (a working day), not “%(word)s”.") % {"word": word},
    )


def parse_calendar(text: str) -> list[Entry]:
    """The entries of a pasted or uploaded list; CalendarImportError names the bad line."""
    entries: dict[date, Entry] = {}
    for line_no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        # Dates may be written "2027-02-06 .. 2027-02-14": glue the range before splitting.
        line = re.sub(r"\s*(\.\.|~|～|至)\s*", r"\1", line)
        fields = [f for f in re.split(r"[\s,，\t]+", line, maxsplit=2) if f]
        if fields[0].lower() == "date":  # a CSV header
            continue
        if len(fields) < 2:
            raise CalendarImportError(line_no, _("give a date and “off” or “work”."))
        kind = _kind(fields[1], line_no)
        note = fields[2].strip()[:100] if len(fields) > 2 else ""
        for day in _dates(fields[0], line_no):
            entries[day] = Entry(day, kind, note)
    return sorted(entries.values(), key=lambda e: e.day)


def import_calendar(*, entries: list[Entry], replace: bool = False) -> LoadReport:
    """Create or update one calendar entry per date. With replace, entries of the same years
    that are not in the list are deleted (a corrected schedule replaces the old one)."""
    report = LoadReport()
    report.counts["deleted"] = 0
    with transaction.atomic():
        for entry in entries:
            values = {"kind": entry.kind, "note": entry.note}
            upsert(CalendarDay, {"day": entry.day, "site": None}, values, report)
        if replace and entries:
            years = {e.day.year for e in entries}
            stale = CalendarDay.objects.filter(day__year__in=years, site__isnull=True).exclude(
                day__in=[e.day for e in entries]
            )
            for day in stale:
                report.lines.append(f"deleted {day._meta.verbose_name}: {day}")
            report.counts["deleted"] = stale.delete()[0]
    return report
