"""The working-day calendar: official holidays and 调休, the administrator's entries first,
weekends only (and a warning) beyond the library's years; entering a year in one step."""

import logging
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from reception.models import CalendarDay, DayKind
from reception.policy import calendar
from reception.policy.calendar import is_working_day, working_days_before
from reception.policy.calendar_import import CalendarImportError, parse_calendar

pytestmark = pytest.mark.django_db


def d(text: str) -> date:
    return date.fromisoformat(text)


def test_t_minus_2_across_a_weekend():
    assert working_days_before(d("2026-03-09"), 2) == d("2026-03-05")  # Monday → Thursday


def test_t_minus_2_across_the_national_day_holiday():
    # 1–7 October 2026 are off; Thursday 8 October is the first working day after them.
    assert working_days_before(d("2026-10-08"), 2) == d("2026-09-29")


def test_t_minus_2_counts_a_make_up_saturday():
    # Saturday 10 October 2026 is a make-up working day (国庆节调休).
    assert is_working_day(d("2026-10-10"))
    assert working_days_before(d("2026-10-13"), 2) == d("2026-10-10")


@pytest.mark.parametrize(
    "arrival, t_minus_2",
    [
        ("2026-02-24", "2026-02-13"),  # first day back: the 9-day Spring Festival is skipped
        ("2026-02-25", "2026-02-14"),  # Saturday 14 February is a make-up working day
        ("2026-03-02", "2026-02-27"),  # Saturday 28 February (make-up) is T−1
    ],
)
def test_t_minus_2_around_the_spring_festival(arrival, t_minus_2):
    assert working_days_before(d(arrival), 2) == d(t_minus_2)


def test_an_administrators_day_off_wins_over_the_official_calendar():
    CalendarDay.objects.create(day=d("2026-10-09"), kind=DayKind.OFF, note="公司停产")
    assert not is_working_day(d("2026-10-09"))
    assert working_days_before(d("2026-10-12"), 2) == d("2026-10-08")


def test_an_administrators_extra_working_day_wins_over_a_holiday():
    CalendarDay.objects.create(day=d("2026-10-07"), kind=DayKind.WORKING, note="加班")
    assert working_days_before(d("2026-10-09"), 2) == d("2026-10-07")


def test_a_year_beyond_the_library_counts_weekends_only_and_says_so(caplog, monkeypatch):
    monkeypatch.setattr(calendar, "_warned_years", set())
    with caplog.at_level(logging.WARNING, logger="reception.policy.calendar"):
        assert working_days_before(d("2031-01-06"), 2) == d("2031-01-02")  # Monday → Thursday
    assert "no official schedule for 2031" in caplog.text


def test_preparation_due_dates_skip_the_national_day_holiday():
    from types import SimpleNamespace

    from django.utils import timezone

    from visits.services.preparation import due_date_for

    arrival = timezone.make_aware(timezone.datetime(2026, 10, 8, 9, 30))
    template = SimpleNamespace(due_working_days=1)
    assert due_date_for(template, SimpleNamespace(arrival_at=arrival)) == d("2026-09-30")


# ---- entering a year in one step ---------------------------------------------------------

SCHEDULE_2027 = """\
# 2027 (example)
2027-01-01              off   元旦
2027-02-06..2027-02-12  off   春节
2027-02-20,work,春节调休上班
2027/10/09  班  国庆节调休
"""


def test_a_pasted_list_expands_ranges_and_reads_chinese_kinds():
    entries = parse_calendar(SCHEDULE_2027)
    assert len(entries) == 1 + 7 + 1 + 1
    assert entries[1].day == d("2027-02-06") and entries[1].note == "春节"
    assert [e.kind for e in entries[-2:]] == [DayKind.WORKING, DayKind.WORKING]


def test_a_bad_line_is_reported_with_its_number():
    with pytest.raises(CalendarImportError, match="Line 2"):
        parse_calendar("2027-01-01 off\n2027-13-01 off\n")


def test_import_calendar_enters_a_year_and_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.setattr(calendar, "_warned_years", set())
    source = tmp_path / "2027.txt"
    source.write_text(SCHEDULE_2027, encoding="utf-8")
    out = StringIO()
    call_command("import_calendar", str(source), stdout=out)
    assert "10 created" in out.getvalue()
    again = StringIO()
    call_command("import_calendar", str(source), stdout=again)
    assert "already up to date" in again.getvalue()
    assert not is_working_day(d("2027-02-08"))  # a Monday of the imported Spring Festival
    assert working_days_before(d("2027-02-22"), 2) == d("2027-02-19")  # Sat 20th counts


def test_import_calendar_replace_deletes_what_the_new_list_drops(tmp_path):
    CalendarDay.objects.create(day=d("2027-05-03"), kind=DayKind.OFF, note="old guess")
    source = tmp_path / "2027.txt"
    source.write_text("2027-05-04 off 劳动节\n", encoding="utf-8")
    call_command("import_calendar", str(source), "--replace", stdout=StringIO())
    assert list(CalendarDay.objects.values_list("day", flat=True)) == [d("2027-05-04")]


def test_import_calendar_refuses_a_bad_file(tmp_path):
    source = tmp_path / "bad.txt"
    source.write_text("2027-01-01 maybe\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Line 1"):
        call_command("import_calendar", str(source), stdout=StringIO())


# ---- the admin calendar page ---------------------------------------------------------------


@pytest.fixture
def admin_browser(client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    return client


def test_the_admin_calendar_warns_about_a_year_beyond_the_library(admin_browser, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: d("2026-11-24"))
    page = admin_browser.get(reverse("admin:reception_calendarday_changelist"))
    warnings = [str(m) for m in page.context["messages"]]
    assert any("no official schedule for 2027" in w for w in warnings)
    assert not any("for 2026" in w for w in warnings)


def test_the_admin_imports_a_pasted_year_in_one_step(admin_browser):
    response = admin_browser.post(
        reverse("admin:reception_calendarday_import"), {"text": SCHEDULE_2027}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(day__year=2027).count() == 10
    overview = admin_browser.get(response["Location"])
    assert "春节调休上班" in overview.content.decode()


def test_the_admin_import_shows_the_bad_line(admin_browser):
    response = admin_browser.post(
        reverse("admin:reception_calendarday_import"), {"text": "2027-01-01 off\nnonsense\n"}
    )
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()
    assert not CalendarDay.objects.exists()


@pytest.mark.parametrize("year", ["9999", "1", "abc"])
def test_the_year_overview_outside_the_date_window_shows_this_year_with_a_message(
    admin_browser, year
):
    page = admin_browser.get(reverse("admin:reception_calendarday_year"), {"year": year})
    assert page.status_code == 200
    assert page.context["year"] == timezone.localdate().year
    assert any("not a year between 2000 and 2100" in str(m) for m in page.context["messages"])
