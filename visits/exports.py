"""Tables leaving the app as files: CSV streamed line by line, .xlsx written in openpyxl's
write-only mode to a temporary file and streamed from there. Rows come from an iterator
(`.iterator(chunk_size=…)` over `values_list`), so 100,000 rows never sit in memory.

Also the two exports for the front office and auditors: the visitor log and the visit list.
Personal data follows the reader's rights: ID numbers only masked, phone numbers in full only
where `visits.see_phones` would show them, masked otherwise.
"""

import csv
import re
import tempfile
from collections.abc import Iterable
from datetime import datetime

from django.db.models import F, QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .models import Visitor, VisitRequest, VisitStatus, mask_phone
from .permissions import sees_every_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
CHUNK = 2000


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value):
        return value


# Text a spreadsheet would run as a formula (CSV injection; openpyxl itself stores any text
# starting with "=" as a formula). A phone number such as +86 21 5555 0101 is left alone.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-][\d\s-]*$")
SHEET_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")


def _safe_text(value: str) -> str:
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _cell(value):
    """A cell both formats accept: local naive times (Excel has no time zones), text for
    lazy strings, never a formula."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if value is None or isinstance(value, int | float):
        return value
    return _safe_text(str(value))


def csv_response(filename: str, header: list, rows: Iterable) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # the byte-order mark: Excel then reads the file as UTF-8
        yield writer.writerow([_safe_text(str(h)) for h in header])
        for row in rows:
            yield writer.writerow([_csv_text(_cell(v)) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _csv_text(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


def xlsx_response(filename: str, header: list, rows: Iterable, *, title: str = "") -> FileResponse:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=SHEET_TITLE_FORBIDDEN.sub(" ", str(title or filename))[:31])
    sheet.append([_safe_text(str(h)) for h in header])
    for row in rows:
        sheet.append([_cell(v) for v in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115 -- FileResponse closes it once sent
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX)


def export(fmt: str, filename: str, header: list, rows: Iterable, *, title: str = ""):
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows, title=title)
    return csv_response(filename, header, rows)


# The visitor log -------------------------------------------------------------------------


def visitor_log_header() -> list[str]:
    return [
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


def visitor_log_rows(user, start, end) -> Iterable[list]:
    """Every visitor checked in between the two dates (inclusive), oldest first.

    The phone rule is `visits.see_phones` (visits/permissions.py) asked without loading each
    visit: in full for those who see every phone, or on visits the reader filed or hosts."""
    every = sees_every_phone(user)
    visitors = (
        Visitor.objects.filter(
            checked_in_at__date__gte=start,
            checked_in_at__date__lte=end,
        )
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
        )
    )
    for row in visitors.iterator(chunk_size=CHUNK):
        (checked_in, company, name, phone, id_masked, full, login, out, ref, app, host) = row
        own = user.pk in (app, host)
        yield [
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


def visit_list_header() -> list[str]:
    return [
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


def visit_list_rows(visits: QuerySet[VisitRequest]) -> Iterable[list]:
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
        )
    )
    yes, no = _("yes"), _("no")
    for row in rows.iterator(chunk_size=CHUNK):
        ref, status, client, grade, proposed, arr, dep, count, af, al, hf, hl, late = row
        yield [
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
