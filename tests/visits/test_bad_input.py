"""Bad input gets a clear error on the field, never a 500 and never a silent loss."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import ClientFactory, file_visit, user_with, visit_data
from tests.visits.test_filing_page import post_data
from visits.forms.requests import VisitorFormSet
from visits.models import PrepStatus, Purpose, Service, VisitRequest
from visits.services import desk
from visits.services import requests as requests_service

pytestmark = pytest.mark.django_db

BOARD = reverse("visits:board")
NEW = reverse("visits:create")


def approve_through(visit):
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# ---- dates stay within 2000–2100 ---------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
def test_a_board_day_outside_the_window_shows_today_with_a_message(day, login):
    browser = login(user_with(Role.FRONT_DESK))
    response = browser.get(BOARD, {"day": day})
    assert response.status_code == 200
    assert response.context["tab"] == "today"
    assert response.context["first"] == timezone.localdate()
    [message] = messages_of(response)
    assert day in message and "2000-01-01" in message


def test_the_last_day_of_the_window_still_shows_its_board(login):
    browser = login(user_with(Role.FRONT_DESK))
    response = browser.get(BOARD, {"day": "2100-12-31"})
    assert response.status_code == 200 and response.context["tab"] == "day"
    assert str(response.context["first"]) == "2100-12-31"


def test_an_itinerary_item_in_the_year_1_is_a_form_error(four_tier, sales, staff, login):
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    response = login(staff.receptionist).post(
        reverse("visits:itinerary", args=[visit.pk]),
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-step": "welcome",
            "items-0-starts_at": "0001-01-01T00:00",
        },
    )
    assert response.status_code == 400
    errors = response.context["formset"].forms[0].errors
    assert "starts_at" in errors and "2000-01-01" in errors["starts_at"][0]


def test_an_itinerary_title_with_a_line_break_is_a_form_error(four_tier, sales, staff, login):
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    start = (visit.arrival_at + timedelta(hours=1)).astimezone()
    response = login(staff.receptionist).post(
        reverse("visits:itinerary", args=[visit.pk]),
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-step": "other",
            "items-0-starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "items-0-title": "参观\r\n车间",
        },
    )
    assert response.status_code == 400
    assert "line break" in response.context["formset"].forms[0].errors["title"][0]


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_filing_date_outside_the_window_is_a_form_error(when, four_tier, sales, login):
    data = post_data(four_tier["guest"], ClientFactory(), departure_at=when, save="1")
    response = login(sales).post(NEW, data)
    assert response.status_code == 400
    assert "2100-12-31" in response.context["form"].errors["departure_at"][0]
    assert not VisitRequest.objects.exists()


@pytest.mark.parametrize("url", ["visits:list", "approvals:queue"])
def test_an_arrival_filter_outside_the_window_is_a_filter_error(url, four_tier, staff, login):
    browser = login(staff.marketing)
    response = browser.get(reverse(url), {"arrival_from": "0001-01-01"})
    assert response.status_code == 200
    assert "arrival_from" in response.context["filter"].form.errors


# ---- single-line fields refuse line breaks, control and invisible characters -------------


def test_a_line_break_in_a_visitor_name_is_a_form_error(four_tier, sales, login):
    visitors = [("孙立\n群", "采购副总裁", "13900139002")]
    data = post_data(four_tier["guest"], ClientFactory(), visitors=visitors, save="1")
    response = login(sales).post(NEW, data)
    assert response.status_code == 400
    [errors] = response.context["visitors"].errors
    assert "line break" in errors["name"][0]
    assert not VisitRequest.objects.exists()


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u200b", "\u2066", "\ufeff", "\x07"],
    ids=["rlo", "zwsp", "lri", "bom", "bel"],
)
def test_an_invisible_character_in_a_walk_in_company_is_a_form_error(char, login):
    guard = user_with(Role.SECURITY)
    response = login(guard).post(
        reverse("visits:walk_in_create"),
        {
            "company": f"星河{char}电子",
            "names": "王强",
            "headcount": 1,
            "wants_to_see": guard.pk,
            "purpose": "洽谈",
        },
    )
    assert response.status_code in (200, 400)
    assert f"U+{ord(char):04X}" in response.context["form"].errors["company"][0]


def test_a_note_keeps_its_line_breaks_but_not_an_override(four_tier, sales, login):
    browser = login(sales)
    client = ClientFactory()
    ok = browser.post(
        NEW, post_data(four_tier["guest"], client, notes="第一行\r\n第二行", save="1")
    )
    assert ok.status_code == 302
    bad = browser.post(NEW, post_data(four_tier["guest"], client, notes="abc\u202edef", save="1"))
    assert bad.status_code == 400 and "U+202E" in bad.context["form"].errors["notes"][0]


def test_a_visitor_name_with_a_line_break_no_longer_stops_the_visits_emails(
    four_tier, sales, staff, django_capture_on_commit_callbacks
):
    """Names stored before the rule (or by a script) still reach the subject line: the
    subject is put on one line, so the email goes out."""
    visit = approve_through(
        file_visit(sales, four_tier["guest"], visitors=[{"name": "孙立\n群", "title": "经理"}])
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        desk.check_in(visit=visit, by=user_with(Role.FRONT_DESK))
    subjects = [m.subject for m in mail.outbox]
    assert subjects and any("孙立 群" in s for s in subjects)
    assert not any("\n" in s for s in subjects)


# ---- an over-long task note is an error, the task stays open -----------------------------


@pytest.fixture
def office_task(four_tier, sales, staff):
    member = user_with(Role.DEPARTMENT_MEMBER, username="office_member")
    Department.objects.get(code="office").memberships.create(user=member)
    visit = approve_through(file_visit(sales, four_tier["vip"]))
    return member, visit.prep_tasks.get(template__code="office-car")


def test_a_task_note_over_500_characters_keeps_the_task_open_with_an_error(office_task, login):
    member, task = office_task
    note = "车" * 501
    response = login(member).post(
        reverse("visits:task_action", args=[task.pk, "done"]),
        {f"task{task.pk}-note": note},
        HTTP_HX_REQUEST="true",
    )
    task.refresh_from_db()
    assert task.status == PrepStatus.OPEN and task.note == ""
    page = response.content.decode()
    assert "500" in page and 'role="alert"' in page
    assert note in page  # what was typed is given back to shorten


def test_a_task_note_of_500_characters_is_kept_whole(office_task, login):
    member, task = office_task
    login(member).post(
        reverse("visits:task_action", args=[task.pk, "done"]),
        {f"task{task.pk}-note": "车" * 500},
        HTTP_HX_REQUEST="true",
    )
    task.refresh_from_db()
    assert task.status == PrepStatus.DONE and task.note == "车" * 500


def test_arrival_checks_still_work_for_the_next_days(login):
    browser = login(user_with(Role.FRONT_DESK))
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = browser.get(BOARD, {"day": tomorrow})
    assert response.context["tab"] == "day" and not messages_of(response)


# ---- filing is idempotent against a double click ------------------------------------------


def test_the_filing_form_carries_a_fresh_one_time_token(sales, four_tier, login):
    browser = login(sales)
    first, second = browser.get(NEW), browser.get(NEW)
    token = first.context["submission_token"]
    assert token and token != second.context["submission_token"]
    assert f'name="submission_token" value="{token}"' in first.content.decode()


def test_a_double_clicked_filing_creates_one_request_and_shows_it(four_tier, sales, staff, login):
    browser = login(sales)
    token = browser.get(NEW).context["submission_token"]
    data = post_data(four_tier["guest"], ClientFactory(), submit="1", submission_token=str(token))
    first = browser.post(NEW, data)
    second = browser.post(NEW, data)
    visit = VisitRequest.objects.get()
    assert first["Location"] == second["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.submission_token == token
    assert any(visit.reference in m and "twice" in m for m in messages_of(second))


def test_a_form_sent_back_with_errors_keeps_its_token(four_tier, sales, login):
    browser = login(sales)
    token = str(browser.get(NEW).context["submission_token"])
    data = post_data(four_tier["guest"], ClientFactory(), submit="1", submission_token=token)
    data["departure_at"] = "0001-01-01T00:00"
    response = browser.post(NEW, data)
    assert response.status_code == 400
    assert str(response.context["submission_token"]) == token


def test_another_filing_form_files_another_request(four_tier, sales, login):
    browser = login(sales)
    client = ClientFactory()
    for _ in range(2):
        token = str(browser.get(NEW).context["submission_token"])
        browser.post(NEW, post_data(four_tier["guest"], client, save="1", submission_token=token))
    assert VisitRequest.objects.count() == 2


def test_two_filings_racing_with_one_token_make_one_request(four_tier, sales, monkeypatch):
    """The second one passed the look-up before the first committed: the unique token stops
    it at the database, and it answers with the first request."""
    token = uuid.uuid4()
    first = requests_service.file_visit_request(
        applicant=sales, data=visit_data(four_tier["guest"]), visitors=[], token=token
    )
    real = requests_service.filed_with_token
    calls = iter([None])
    monkeypatch.setattr(
        requests_service, "filed_with_token", lambda *a: next(calls, None) or real(*a)
    )
    with pytest.raises(requests_service.AlreadyFiled) as raised:
        requests_service.file_visit_request(
            applicant=sales, data=visit_data(four_tier["guest"]), visitors=[], token=token
        )
    assert raised.value.visit == first and VisitRequest.objects.count() == 1


# ---- visitor rows stay within what Django accepts in one form -----------------------------


def many_visitors(n):
    return [(f"访客{i}", "工程师", "13900000000") for i in range(n)]


def as_a_browser_sends_it(data, rows):
    """A browser sends every input of each row, the empty ones too."""
    for i in range(rows):
        data |= {f"visitors-{i}-id_number": "", f"visitors-{i}-notes": "", f"visitors-{i}-id": ""}
    return data


def test_the_filing_form_at_its_row_limit_fits_in_djangos_field_limit(four_tier, sales, login):
    """Every field of the form, each purpose and service ticked, a full visitor list."""
    rows = VisitorFormSet().max_num
    data = post_data(
        four_tier["guest"],
        ClientFactory(),
        visitors=many_visitors(rows),
        save="1",
        notes="x",
        purpose_other="x",
        banner_text="x",
        service_other="x",
    )
    data |= {
        "purposes": [p for p, _ in Purpose.choices],
        "services": [s for s, _ in Service.choices],
    }
    data = as_a_browser_sends_it(data, rows)
    fields = sum(len(v) if isinstance(v, list) else 1 for v in data.values()) + 2  # csrf, token
    staff_margin = 100  # contacts and accompanying staff ticked
    assert fields + staff_margin <= settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    response = login(sales).post(NEW, data)
    assert response.status_code == 302, response.context["form"].errors
    assert VisitRequest.objects.get().visitors.count() == rows


def test_more_visitor_rows_than_the_form_takes_is_a_message_on_the_visitors(
    four_tier, sales, login
):
    rows = VisitorFormSet().max_num
    data = post_data(four_tier["guest"], ClientFactory(), visitors=many_visitors(rows + 1))
    response = login(sales).post(NEW, {**data, "save": "1"})
    assert response.status_code == 400
    [error] = response.context["visitors"].non_form_errors()
    assert f"at most {rows} visitors" in error
    assert not VisitRequest.objects.exists()


def test_a_form_over_djangos_field_limit_gets_a_page_that_says_so(four_tier, sales, login):
    data = post_data(four_tier["guest"], ClientFactory(), visitors=many_visitors(170))
    data = as_a_browser_sends_it(data, 170)
    response = login(sales).post(NEW, {**data, "save": "1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "more than 1000 fields" in page and "nothing was saved" in page
    assert not VisitRequest.objects.exists()


# ---- ids that are no ids, numbers past their column: a form error, never a 500 -----------
# (found by tests/inputs/test_fuzz.py; "²" passes str.isdigit() and fails int())

NOT_IDS = ["²", "٣", "9223372036854775808"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_visitor_id_that_is_no_id_checks_everyone_in(value, four_tier, sales, staff, login):
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    response = login(user_with(Role.FRONT_DESK)).post(
        reverse("visits:check", args=[visit.pk, "in"]), {"visitor": value}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_client_that_is_no_id_offers_no_contacts(value, sales, login):
    response = login(sales).get(reverse("visits:contact_options"), {"client": value})
    assert response.status_code == 200 and not response.context["contacts"]


@pytest.mark.parametrize("value", NOT_IDS)
def test_bulk_approving_steps_that_are_no_ids_asks_for_a_selection(value, staff, login):
    response = login(staff.marketing).post(reverse("approvals:bulk_approve"), {"steps": value})
    assert response.status_code == 302
    assert "Select the requests" in messages_of(response)[0]


@pytest.mark.parametrize("value", NOT_IDS)
def test_assigning_a_task_to_no_id_is_refused(value, four_tier, sales, login):
    office = Department.objects.get(code="office")
    office.head = user_with(Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER)
    office.save()
    task = approve_through(file_visit(sales, four_tier["vip"])).prep_tasks.get(
        template__code="office-hotel"
    )
    response = login(office.head).post(
        reverse("visits:task_action", args=[task.pk, "assign"]), {"assignee": value}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.assignee is None


@pytest.mark.parametrize("field", ["client", "accompanying_staff", "contacts"])
@pytest.mark.parametrize("value", NOT_IDS)
def test_a_filing_choice_that_is_no_id_is_a_form_error(field, value, four_tier, sales, login):
    data = post_data(four_tier["guest"], ClientFactory(), save="1") | {field: value}
    response = login(sales).post(NEW, data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not VisitRequest.objects.exists()


@pytest.mark.parametrize("fields", [("meals", "meal_staff", "headcount"), ("rooms", "nights")])
def test_numbers_past_their_column_are_form_errors_and_the_estimate_still_shows(
    fields, four_tier, sales, login
):
    """The estimate beside the form multiplies them: 10**19 × 10**19 meals overflowed it."""
    visit = file_visit(sales, four_tier["vip"], submit=False)
    data = post_data(four_tier["vip"], visit.client, save="1")
    data |= {field: "9223372036854775808" for field in fields}
    response = login(sales).post(reverse("visits:edit", args=[visit.pk]), data)
    assert response.status_code == 400
    assert set(fields) <= set(response.context["form"].errors)
    assert 'id="estimate"' in response.content.decode()


# ---- a forged row count builds no more forms than the page takes --------------------------


def test_a_forged_row_count_builds_at_most_the_formsets_limit(four_tier, sales, staff, login):
    from reception.forms import ContactFormSet
    from visits.forms.itinerary import ItineraryFormSet
    from visits.forms.summary import FollowUpFormSet

    for formset_class in (ContactFormSet, ItineraryFormSet, FollowUpFormSet):
        assert formset_class.absolute_max == formset_class.max_num <= 200
    visit = approve_through(file_visit(sales, four_tier["guest"]))
    response = login(staff.receptionist).post(
        reverse("visits:itinerary", args=[visit.pk]),
        {"items-TOTAL_FORMS": "1000000", "items-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 400
    formset = response.context["formset"]
    assert len(formset.forms) == ItineraryFormSet.max_num
    assert "at most 60" in " ".join(formset.non_form_errors())
