"""Exports for the front office and auditors: the visitor log and the visit list, as filtered,
with personal data as the reader may see it."""

import csv
import io
from datetime import date, datetime, time

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reception.accounts.roles import Role
from tests.factories import ClientFactory, first_site, user_with
from visits.models import Visitor, VisitRequest, VisitStatus

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def rows_of_csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def rows_of_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def logged_visit(four_tier):
    applicant = user_with(Role.SALES, username="log_sales")
    host = user_with(Role.DEPUTY_GM, username="log_host", full_name="杨军")
    visit = VisitRequest.objects.create(
        applicant=applicant,
        site=first_site(),
        main_host=host,
        client=ClientFactory(name="远航汽车零部件集团"),
        proposed_grade=four_tier["guest"],
        status=VisitStatus.COMPLETED,
        reference="JD-2026-0001",
        arrival_at=at(date(2026, 3, 2), 9),
        departure_at=at(date(2026, 3, 2), 17),
    )
    Visitor.objects.create(
        visit=visit,
        name="孙立群",
        phone="13900139002",
        id_number_masked="110***********1234",
        checked_in_at=at(date(2026, 3, 2), 9),
        checked_out_at=at(date(2026, 3, 2), 16),
    )
    Visitor.objects.create(visit=visit, name="没来的人", phone="13900139003")  # never came
    return visit


LOG = {"start": "2026-03-01", "end": "2026-03-31"}


def test_the_visitor_log_lists_who_came_with_host_and_times(client, logged_visit):
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    url = reverse("visits:visitor_log_export", kwargs={"fmt": "csv"})
    header, *rows = rows_of_csv(client.get(url, LOG))
    assert header[:3] == ["Day", "Company", "Visitor"]
    assert rows == [
        [
            "2026-03-02",
            "远航汽车零部件集团",
            "孙立群",
            "13900139002",
            "110***********1234",
            "杨军",
            "2026-03-02 09:00",
            "2026-03-02 16:00",
            "JD-2026-0001",
        ]
    ]


def test_the_visitor_log_masks_phones_for_readers_who_may_not_see_them(client, logged_visit):
    client.force_login(user_with(Role.GENERAL_MANAGER, username="log_gm"))
    url = reverse("visits:visitor_log_export", kwargs={"fmt": "xlsx"})
    rows = rows_of_xlsx(client.get(url, LOG))
    assert rows[1][3] == "139****9002"
    assert rows[1][4] == "110***********1234"
    assert rows[1][6] == datetime(2026, 3, 2, 9, 0)


@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_visitor_logs_date_column_is_headed_as_a_column_not_as_a_signature_blank(
    client, logged_visit
):
    """ "Date" is translated 年 月 日 for the blank date line under a printed signature; an
    auditor's spreadsheet column reads 日期."""
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    url = reverse("visits:visitor_log_export", kwargs={"fmt": "xlsx"})
    assert rows_of_xlsx(client.get(url, LOG))[0][:2] == ["日期", "公司"]


def test_the_visitor_log_keeps_to_the_date_range(client, logged_visit):
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    url = reverse("visits:visitor_log_export", kwargs={"fmt": "csv"})
    rows = rows_of_csv(client.get(url, {"start": "2026-03-03", "end": "2026-03-31"}))
    assert rows[1:] == []


def test_the_visit_list_export_follows_the_filter_and_the_readers_scope(client, four_tier):
    sales, other = (
        user_with(Role.SALES, username="list_a"),
        user_with(Role.SALES, username="list_b"),
    )
    for applicant, status, ref in [
        (sales, VisitStatus.CLOSED, "JD-A-1"),
        (sales, VisitStatus.APPROVED, "JD-A-2"),
        (other, VisitStatus.CLOSED, "JD-B-1"),
    ]:
        VisitRequest.objects.create(
            applicant=applicant,
            site=first_site(),
            proposed_grade=four_tier["routine"],
            status=status,
            reference=ref,
            arrival_at=at(date(2026, 3, 2)),
        )
    client.force_login(sales)
    url = reverse("visits:list_export", kwargs={"fmt": "csv"})
    rows = rows_of_csv(client.get(url, {"status": VisitStatus.CLOSED}))
    assert [r[0] for r in rows[1:]] == ["JD-A-1"]
    assert rows[1][1] == "Closed"


def test_the_visit_list_page_links_its_exports_with_the_filters(client, four_tier):
    sales = user_with(Role.SALES, username="list_a")
    client.force_login(sales)
    html = client.get(reverse("visits:list"), {"status": "closed"}).content.decode()
    assert reverse("visits:list_export", kwargs={"fmt": "xlsx"}) + "?status=closed" in html


def test_the_csv_export_is_streamed(client, logged_visit):
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    response = client.get(reverse("visits:visitor_log_export", kwargs={"fmt": "csv"}), LOG)
    assert response.streaming


def test_text_that_looks_like_a_formula_leaves_as_text(client, logged_visit):
    logged_visit.visitors.filter(name="孙立群").update(name='=HYPERLINK("http://x.example")')
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    csv_rows = rows_of_csv(
        client.get(reverse("visits:visitor_log_export", kwargs={"fmt": "csv"}), LOG)
    )
    sheet = load_workbook(
        io.BytesIO(
            b"".join(
                client.get(
                    reverse("visits:visitor_log_export", kwargs={"fmt": "xlsx"}), LOG
                ).streaming_content
            )
        )
    ).active
    assert csv_rows[1][2] == '\'=HYPERLINK("http://x.example")'
    assert sheet["C2"].data_type == "s"
    assert csv_rows[1][3] == "13900139002"  # a phone number is not a formula


# The visit list export is the page's own list, all of it -------------------------------------


def listed_refs(client, query=None) -> list[str]:
    """The references the list page shows, page after page."""
    refs, page = [], 1
    while True:
        response = client.get(reverse("visits:list"), {**(query or {}), "page": page})
        refs += [v.reference for v in response.context["object_list"]]
        if not response.context["page_obj"].has_next():
            return refs
        page += 1


@pytest.fixture
def thirty_visits(four_tier):
    sales = user_with(Role.SALES, username="list_a")
    for n in range(30):
        VisitRequest.objects.create(
            applicant=sales,
            site=first_site(),
            client=ClientFactory(name=f"客户{n:02}"),
            proposed_grade=four_tier["routine"],
            status=VisitStatus.CLOSED if n % 3 else VisitStatus.APPROVED,
            reference=f"JD-L-{n:02}",
            arrival_at=at(date(2026, 3, 1 + n % 28), 8 + n % 9),
        )
    return sales


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_visit_list_export_without_a_query_holds_every_visit_the_page_lists(
    client, thirty_visits, fmt
):
    client.force_login(thirty_visits)
    first_page = client.get(reverse("visits:list"))
    assert len(first_page.context["object_list"]) == 25  # the page shows 25 of them
    response = client.get(reverse("visits:list_export", kwargs={"fmt": fmt}))
    rows = rows_of_csv(response) if fmt == "csv" else rows_of_xlsx(response)
    exported = [r[0] for r in rows[1:]]
    assert len(exported) == 30
    assert exported == listed_refs(client)  # the same visits, in the page's order


@pytest.mark.parametrize(
    "query",
    [{"status": VisitStatus.APPROVED}, {"client": "客户1"}, {"status": "no-such-status"}],
    ids=["status", "client", "invalid"],
)
def test_the_visit_list_export_holds_what_the_filtered_page_lists(client, thirty_visits, query):
    client.force_login(thirty_visits)
    rows = rows_of_csv(client.get(reverse("visits:list_export", kwargs={"fmt": "csv"}), query))
    assert [r[0] for r in rows[1:]] == listed_refs(client, query)


# The .xlsx: the CSV's columns and values, readable widths, a frozen header ------------------


def exports_of(client, name, query) -> tuple[list[list[str]], object]:
    """The CSV's rows, and the .xlsx's sheet, of one export."""
    csv_rows = rows_of_csv(client.get(reverse(name, kwargs={"fmt": "csv"}), query))
    body = b"".join(client.get(reverse(name, kwargs={"fmt": "xlsx"}), query).streaming_content)
    return csv_rows, load_workbook(io.BytesIO(body)).active


def as_csv_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


@pytest.mark.parametrize(
    ("name", "reader"),
    [("visits:visitor_log_export", Role.FRONT_DESK), ("visits:list_export", Role.ADMINISTRATOR)],
)
def test_the_xlsx_holds_the_csvs_columns_and_values(client, logged_visit, name, reader):
    Visitor.objects.filter(name="孙立群").update(
        checked_in_at=at(date(2026, 3, 2), 9).replace(second=37, microsecond=5)
    )
    client.force_login(user_with(reader, username="reader"))
    csv_rows, sheet = exports_of(client, name, LOG)
    xlsx_rows = [[as_csv_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert len(csv_rows) == 2
    assert xlsx_rows == csv_rows


def test_the_xlsx_shows_times_to_the_minute(client, logged_visit):
    Visitor.objects.filter(name="孙立群").update(
        checked_in_at=at(date(2026, 3, 2), 9).replace(second=37)
    )
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    _csv, sheet = exports_of(client, "visits:visitor_log_export", LOG)
    checked_in = sheet["G2"]
    assert checked_in.value == datetime(2026, 3, 2, 9, 0)
    assert checked_in.number_format == "yyyy-mm-dd hh:mm"


def test_the_xlsx_has_a_frozen_header_and_columns_as_wide_as_their_content(client, logged_visit):
    logged_visit.client.name = "远航汽车零部件集团苏州精密制造有限公司"  # 19 wide characters
    logged_visit.client.save()
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    _csv, sheet = exports_of(client, "visits:visitor_log_export", LOG)
    assert sheet.freeze_panes == "A2"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCDEFGHI"}
    assert widths["B"] >= 38  # the company: two widths per Chinese character
    assert widths["G"] >= len("2026-03-02 09:00")  # a time, whole
    assert widths["C"] < widths["B"]  # a short name's column stays narrow
    assert sheet["A1"].font.bold


# Formula escaping: every leading character a spreadsheet evaluates -------------------------

FORMULAS = ["=1+1", "+1-1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "+86-21-5555-0101"]


@pytest.mark.parametrize("text", FORMULAS, ids=["eq", "plus", "minus", "at", "tab", "cr", "phone"])
def test_text_a_spreadsheet_would_evaluate_leaves_as_text(client, logged_visit, text):
    Visitor.objects.filter(name="孙立群").update(name=text, phone=text)
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    csv_rows, sheet = exports_of(client, "visits:visitor_log_export", LOG)
    assert csv_rows[1][2] == "'" + text and csv_rows[1][3] == "'" + text
    as_typed = text.replace("\r", "\n")  # XML reads a carriage return as a line feed
    for cell in (sheet["C2"], sheet["D2"]):
        # The .xlsx holds the text as typed, as a text cell Excel keeps as text when edited.
        assert (cell.value, cell.data_type, cell.quotePrefix) == (as_typed, "s", True)


def test_ordinary_text_and_numbers_leave_as_they_are(client, logged_visit):
    client.force_login(user_with(Role.FRONT_DESK, username="log_desk"))
    csv_rows, sheet = exports_of(client, "visits:visitor_log_export", LOG)
    assert csv_rows[1][2:4] == ["孙立群", "13900139002"]
    assert not sheet["C2"].quotePrefix
