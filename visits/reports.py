"""The reports page's figures: each one table, each table from one aggregate query (plus one
for the labels of grades or departments), never a Python loop over visits, so the page costs
the same number of queries at 100 or 100,000 visits.

A table is what the page shows, what its SVG chart draws and what its CSV and .xlsx exports
contain: the same rows, one source.
"""

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reception.models import ClientCategory, Department, ReceptionGrade, Site

from .models import (
    Arrival,
    ArrivalKind,
    PrepStatus,
    PrepTask,
    Purpose,
    VisitRequest,
    VisitStatus,
    WalkIn,
    WalkInStatus,
)
from .models.spending import ExpenseLine

# Visits that were received (or are about to be): approved and every state after it.
RECEIVED = [
    VisitStatus.APPROVED,
    VisitStatus.IN_PROGRESS,
    VisitStatus.COMPLETED,
    VisitStatus.CLOSED,
]
LEAD_TIME = ExpressionWrapper(F("approved_at") - F("submitted_at"), output_field=DurationField())


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @classmethod
    def default(cls, today: date | None = None) -> "Period":
        """The last six months: from the first day of the month five months back, to today."""
        today = today or timezone.localdate()
        month = today.month - 5
        year = today.year + (month - 1) // 12
        month = (month - 1) % 12 + 1
        return cls(date(year, month, 1), today)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes: the start's midnight and the midnight after the end."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def months(self) -> list[date]:
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = (current + timedelta(days=32)).replace(day=1)
        return months


@dataclass
class Table:
    key: str
    title: str
    description: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    # The columns the chart draws (indices into a row; column 0 is the row's label).
    chart_columns: list[int] = field(default_factory=list)
    unit: str = ""
    note: str = ""

    @property
    def filename(self) -> str:
        return f"report-{self.key}"


def _month(value) -> date:
    if isinstance(value, datetime):
        return (
            timezone.localtime(value).date().replace(day=1)
            if timezone.is_aware(value)
            else value.date()
        )
    return value.replace(day=1)


def _month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def _name(name: str, name_en: str) -> str:
    if (get_language() or "").startswith("en") and name_en:
        return name_en
    return name


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _at(site: Site | None, path: str = "site") -> Q:
    """A filter keeping one site's rows (a visit's site, or reached through `path`); none
    keeps the whole group."""
    return Q(**{path: site}) if site is not None else Q()


def _received(period: Period, site: Site | None = None):
    low, high = period.bounds
    return (
        VisitRequest.objects.filter(status__in=RECEIVED, arrival_at__gte=low, arrival_at__lt=high)
        .filter(_at(site))
        .annotate(month=TruncMonth("arrival_at"))
    )


def visits_by_grade(period: Period, site: Site | None = None) -> Table:
    counts = {
        (_month(r["month"]), r["grade_id"]): r["n"]
        for r in _received(period, site)
        .annotate(grade_id=Coalesce("final_grade", "proposed_grade"))
        .values("month", "grade_id")
        .annotate(n=Count("pk"))
    }
    used = {g for _m, g in counts}
    grades = [g for g in ReceptionGrade.objects.order_by("scheme__code", "rank") if g.pk in used]
    columns = [g.pk for g in grades] + ([None] if None in used else [])
    headers = [_("Month"), *[g.label for g in grades]]
    if None in used:
        headers.append(_("No grade"))
    rows = []
    for month in period.months():
        cells = [counts.get((month, c), 0) for c in columns]
        rows.append([_month_label(month), *cells, sum(cells)])
    return Table(
        "visits-by-grade",
        _("Visits per month by grade"),
        _("Approved visits by the month of arrival, under the grade that applies."),
        [*headers, _("Total")],
        rows,
        chart_columns=list(range(1, len(columns) + 1)),
    )


def visits_by_category(period: Period, site: Site | None = None) -> Table:
    counts = {
        (_month(r["month"]), r["client__category"] or ""): r["n"]
        for r in _received(period, site).values("month", "client__category").annotate(n=Count("pk"))
    }
    categories = list(ClientCategory.choices) + [("", _("No category"))]
    used = [(code, label) for code, label in categories if any(k[1] == code for k in counts)]
    rows = []
    for month in period.months():
        cells = [counts.get((month, code), 0) for code, _label in used]
        rows.append([_month_label(month), *cells, sum(cells)])
    return Table(
        "visits-by-category",
        _("Visits per month by client category"),
        _("Approved visits by the month of arrival and the client's category."),
        [_("Month"), *[str(label) for _code, label in used], _("Total")],
        rows,
        chart_columns=list(range(1, len(used) + 1)),
    )


def visits_by_purpose(period: Period, site: Site | None = None) -> Table:
    """A visit may have several purposes: it counts once under each (one conditional count
    per purpose, over the JSON list's text, in one query)."""
    aggregates = {
        p.value: Count("pk", filter=Q(purposes__icontains=f'"{p.value}"')) for p in Purpose
    }
    counts = {
        _month(r["month"]): r
        for r in _received(period, site).values("month").annotate(**aggregates)
    }
    used = [p for p in Purpose if any(r[p.value] for r in counts.values())]
    rows = []
    for month in period.months():
        found = counts.get(month, {})
        rows.append([_month_label(month), *[found.get(p.value, 0) for p in used]])
    return Table(
        "visits-by-purpose",
        _("Visits per month by purpose"),
        _("A visit with several purposes counts under each of them."),
        [_("Month"), *[str(p.label) for p in used]],
        rows,
        chart_columns=list(range(1, len(used) + 1)),
    )


def spending(period: Period, site: Site | None = None) -> tuple[Table, Table]:
    """Spending against the grade's standard, per grade and per expense category (CNY)."""
    headers_tail = [_("Actual (CNY)"), _("Standard (CNY)"), _("Lines over the standard")]
    by_grade = Table(
        "spending-by-grade",
        _("Spending against the standard, per grade"),
        _(
            "Expense lines of visits arriving in the period, against what the grade allows: "
            "the actual column counts the lines a standard applies to; gifts, activities and "
            "other lines, which have none, are counted apart."
        ),
        [_("Grade"), *headers_tail, _("Without a standard (CNY)")],
        chart_columns=[1, 2],
        unit="¥",
    )
    by_category = Table(
        "spending-by-category",
        _("Spending against the standard, per category"),
        _("Expense lines of visits arriving in the period, by category."),
        [_("Category"), *headers_tail],
        chart_columns=[1, 2],
        unit="¥",
    )
    model = ExpenseLine
    low, high = period.bounds
    lines = model.objects.filter(
        visit__status__in=RECEIVED, visit__arrival_at__gte=low, visit__arrival_at__lt=high
    ).filter(_at(site, "visit__site"))
    sums = {
        "actual": Coalesce(Sum("amount"), 0, output_field=model._meta.get_field("amount")),
        "standard": Sum("standard_amount"),
        "over": Count("pk", filter=Q(over_standard=True)),
    }
    # Per grade, like with like: what was spent where a standard applies, beside that standard.
    money = model._meta.get_field("amount")
    with_standard = Q(standard_amount__isnull=False)
    grade_rows = list(
        lines.annotate(grade_id=Coalesce("visit__final_grade", "visit__proposed_grade"))
        .values("grade_id")
        .annotate(
            actual=Coalesce(Sum("amount", filter=with_standard), 0, output_field=money),
            standard=sums["standard"],
            over=sums["over"],
            apart=Coalesce(Sum("amount", filter=~with_standard), 0, output_field=money),
        )
    )
    grades = {g.pk: g for g in ReceptionGrade.objects.all()}
    ordered = sorted(grade_rows, key=lambda r: getattr(grades.get(r["grade_id"]), "rank", 999))
    by_grade.rows = [
        [
            grades[r["grade_id"]].label if r["grade_id"] in grades else _("No grade"),
            _money(r["actual"]),
            _standard(r["standard"]),
            r["over"],
            _money(r["apart"]),
        ]
        for r in ordered
    ]
    category_field = model._meta.get_field("category")
    labels = dict(category_field.choices or [])
    found = {r["category"]: r for r in lines.values("category").annotate(**sums)}
    by_category.rows = [
        [
            str(label),
            _money(found[code]["actual"]),
            _standard(found[code]["standard"]),
            found[code]["over"],
        ]
        for code, label in labels.items()
        if code in found
    ]
    return by_grade, by_category


def _money(value) -> float:
    return float(round(value or 0, 2))


def _standard(value) -> float | None:
    """What the standard allows; None (shown as "—") where no line has a standard, e.g. gifts:
    0.0 would read as "nothing allowed"."""
    return None if value is None else _money(value)


def preparation_on_time(period: Period, site: Site | None = None) -> Table:
    """Per department: tasks due in the period, and those done on or before their due date.
    An open task counts once its due day has passed (until then it may still be on time)."""
    rows = (
        PrepTask.objects.filter(due_date__gte=period.start, due_date__lte=period.end)
        .filter(Q(due_date__lt=timezone.localdate()) | Q(status=PrepStatus.DONE))
        .exclude(status=PrepStatus.CANCELLED)
        .filter(_at(site, "visit__site"))
        .values("department_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(status=PrepStatus.DONE, done_at__date__lte=F("due_date"))),
        )
    )
    counts = {r["department_id"]: r for r in rows}
    departments = [d for d in Department.objects.order_by("code") if d.pk in counts]
    return Table(
        "preparation-on-time",
        _("Preparation on time, per department"),
        _("Tasks due in the period and the share done on or before the due date."),
        [_("Department"), _("Tasks due"), _("Done on time"), _("On-time rate (%)")],
        [
            [
                _name(d.name, d.name_en),
                counts[d.pk]["due"],
                counts[d.pk]["on_time"],
                _pct(counts[d.pk]["on_time"], counts[d.pk]["due"]),
            ]
            for d in departments
        ],
        chart_columns=[3],
        unit="%",
    )


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile: percentile_cont(f) WITHIN GROUP (ORDER BY x)."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile's fraction lies between 0 and 1.")
        super().__init__(expression, fraction=repr(fraction), **extra)


def _percentile_cont(ordered: list, fraction: float):
    """percentile_cont over values already in order: linear between the two nearest."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 1)


def approval_lead_time(period: Period, site: Site | None = None) -> Table:
    """Submitted → approved, for requests approved in the period: median and 90th percentile.

    On PostgreSQL one aggregate query with percentile_cont; elsewhere (SQLite) one query for
    the lead times of the filtered set, ordered, and the same interpolation on them."""
    low, high = period.bounds
    approved = VisitRequest.objects.filter(
        _at(site), approved_at__gte=low, approved_at__lt=high, submitted_at__isnull=False
    )
    if connection.vendor == "postgresql":
        figures = approved.aggregate(
            n=Count("pk"),
            median=Percentile(LEAD_TIME, 0.5, output_field=DurationField()),
            p90=Percentile(LEAD_TIME, 0.9, output_field=DurationField()),
        )
        n, median, p90 = figures["n"], figures["median"], figures["p90"]
    else:
        ordered = list(
            approved.annotate(lead=LEAD_TIME).order_by("lead").values_list("lead", flat=True)
        )
        n, median, p90 = (
            len(ordered),
            _percentile_cont(ordered, 0.5),
            _percentile_cont(ordered, 0.9),
        )
    return Table(
        "approval-lead-time",
        _("Approval lead time"),
        _("From submission to final approval, for requests approved in the period (hours)."),
        [_("Requests approved"), _("Median (hours)"), _("90th percentile (hours)")],
        [[n, _hours(median), _hours(p90)]],
        chart_columns=[1, 2],
        unit="h",
    )


def late_applications(period: Period, site: Site | None = None) -> Table:
    low, high = period.bounds
    counts = {
        _month(r["month"]): r
        for r in VisitRequest.objects.filter(
            _at(site), submitted_at__gte=low, submitted_at__lt=high
        )
        .annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(filed=Count("pk"), late=Count("pk", filter=Q(late=True)))
    }
    rows = []
    for month in period.months():
        found = counts.get(month, {"filed": 0, "late": 0})
        rows.append(
            [
                _month_label(month),
                found["filed"],
                found["late"],
                _pct(found["late"], found["filed"]),
            ]
        )
    return Table(
        "late-applications",
        _("Late applications"),
        _("Requests submitted in each month, and those filed inside the lead time."),
        [_("Month"), _("Submitted"), _("Late"), _("Late share (%)")],
        rows,
        chart_columns=[3],
        unit="%",
    )


def walk_ins(period: Period, site: Site | None = None) -> Table:
    """Walk-ins by month and how they ended, at the site of the gate that recorded them."""
    low, high = period.bounds
    endings = list(WalkInStatus)
    counts = {
        _month(r["month"]): r
        for r in WalkIn.objects.filter(_at(site), recorded_at__gte=low, recorded_at__lt=high)
        .annotate(month=TruncMonth("recorded_at"))
        .values("month")
        .annotate(total=Count("pk"), **{s.value: Count("pk", filter=Q(status=s)) for s in endings})
    }
    rows = []
    for month in period.months():
        found = counts.get(month, {})
        rows.append(
            [
                _month_label(month),
                found.get("total", 0),
                *[found.get(s.value, 0) for s in endings],
            ]
        )
    return Table(
        "walk-ins",
        _("Walk-ins per month and how they ended"),
        _("Unannounced visitors recorded at the gate."),
        [_("Month"), _("Recorded"), *[str(s.label) for s in endings]],
        rows,
        chart_columns=list(range(2, 2 + len(endings))),
    )


def visits_by_site(period: Period, sites: list[Site]) -> Table:
    """The group's sites side by side and the group's total: received visits and visitors,
    requests submitted and late, spending and preparation on time, one aggregate query each."""
    low, high = period.bounds
    received = {
        r["site_id"]: r
        for r in _received(period)
        .values("site_id")
        .annotate(visits=Count("pk"), visitors=Coalesce(Sum("headcount"), 0))
    }
    submitted = {
        r["site_id"]: r
        for r in VisitRequest.objects.filter(submitted_at__gte=low, submitted_at__lt=high)
        .values("site_id")
        .annotate(filed=Count("pk"), late=Count("pk", filter=Q(late=True)))
    }
    money = ExpenseLine._meta.get_field("amount")
    spent = {
        r["visit__site_id"]: r["actual"]
        for r in ExpenseLine.objects.filter(
            visit__status__in=RECEIVED, visit__arrival_at__gte=low, visit__arrival_at__lt=high
        )
        .values("visit__site_id")
        .annotate(actual=Coalesce(Sum("amount"), 0, output_field=money))
    }
    tasks = {
        r["visit__site_id"]: r
        for r in PrepTask.objects.filter(due_date__gte=period.start, due_date__lte=period.end)
        .filter(Q(due_date__lt=timezone.localdate()) | Q(status=PrepStatus.DONE))
        .exclude(status=PrepStatus.CANCELLED)
        .values("visit__site_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=Q(status=PrepStatus.DONE, done_at__date__lte=F("due_date"))),
        )
    }

    def figures(label: str, keys: list) -> list:
        def total(found: dict, name: str) -> int:
            return sum(found[k][name] for k in keys if k in found)

        due, on_time = total(tasks, "due"), total(tasks, "on_time")
        filed, late = total(submitted, "filed"), total(submitted, "late")
        return [
            label,
            total(received, "visits"),
            total(received, "visitors"),
            filed,
            late,
            _money(sum(spent.get(k) or 0 for k in keys)),
            due,
            _pct(on_time, due),
        ]

    rows = [figures(site.label, [site.pk]) for site in sites]
    rows.append(figures(_("Group total"), [site.pk for site in sites]))
    return Table(
        "visits-by-site",
        _("Per site and for the group"),
        _(
            "Each site's approved visits and visitors by arrival, requests submitted and late, "
            "spending (CNY) and preparation on time, with the group's total."
        ),
        [
            _("Site"),
            _("Visits received"),
            _("Visitors received"),
            _("Requests submitted"),
            _("Late"),
            _("Spending (CNY)"),
            _("Tasks due"),
            _("On-time rate (%)"),
        ],
        rows,
        chart_columns=[1],
    )


def arrivals_by_kind(period: Period, site: Site | None = None) -> Table:
    """The gate's arrivals other than clients (docs/gate.md), per month and kind: two queries."""
    low, high = period.bounds
    kinds = list(ArrivalKind.objects.order_by("ordering", "code"))
    counts: dict[date, dict[int, int]] = {}
    for row in (
        Arrival.objects.filter(_at(site), recorded_at__gte=low, recorded_at__lt=high)
        .annotate(month=TruncMonth("recorded_at"))
        .values("month", "kind_id")
        .annotate(total=Count("pk"))
    ):
        counts.setdefault(_month(row["month"]), {})[row["kind_id"]] = row["total"]
    rows = []
    for month in period.months():
        found = counts.get(month, {})
        rows.append(
            [_month_label(month), sum(found.values()), *[found.get(k.pk, 0) for k in kinds]]
        )
    return Table(
        "arrivals-by-kind",
        _("Arrivals at the gate per month, by kind"),
        _("Deliveries, contractors, interviews, official guests and others; clients are above."),
        [_("Month"), _("Recorded"), *[_name(k.name, k.name_en) for k in kinds]],
        rows,
        chart_columns=list(range(2, 2 + len(kinds))),
    )


def computed_tables(
    period: Period, site: Site | None = None, sites: list[Site] | None = None
) -> tuple[list[Table], datetime]:
    """Every table of the period (at one site, or for the group) and when it was computed:
    from the cache when it is younger than REPORTS_CACHE_SECONDS (per period, site and
    language), else computed and kept. The page and its exports read the same figures.
    `sites` are the group's sites: with several and no site chosen, the tables start with
    one that sets the sites side by side."""
    seconds = settings.REPORTS_CACHE_SECONDS
    if seconds <= 0:
        return all_tables(period, site, sites), timezone.now()
    where = site.code if site is not None else ("group" if sites and len(sites) > 1 else "")
    key = f"reports:v2:{get_language()}:{period.start.isoformat()}:{period.end.isoformat()}:{where}"
    cached = cache.get(key)
    if cached is None:
        cached = (all_tables(period, site, sites), timezone.now())
        cache.set(key, cached, seconds)
    return cached


def computed_table(
    key: str, period: Period, site: Site | None = None, sites: list[Site] | None = None
) -> Table | None:
    tables, _at = computed_tables(period, site, sites)
    return next((table for table in tables if table.key == key), None)


def all_tables(
    period: Period, site: Site | None = None, sites: list[Site] | None = None
) -> list[Table]:
    by_site = [visits_by_site(period, sites)] if site is None and sites and len(sites) > 1 else []
    return [
        *by_site,
        visits_by_grade(period, site),
        visits_by_category(period, site),
        visits_by_purpose(period, site),
        *spending(period, site),
        preparation_on_time(period, site),
        approval_lead_time(period, site),
        late_applications(period, site),
        walk_ins(period, site),
        arrivals_by_kind(period, site),
    ]


TABLE_KEYS = {
    "visits-by-site",
    "visits-by-grade",
    "visits-by-category",
    "visits-by-purpose",
    "spending-by-grade",
    "spending-by-category",
    "preparation-on-time",
    "approval-lead-time",
    "late-applications",
    "walk-ins",
    "arrivals-by-kind",
}


# Charts ----------------------------------------------------------------------------------

PALETTE = ["#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#dc3545", "#20c997", "#6c757d", "#ffc107"]
# The bars are an SVG stretched to the card's width (viewBox units, preserveAspectRatio none);
# every word around them, the value axis and the row labels, is HTML text at 12 px
# (.report-chart in jiedai.css), so it stays 12 px on a 390 px phone, where the old SVG text
# (font-size 11 in a 640-unit viewBox) shrank to 6 px.
WIDTH, HEIGHT = 1000, 200
# Room for the row labels under the plot, in CSS pixels: a 390 px phone leaves the plot about
# 280 px beside the value axis; from 576 px up (Bootstrap's sm) it has at least about 450.
PHONE_PLOT_PX, WIDE_PLOT_PX = 280, 450
LABEL_PX = 12  # font size of the labels
LABEL_GAP_PX = 6


def label_px(text: str) -> float:
    """A label's width at 12 px: a Chinese character is as wide as the font is high, a Latin
    character or digit a bit over half that. Chinese labels may wrap onto two lines."""
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in "WF")
    width = wide * LABEL_PX + (len(text) - wide) * LABEL_PX * 0.6
    if wide:
        width = max(width / 2, LABEL_PX * 2)
    return width + LABEL_GAP_PX


def label_steps(labels: list[str]) -> tuple[int, int]:
    """Every how many rows a label is shown on a phone and from 576 px up, so that the shown
    ones do not run into each other (the table below the chart names every row)."""
    widest = max((label_px(text) for text in labels), default=0)
    n = len(labels)
    wide = max(1, math.ceil(n * widest / WIDE_PLOT_PX))
    phone = max(1, math.ceil(n * widest / PHONE_PLOT_PX))
    # A phone shows a subset of what wider screens show: a multiple of their step.
    return math.ceil(phone / wide) * wide, wide


def axis_label(value: float, unit: str) -> str:
    """The top of the value axis as a reader writes it: ¥11,200 (money rounded to the yuan,
    the sign in front), 77.8%, 93h, 3."""
    if unit == "¥":
        return f"¥{value:,.0f}"
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{number}{unit}"


def chart(table: Table) -> dict | None:
    """Bar geometry for a server-rendered SVG (attributes only: the CSP forbids inline
    styles): one group of bars per row, one bar per charted column; and the row labels, each
    with the class that shows it where there is room (label_steps)."""
    if not table.rows or not table.chart_columns:
        return None
    values = [
        row[c] for row in table.rows for c in table.chart_columns if isinstance(row[c], int | float)
    ]
    top = max(values, default=0)
    if not top:
        return None
    group_w = WIDTH / len(table.rows)
    bar_w = group_w * 0.8 / len(table.chart_columns)
    phone_step, wide_step = label_steps([str(row[0]) for row in table.rows])
    bars, labels = [], []
    for i, row in enumerate(table.rows):
        x0 = i * group_w + group_w * 0.1
        if i % wide_step:
            shown = "invisible"  # keeps its place: the labels line up with their bars
        elif i % phone_step:
            shown = "report-chart-label-wide"  # hidden on a phone
        else:
            shown = ""
        labels.append({"text": row[0], "class": shown})
        for j, column in enumerate(table.chart_columns):
            value = row[column] if isinstance(row[column], int | float) else 0
            height = HEIGHT * value / top
            bars.append(
                {
                    "x": round(x0 + j * bar_w, 1),
                    "y": round(HEIGHT - height, 1),
                    "width": round(max(bar_w - 1, 1), 1),
                    "height": round(height, 1),
                    "fill": PALETTE[j % len(PALETTE)],
                    "title": f"{row[0]} · {table.headers[column]}: {value}",
                }
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "bars": bars,
        "labels": labels,
        "top_value": top,
        "top_label": axis_label(top, table.unit),
        "legend": [
            {"text": table.headers[c], "fill": PALETTE[j % len(PALETTE)]}
            for j, c in enumerate(table.chart_columns)
        ],
    }
