"""Tables leaving the app as files: CSV streamed line by line, .xlsx written in openpyxl's
write-only mode to a temporary file and streamed from there. Rows come from an iterator
(`.iterator(chunk_size=…)` over `values_list`), so 100,000 rows never sit in memory.

Both formats hold the same columns and the same values: times to the minute, text never run
as a formula. The .xlsx also has its header row frozen and its columns as wide as their content
(measured on the header and the first SAMPLE_ROWS rows: write-only mode must set the widths
before the first row is written, and the rest of the rows are never held).

Also the two exports for the front office and auditors: the visitor log and the visit list.
Personal data follows the reader's rights: ID numbers only masked, phone numbers in full only
where `visits.see_phones` would show them, masked otherwise.
"""

import csv
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import IO

from django.db.models import F, Q, QuerySet
from django.http import FileResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reception.models import Site

from .filters import VisitFilter
from .forms.reports import PeriodForm
from .models import ExportKind, Visitor, VisitRequest, VisitStatus, mask_phone
from .permissions import sees_every_phone
from .selectors import at_my_sites, visible_visits, with_list_facts

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
CHUNK = 2000
# The .xlsx columns' widths are measured on the header and this many first rows.
SAMPLE_ROWS = 500
MIN_WIDTH, MAX_WIDTH = 6, 60
TIME_FORMAT = "%Y-%m-%d %H:%M"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value):
        return value


# Text a spreadsheet would run as a formula (CSV injection): whatever starts with one of these.
# Excel evaluates "+1-1" and "-2+3" as well as "=…" and "@…", and a phone number written
# "+86-21-5555-0101" as a subtraction, so no text starting with them is let through as it is.
# Numbers (int, float) are cells of their own and never escaped.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def _safe_text(value: str) -> str:
    """For CSV: text a spreadsheet would evaluate leaves with a leading apostrophe."""
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value):
    """A value both formats hold alike: local naive times to the minute (Excel has no time
    zones; the CSV shows no seconds, nor does the .xlsx), text for lazy strings."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value.replace(second=0, microsecond=0)
    if value is None or isinstance(value, int | float):
        return value
    return str(value)


def _csv_text(value):
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    if isinstance(value, str):
        return _safe_text(value)
    return "" if value is None else value


def csv_lines(header: list, rows: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # the byte-order mark: Excel then reads the file as UTF-8
    yield writer.writerow([_safe_text(str(h)) for h in header])
    for row in rows:
        yield writer.writerow([_csv_text(_cell(v)) for v in row])


def write_csv(stream: IO[bytes], header: list, rows: Iterable) -> None:
    for line in csv_lines(header, rows):
        stream.write(line.encode("utf-8"))


def csv_response(filename: str, header: list, rows: Iterable) -> StreamingHttpResponse:
    lines = csv_lines(header, rows)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _width(value) -> int:
    """How many character widths a value takes on screen (Chinese characters count two)."""
    if value is None:
        return 0
    if isinstance(value, datetime):
        return len(XLSX_TIME_FORMAT)
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _XlsxCells:
    """Turns values into cells of a write-only sheet: times shown to the minute, text stored
    as text (a string cell with Excel's "quote prefix", so "=…", "+1-1" or "#N/A" shows as
    typed and is never evaluated, not even once edited)."""

    def __init__(self, sheet):
        self.sheet = sheet

    def __call__(self, value):
        if isinstance(value, datetime):
            cell = WriteOnlyCell(self.sheet)
            cell.number_format = XLSX_TIME_FORMAT  # first: then the value keeps it
            cell.value = value
            return cell
        if not isinstance(value, str):
            return value
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters an .xlsx cannot hold
        if value.startswith(FORMULA_START) or value in ERROR_CODES:
            cell = WriteOnlyCell(self.sheet, value)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return value

    def heading(self, text: str) -> Cell:
        cell = self(text)
        if not isinstance(cell, Cell):
            cell = WriteOnlyCell(self.sheet, cell)
        cell.font = BOLD
        return cell


def write_xlsx(stream: IO[bytes], header: list, rows: Iterable, *, title: str) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=SHEET_TITLE_FORBIDDEN.sub(" ", title)[:31])
    rows = (list(map(_cell, row)) for row in rows)
    head = [str(h) for h in header]
    sample = list(islice(rows, SAMPLE_ROWS))
    # Write-only: the widths and the frozen pane are set before the first row is written.
    for index in range(len(head)):
        widest = max([_width(head[index]), *(_width(r[index]) for r in sample if index < len(r))])
        width = min(max(widest + 2, MIN_WIDTH), MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    cells = _XlsxCells(sheet)
    sheet.append([cells.heading(text) for text in head])
    for row in sample:
        sheet.append([cells(v) for v in row])
    for row in rows:
        sheet.append([cells(v) for v in row])
    book.save(stream)


def xlsx_response(filename: str, header: list, rows: Iterable, *, title: str = "") -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    write_xlsx(spool, header, rows, title=str(title or filename))
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)


def export(fmt: str, filename: str, header: list, rows: Iterable, *, title: str = ""):
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, title=title)
    return csv_response(filename, header, rows)


def write(fmt: str, stream: IO[bytes], spec: "ExportSpec", rows: Iterable) -> None:
    """The file `export` would send, written to a stream (an export job's file)."""
    if fmt == "xlsx":
        write_xlsx(stream, spec.header, rows, title=spec.filename)
    else:
        write_csv(stream, spec.header, rows)


# The visitor log -------------------------------------------------------------------------


def _site_name(name: str | None, name_en: str | None) -> str:
    """A site's name in the reader's language (the rows carry both, read in the same query)."""
    if (get_language() or "").startswith("en") and name_en:
        return name_en
    return name or ""


def visitor_log_header(several_sites: bool = False) -> list[str]:
    return [
        *([_("Site")] if several_sites else []),
        # Not "Date": that one is translated as the printed documents' blank date line (年 月 日).
        _("Day"),
        _("Company"),
        _("Visitor"),
        _("Phone"),
        _("ID number"),
        _("Host"),
        _("Checked in at"),
        _("Checked out at"),
        _("Visit"),
    ]


def checked_in_between(
    start: date, end: date, user=None, site: Site | None = None
) -> QuerySet[Visitor]:
    """user: the visitors of their sites only (a site's desk never sees another's; someone
    with no site assigned, every site's); site: one site's, when chosen."""
    visitors = Visitor.objects.filter(
        Q(visit__site=site) if site is not None else Q(),
        checked_in_at__date__gte=start,
        checked_in_at__date__lte=end,
    )
    return (
        visitors.filter(at_my_sites(user, "visit__site", visit="visit"))
        if user is not None
        else visitors
    )


def visitor_log_rows(
    user, start, end, site: Site | None = None, several_sites: bool = False
) -> Iterable[list]:
    """Every visitor checked in between the two dates (inclusive), oldest first.

    The phone rule is `visits.see_phones` (visits/permissions.py) asked without loading each
    visit: in full for those who see every phone, or on visits the reader filed or hosts."""
    every = sees_every_phone(user)
    visitors = (
        checked_in_between(start, end, user, site)
        .order_by("checked_in_at", "pk")
        .values_list(
            "checked_in_at",
            "visit__client__name",
            "name",
            "phone",
            "id_number_masked",
            "visit__main_host__full_name",
            "visit__main_host__username",
            "checked_out_at",
            "visit__reference",
            "visit__applicant_id",
            "visit__main_host_id",
            "visit__site__name",
            "visit__site__name_en",
        )
    )
    for row in visitors.iterator(chunk_size=CHUNK):
        (checked_in, company, name, phone, id_masked, full, login, out, ref, app, host) = row[:11]
        own = user.pk in (app, host)
        yield [
            *([_site_name(*row[11:])] if several_sites else []),
            timezone.localtime(checked_in).date().isoformat(),
            company or "",
            name,
            phone if (every or own) else mask_phone(phone),
            id_masked,  # only ever stored masked
            full or login or "",
            checked_in,
            out,
            ref or "",
        ]


# The visit list --------------------------------------------------------------------------


def visit_list_header(several_sites: bool = False) -> list[str]:
    return [
        *([_("Site")] if several_sites else []),
        _("Reference"),
        _("Status"),
        _("Client"),
        _("Grade"),
        _("Arrival"),
        _("Departure"),
        _("Number of visitors"),
        _("Applicant"),
        _("Main host"),
        _("Late"),
    ]


def visit_list_rows(visits: QuerySet[VisitRequest], several_sites: bool = False) -> Iterable[list]:
    """The filtered list as on screen (no visitors' personal data in it)."""
    statuses = dict(VisitStatus.choices)
    rows = (
        visits.order_by("-arrival_at", "-pk")
        .annotate(
            grade_name=F("final_grade__name"),
            proposed_name=F("proposed_grade__name"),
        )
        .values_list(
            "reference",
            "status",
            "client__name",
            "grade_name",
            "proposed_name",
            "arrival_at",
            "departure_at",
            "headcount",
            "applicant__full_name",
            "applicant__username",
            "main_host__full_name",
            "main_host__username",
            "late",
            "site__name",
            "site__name_en",
        )
    )
    yes, no = _("yes"), _("no")
    for row in rows.iterator(chunk_size=CHUNK):
        ref, status, client, grade, proposed, arr, dep, count, af, al, hf, hl, late = row[:13]
        yield [
            *([_site_name(*row[13:])] if several_sites else []),
            ref or "",
            str(statuses.get(status, status)),
            client or "",
            grade or proposed or "",
            arr,
            dep,
            count,
            af or al or "",
            hf or hl or "",
            yes if late else no,
        ]


# What an export is, for the immediate path and the export jobs alike --------------------------

Params = dict[str, list[str]]


@dataclass(frozen=True)
class ExportSpec:
    """One export for one reader: its rows (read when called), how many there are, and the
    parameters that make it (the page's query, its default resolved: dates the day they were
    asked for) with what the "My exports" page says about them."""

    filename: str
    header: list[str]
    rows: Callable[[], Iterable[list]]
    count: Callable[[], int]
    params: Params = field(default_factory=dict)
    summary: list[list[str]] = field(default_factory=list)


def query(params: Params) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in params.items():
        data.setlist(key, [str(v) for v in values])
    return data


def visitor_log_spec(user, params: Params) -> ExportSpec:
    data = query(params)
    period = PeriodForm(data if ("start" in data or "end" in data) else None).period()
    start, end = period.start, period.end
    sites = list(Site.objects.all())
    several = len(sites) > 1
    site = {s.code: s for s in sites}.get(data.get("site", "")) if several else None
    dates = {"start": [start.isoformat()], "end": [end.isoformat()]}
    summary = [[name, value] for name, (value,) in dates.items()]
    if site is not None:
        dates["site"] = [site.code]
        summary.append(["site", site.label])
    return ExportSpec(
        filename=f"visitor-log-{start.isoformat()}-{end.isoformat()}"
        + (f"-{site.code}" if site else ""),
        header=visitor_log_header(several),
        rows=lambda: visitor_log_rows(user, start, end, site, several),
        count=lambda: checked_in_between(start, end, user, site).count(),
        params=dates,
        summary=summary,
    )


def listed_visits(user, data: QueryDict | None) -> tuple[VisitFilter, QuerySet[VisitRequest]]:
    """The visit list as its page shows it (django-filter's FilterView, strict): the reader's
    scope; no query (the default state) lists every visit in scope; an invalid filter lists
    none (the form says why)."""
    visits = with_list_facts(visible_visits(user)).order_by("-arrival_at", "-pk")
    filterset = VisitFilter(data or None, queryset=visits)
    if not filterset.is_bound or filterset.is_valid():
        return filterset, filterset.qs
    return filterset, filterset.queryset.none()


def _shown(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "full_name"):  # a person
        return value.full_name or value.username
    return str(value)


def visit_list_spec(user, params: Params) -> ExportSpec:
    kept = {key: list(values) for key, values in params.items() if key in VisitFilter.base_filters}
    filterset, visits = listed_visits(user, query(kept))
    cleaned = getattr(filterset.form, "cleaned_data", {}) if filterset.is_bound else {}
    site_names = dict(filterset.filters["site"].extra["choices"]) if filterset.several_sites else {}
    return ExportSpec(
        filename="visits",
        header=visit_list_header(filterset.several_sites),
        rows=lambda: visit_list_rows(visits, filterset.several_sites),
        count=visits.count,
        params=kept,
        summary=[
            [name, site_names.get(value, value) if name == "site" else _shown(value)]
            for name, value in cleaned.items()
            if value
        ],
    )


SPECS: dict[str, Callable[..., ExportSpec]] = {
    ExportKind.VISITOR_LOG: visitor_log_spec,
    ExportKind.VISIT_LIST: visit_list_spec,
}


def spec_for(kind: str, user, params: Params) -> ExportSpec:
    return SPECS[kind](user, params)


def describe(kind: str, summary: list[list[str]]) -> list[tuple[str, str]]:
    """What an export job's parameters were, as label and value in the reader's language."""
    fields = PeriodForm.base_fields if kind == ExportKind.VISITOR_LOG else VisitFilter.base_filters
    shown = []
    for name, value in summary:
        if name == "site" and kind == ExportKind.VISITOR_LOG:
            shown.append((_("Site"), value))
            continue
        if name not in fields:
            continue
        if name == "status" and value in VisitStatus.values:
            value = str(VisitStatus(value).label)
        elif name == "late":
            value = _("yes")
        shown.append((str(fields[name].label), value))
    return shown
