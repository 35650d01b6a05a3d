"""The reports page: each figure on a small hand-built data set, the exports equal to the
table on screen, the period's validation, and a query count that does not grow with visits."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reception.accounts.roles import Role
from reception.models import ClientCategory
from tests.factories import ClientFactory, DepartmentFactory, first_site, user_with
from visits.models import PrepStatus, PrepTask, VisitRequest, VisitStatus, WalkIn, WalkInStatus
from visits.models.spending import ExpenseLine
from visits.reports import (
    Period,
    Table,
    approval_lead_time,
    chart,
    late_applications,
    preparation_on_time,
    spending,
    visits_by_category,
    visits_by_grade,
    visits_by_purpose,
    walk_ins,
)

pytestmark = pytest.mark.django_db

Q1 = Period(date(2026, 1, 1), date(2026, 3, 31))


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def applicant(db):
    return user_with(Role.SALES, username="rep_sales")


def make_visit(applicant, grade, day, **fields):
    fields.setdefault("status", VisitStatus.CLOSED)
    return VisitRequest.objects.create(
        applicant=applicant,
        site=first_site(),
        proposed_grade=grade,
        final_grade=fields.pop("final_grade", grade),
        arrival_at=at(day),
        departure_at=at(day, 17),
        **fields,
    )


def test_visits_per_month_count_received_visits_under_the_grade_that_applies(four_tier, applicant):
    vip, routine = four_tier["vip"], four_tier["routine"]
    make_visit(applicant, vip, date(2026, 1, 5))
    make_visit(applicant, routine, date(2026, 1, 20), final_grade=vip)  # regraded to VIP
    make_visit(applicant, routine, date(2026, 3, 2), status=VisitStatus.APPROVED)
    make_visit(applicant, routine, date(2026, 3, 3), status=VisitStatus.CANCELLED)  # not received
    make_visit(applicant, vip, date(2026, 4, 1))  # outside the period

    table = visits_by_grade(Q1)

    assert table.headers[1:] == [vip.label, routine.label, "Total"]
    assert table.rows == [["2026-01", 2, 0, 2], ["2026-02", 0, 0, 0], ["2026-03", 0, 1, 1]]


def test_visits_per_month_by_client_category(four_tier, applicant):
    grade = four_tier["guest"]
    referred = ClientFactory(category=ClientCategory.REFERRED, referred_by="王总")
    newly = ClientFactory(category=ClientCategory.NEWLY_DEVELOPED)
    make_visit(applicant, grade, date(2026, 2, 3), client=referred)
    make_visit(applicant, grade, date(2026, 2, 4), client=newly)
    make_visit(applicant, grade, date(2026, 2, 5), client=newly)

    table = visits_by_category(Q1)

    assert table.headers == ["Month", "Newly developed customer", "Referred customer", "Total"]
    assert table.rows[1] == ["2026-02", 2, 1, 3]


def test_a_visit_with_two_purposes_counts_under_each(four_tier, applicant):
    grade = four_tier["guest"]
    make_visit(applicant, grade, date(2026, 1, 8), purposes=["inspection", "tour"])
    make_visit(applicant, grade, date(2026, 1, 9), purposes=["tour"])
    make_visit(applicant, grade, date(2026, 3, 9), purposes=["other"])

    table = visits_by_purpose(Q1)

    assert table.headers == ["Month", "Inspection", "Tour", "Other"]
    assert table.rows == [["2026-01", 1, 2, 0], ["2026-02", 0, 0, 0], ["2026-03", 0, 0, 1]]


def test_preparation_on_time_rate_is_done_by_the_due_date_over_tasks_due(four_tier, applicant):
    visit = make_visit(applicant, four_tier["guest"], date(2026, 2, 20))
    office = DepartmentFactory(code="office", name="办公室", name_en="Office")

    def task(due, done_at=None, status=PrepStatus.DONE):
        PrepTask.objects.create(
            visit=visit,
            department=office,
            name="订车",
            due_date=due,
            status=status,
            done_at=done_at,
        )

    task(date(2026, 2, 10), at(date(2026, 2, 10), 18))  # on its due day: on time
    task(date(2026, 2, 10), at(date(2026, 2, 9)))  # early: on time
    task(date(2026, 2, 10), at(date(2026, 2, 11)))  # late
    task(date(2026, 2, 10), status=PrepStatus.OPEN)  # never done
    task(date(2026, 2, 10), status=PrepStatus.CANCELLED)  # not due any more
    task(timezone.localdate(), status=PrepStatus.OPEN)  # due today: may still be on time

    table = preparation_on_time(Period(date(2026, 1, 1), timezone.localdate()))

    assert table.rows == [["Office", 4, 2, 50.0]]


def test_approval_lead_time_gives_the_median_and_90th_percentile(four_tier, applicant):
    grade = four_tier["guest"]
    for hours in (10, 20, 30, 40, 100):
        submitted = at(date(2026, 2, 1), 8)
        make_visit(
            applicant,
            grade,
            date(2026, 3, 20),
            submitted_at=submitted,
            approved_at=submitted + timedelta(hours=hours),
        )
    make_visit(applicant, grade, date(2026, 3, 20), submitted_at=at(date(2026, 2, 1)))  # pending

    table = approval_lead_time(Q1)

    # percentile_cont: the median is the middle value; the 90th lies 60% of the way from
    # the 4th (40 h) to the 5th (100 h) value: 40 + 0.6 × 60 = 76 h.
    assert table.rows == [[5, 30.0, 76.0]]


def test_share_of_late_applications_per_month(four_tier, applicant):
    grade = four_tier["guest"]
    for late in (True, False, False, False):
        make_visit(
            applicant, grade, date(2026, 2, 20), submitted_at=at(date(2026, 2, 2)), late=late
        )
    make_visit(applicant, grade, date(2026, 2, 20))  # never submitted: not filed

    table = late_applications(Q1)

    assert table.rows[1] == ["2026-02", 4, 1, 25.0]
    assert table.rows[0] == ["2026-01", 0, 0, None]


def test_walk_ins_per_month_and_how_they_ended(applicant):
    host = user_with(Role.DEPUTY_GM, username="rep_host")
    for status in (WalkInStatus.ACCEPTED, WalkInStatus.DECLINED, WalkInStatus.DECLINED):
        walk_in = WalkIn.objects.create(
            recorded_by=applicant,
            company="路过公司",
            names="钱先生",
            phone="13800000000",
            wants_to_see=host,
            purpose="拜访",
            status=status,
        )
        WalkIn.objects.filter(pk=walk_in.pk).update(recorded_at=at(date(2026, 3, 4)))

    table = walk_ins(Q1)

    assert table.headers == ["Month", "Recorded", "Waiting at the gate", "Accepted", "Declined"]
    assert table.rows[2] == ["2026-03", 3, 0, 1, 2]


def test_spending_against_the_standard_per_grade_and_category(four_tier, applicant):
    model = ExpenseLine
    vip, routine = four_tier["vip"], four_tier["routine"]
    big = make_visit(applicant, vip, date(2026, 1, 10))
    small = make_visit(applicant, routine, date(2026, 2, 10))
    model.objects.create(
        entered_by=applicant,
        visit=big,
        category="meal",
        amount="900.00",
        standard_amount="750.00",
        over_standard=True,
    )
    model.objects.create(
        entered_by=applicant,
        visit=big,
        category="wine",
        amount="400.00",
        standard_amount="500.00",
        over_standard=False,
    )
    model.objects.create(
        entered_by=applicant,
        visit=small,
        category="meal",
        amount="100.00",
        standard_amount="120.00",
        over_standard=False,
    )

    model.objects.create(  # gifts have no standard: counted apart, not against the grade's
        entered_by=applicant, visit=big, category="gifts", amount="2000.00"
    )

    by_grade, by_category = spending(Q1)

    assert by_grade.rows == [
        [vip.label, 1300.0, 1250.0, 1, 2000.0],
        [routine.label, 100.0, 120.0, 0, 0.0],
    ]
    meal, wine, gift = by_category.rows
    assert meal[1:] == [1000.0, 870.0, 1] and wine[1:] == [400.0, 500.0, 0]
    assert gift[1:] == [2000.0, None, 0]


# ---- the page and its exports --------------------------------------------------------------


@pytest.fixture
def gm(db):
    return user_with(Role.GENERAL_MANAGER, username="rep_gm")


@pytest.fixture
def q1_data(four_tier, applicant):
    make_visit(applicant, four_tier["vip"], date(2026, 1, 5), purposes=["inspection"])
    make_visit(applicant, four_tier["routine"], date(2026, 2, 5), purposes=["tour"])
    make_visit(applicant, four_tier["routine"], date(2026, 2, 6), purposes=["tour"])


Q1_QUERY = {"start": "2026-01-01", "end": "2026-03-31"}


def on_screen(html: str, key: str) -> list[list[str]]:
    """The rows of one report's table as the page shows them (cells as text)."""
    table = re.search(rf'<table[^>]*data-report="{key}".*?</table>', html, re.S).group(0)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
        rows.append([c.strip() for c in cells])
    return rows


def test_the_general_manager_sees_the_charts_for_the_chosen_period(client, gm, q1_data):
    client.force_login(gm)
    response = client.get(reverse("visits:reports"), Q1_QUERY)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<svg class="report-chart-plot"' in html and "<rect" in html
    assert "style=" not in html.split("<main", 1)[1]  # the CSP forbids inline styles
    assert on_screen(html, "visits-by-grade")[1:] == [
        ["2026-01", "1", "0", "1"],
        ["2026-02", "0", "2", "2"],
        ["2026-03", "0", "0", "0"],
    ]


def test_csv_export_has_the_numbers_of_the_table_on_screen(client, gm, q1_data):
    client.force_login(gm)
    html = client.get(reverse("visits:reports"), Q1_QUERY).content.decode()
    url = reverse("visits:report_export", kwargs={"key": "visits-by-grade", "fmt": "csv"})
    response = client.get(url, Q1_QUERY)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == on_screen(html, "visits-by-grade")


def test_xlsx_export_has_the_numbers_of_the_table_on_screen(client, gm, q1_data):
    client.force_login(gm)
    html = client.get(reverse("visits:reports"), Q1_QUERY).content.decode()
    url = reverse("visits:report_export", kwargs={"key": "visits-by-purpose", "fmt": "xlsx"})
    response = client.get(url, Q1_QUERY)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert cells == on_screen(html, "visits-by-purpose")


@pytest.mark.parametrize("start", ["1999-12-31", "2101-01-01"])
def test_a_period_outside_2000_to_2100_is_refused_and_the_default_shown(client, gm, start):
    client.force_login(gm)
    response = client.get(reverse("visits:reports"), {"start": start, "end": "2026-03-31"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["period"] == Period.default()


def test_a_period_ending_before_it_starts_is_refused(client, gm):
    client.force_login(gm)
    response = client.get(reverse("visits:reports"), {"start": "2026-03-01", "end": "2026-01-01"})
    assert response.context["form"].non_field_errors()


def _bulk_visits(applicant, grades, clients, n):
    base = timezone.localdate().replace(day=1) - timedelta(days=40)
    VisitRequest.objects.bulk_create(
        VisitRequest(
            applicant=applicant,
            site=first_site(),
            client=clients[i % len(clients)],
            proposed_grade=grades[i % len(grades)],
            final_grade=grades[i % len(grades)],
            status=VisitStatus.CLOSED,
            purposes=["inspection"] if i % 2 else ["tour", "technical_discussion"],
            arrival_at=at(base + timedelta(days=i % 30)),
            departure_at=at(base + timedelta(days=i % 30), 18),
            submitted_at=at(base - timedelta(days=5)),
            approved_at=at(base - timedelta(days=4)) + timedelta(minutes=i),
            late=i % 3 == 0,
        )
        for i in range(n)
    )


def test_the_reports_page_costs_the_same_queries_at_100_and_1000_visits(
    client, gm, four_tier, applicant
):
    grades = list(four_tier.values())
    clients = [ClientFactory(category=c) for c in ClientCategory.values if c != "referred"]
    client.force_login(gm)
    url = reverse("visits:reports")

    def queries_at(total):
        _bulk_visits(applicant, grades, clients, total - VisitRequest.objects.count())
        client.get(url)  # warm-up (session, caches)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    assert queries_at(100) == queries_at(1000)


def test_the_figures_are_computed_once_and_the_export_gives_the_same_numbers(
    client, gm, q1_data, settings, applicant, four_tier
):
    """A busy manager's reload reads the kept figures (the aggregates do not run again); a
    visit added meanwhile shows after REPORTS_CACHE_SECONDS, in the page and its export alike."""
    settings.REPORTS_CACHE_SECONDS = 300
    cache.clear()
    client.force_login(gm)
    url = reverse("visits:reports")
    with CaptureQueriesContext(connection) as first:
        html = client.get(url, Q1_QUERY).content.decode()
    assert "Figures as of" in html
    make_visit(applicant, four_tier["vip"], date(2026, 3, 10))
    with CaptureQueriesContext(connection) as again:
        html_again = client.get(url, Q1_QUERY).content.decode()
    assert len(again.captured_queries) < len(first.captured_queries) - 5
    assert on_screen(html_again, "visits-by-grade") == on_screen(html, "visits-by-grade")
    export_url = reverse("visits:report_export", kwargs={"key": "visits-by-grade", "fmt": "csv"})
    text = b"".join(client.get(export_url, Q1_QUERY).streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == on_screen(html, "visits-by-grade")

    cache.clear()  # the kept figures expire
    html_later = client.get(url, Q1_QUERY).content.decode()
    assert on_screen(html_later, "visits-by-grade")[-1][-1] == "1"


def test_a_category_without_a_standard_shows_no_standard_rather_than_zero(four_tier, applicant):
    """Gifts have no standard: 0.0 would read as "nothing allowed" next to what was spent."""
    visit = make_visit(applicant, four_tier["vip"], date(2026, 1, 10))
    ExpenseLine.objects.create(
        entered_by=applicant, visit=visit, category="gifts", amount="300.00", over_standard=False
    )

    by_grade, by_category = spending(Q1)

    assert by_category.rows == [[by_category.rows[0][0], 300.0, None, 0]]
    assert by_grade.rows[0][1:] == [0.0, None, 0, 300.0]  # counted apart, not as over


@pytest.mark.parametrize(
    ("top", "unit", "label"),
    [
        (11200.0, "¥", "¥11,200"),
        (6017.5, "¥", "¥6,018"),
        (77.8, "%", "77.8%"),
        (93.0, "h", "93h"),
        (3, "", "3"),
        (123456.0, "¥", "¥123,456"),
    ],
)
def test_the_charts_top_label_is_written_as_a_reader_would(top, unit, label):
    """ "11200.0¥" became "¥11,200"."""
    table = Table("t", "T", "", ["Row", "Value"], chart_columns=[1], unit=unit)
    table.rows = [["a", top]]

    drawn = chart(table)

    assert drawn["top_label"] == label


def chart_of(labels: list[str]) -> dict:
    table = Table("t", "T", "", ["Row", "Value"], chart_columns=[1])
    table.rows = [[label, 1] for label in labels]
    return chart(table)


def shown(drawn: dict, *, phone: bool) -> list[str]:
    hidden = {"invisible", "report-chart-label-wide"} if phone else {"invisible"}
    return [label["text"] for label in drawn["labels"] if label["class"] not in hidden]


def test_six_months_show_every_label_from_576_px_and_every_other_on_a_phone():
    months = [f"2026-0{m}" for m in range(1, 7)]
    drawn = chart_of(months)
    assert shown(drawn, phone=False) == months
    assert shown(drawn, phone=True) == ["2026-01", "2026-03", "2026-05"]


def test_a_year_of_months_thins_its_labels_so_that_they_never_touch():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    drawn = chart_of(months)
    for phone, plot_px in ((True, 280), (False, 450)):
        labels = shown(drawn, phone=phone)
        assert labels[0] == "2026-01" and len(labels) >= 3
        step = months.index(labels[1]) - months.index(labels[0])
        assert step * plot_px / len(months) >= 7 * 12 * 0.6  # the room one label takes


def test_short_chinese_names_all_show_and_wrap_rather_than_thin():
    departments = ["办公室", "营销部", "后勤保障部", "技术部"]
    assert shown(chart_of(departments), phone=True) == departments


def test_the_period_inputs_show_the_default_period(client, gm):
    client.force_login(gm)
    html = client.get(reverse("visits:reports")).content.decode()
    period = Period.default()
    assert f'name="start" value="{period.start.isoformat()}"' in html
    assert f'name="end" value="{period.end.isoformat()}"' in html


def test_a_months_row_label_does_not_break_on_a_phone(client, gm, q1_data):
    """On a 390 px phone "2026-06" broke after the hyphen into two lines."""
    client.force_login(gm)
    html = client.get(reverse("visits:reports"), Q1_QUERY).content.decode()
    assert '<th scope="row" class="text-nowrap">2026-01</th>' in html
