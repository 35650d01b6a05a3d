"""Visitors' personal data (PIPL): phone numbers in full only to those who call the guests,
masked for everyone else (pages, timeline, PDFs); ID numbers never stored, only their masked
form and a keyed hash."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from reception.accounts.roles import Role
from tests.factories import approve_fully, file_visit, moment, t_minus, user_with
from visits.documents import visitor_information_pdf
from visits.models import (
    EventKind,
    Visitor,
    id_number_hash,
    mask_phone,
)
from visits.reminders import sweep
from visits.services.requests import update_visit_request
from visits.services.walk_ins import record_walk_in

pytestmark = pytest.mark.django_db

PHONE, MASKED = "13900139002", "139****9002"  # the first visitor of tests.factories.VISITORS
ID_NUMBER = "110101198001011234"


@pytest.fixture
def visit(four_tier, sales, staff):
    return approve_fully(file_visit(sales, four_tier["routine"]))


def page_of(browser, name, *args) -> str:
    response = browser.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_phone_is_masked_to_its_first_3_and_last_4_digits():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+86 21 5555 0101") == "+86******0101"
    assert mask_phone("12345") == "*****" and mask_phone("") == ""


def test_the_applicant_sees_visitor_phones_in_full(visit, sales, login):
    page = page_of(login(sales), "visits:detail", visit.pk)
    assert PHONE in page


def test_an_approver_sees_visitor_phones_masked(visit, staff, login):
    page = page_of(login(staff.marketing), "visits:detail", visit.pk)
    assert MASKED in page and PHONE not in page


@pytest.mark.parametrize(
    "role, in_full",
    [
        (Role.RECEPTIONIST, True),
        (Role.FRONT_DESK, True),
        (Role.ADMINISTRATOR, True),
        (Role.SECURITY, False),
        (Role.MARKETING, False),
        (Role.HR, False),
    ],
)
def test_who_sees_visitor_phones_in_full(visit, role, in_full):
    assert user_with(role).has_perm("visits.see_phones", visit) is in_full


def test_the_main_host_sees_visitor_phones_in_full(visit, staff):
    visit.main_host = staff.gm
    visit.save()
    assert staff.gm.has_perm("visits.see_phones", visit)


def test_gate_security_sees_phones_masked_at_the_desk(visit, login):
    page = page_of(login(user_with(Role.SECURITY)), "visits:desk", visit.pk)
    assert MASKED in page and PHONE not in page


def test_the_front_desk_sees_phones_in_full_at_the_desk(visit, login):
    page = page_of(login(user_with(Role.FRONT_DESK)), "visits:desk", visit.pk)
    assert PHONE in page


def test_the_timeline_records_changed_visitors_with_masked_phones(visit, sales):
    rows = [{"name": "钱多多", "phone": "13712345678"}]
    update_visit_request(visit=visit, by=sales, data={}, visitors=rows)
    change = visit.events.filter(kind=EventKind.CHANGE).last()
    listed = next(c for c in change.changes if c["field"] == "visitors")
    assert listed["new"] == ["钱多多 · 137****5678"]


@pytest.fixture
def walk_in(four_tier):
    guard = user_with(Role.SECURITY, username="guard")
    host = user_with(Role.MARKETING, username="host")
    return record_walk_in(
        by=guard,
        company="星河电子有限公司",
        names="王强",
        headcount=1,
        phone="13900001111",
        wants_to_see=host,
        purpose="洽谈采购",
    )


def test_gate_security_sees_walk_in_phones_masked(walk_in, login):
    browser = login(walk_in.recorded_by)
    for page in (
        page_of(browser, "visits:walk_ins"),
        page_of(browser, "visits:walk_in", walk_in.pk),
    ):
        assert "139****1111" in page and "13900001111" not in page


def test_the_person_asked_for_sees_the_walk_in_phone_in_full(walk_in, login):
    page = page_of(login(walk_in.wants_to_see), "visits:walk_in", walk_in.pk)
    assert "13900001111" in page
    assert "13900001111" in walk_in.wants_to_see.notifications.get().body


def test_the_visitor_sheet_masks_phones_for_a_reader_who_may_not_see_them(visit, staff, login):
    response = login(staff.marketing).get(
        reverse("visits:visitor_information_pdf", args=[visit.pk])
    )
    text = pdf_text(response.content)
    assert MASKED in text and PHONE not in text


def test_the_visitor_sheet_shows_phones_to_the_applicant(visit, sales, login):
    response = login(sales).get(reverse("visits:visitor_information_pdf", args=[visit.pk]))
    assert PHONE in pdf_text(response.content)


def test_the_receptionists_t_minus_2_sheet_shows_phones_in_full(visit, staff):
    mail.outbox.clear()
    sweep(now=moment(t_minus(visit, 2), 8, 31))
    (email,) = [m for m in mail.outbox if m.to == [staff.receptionist.email]]
    [(_name, pdf, _mimetype)] = email.attachments
    assert PHONE in pdf_text(pdf)


def test_a_sheet_rendered_for_nobody_masks_phones(visit):
    text = pdf_text(visitor_information_pdf(visit=visit, language="zh-hans"))
    assert MASKED in text and PHONE not in text


def test_id_numbers_are_kept_only_masked_and_as_a_keyed_hash(visit):
    visitor = visit.visitors.get(name="孙立群")
    stored = Visitor.objects.filter(pk=visitor.pk).values().get()
    assert ID_NUMBER not in [str(v) for v in stored.values()]
    assert visitor.id_number_masked == "110***********1234"
    assert visitor.has_id_number(ID_NUMBER) and not visitor.has_id_number("110101198001011235")
    assert visitor.id_number_hash == id_number_hash(" 110101 19800101123 4 ")  # normalised


def test_an_id_number_left_blank_keeps_the_stored_one(four_tier, sales):
    visit = file_visit(sales, four_tier["routine"], submit=False)
    visitor = visit.visitors.get(name="孙立群")
    row = {"id": visitor.pk, "name": "孙立群", "phone": PHONE, "id_number": ""}
    update_visit_request(visit=visit, by=sales, data={}, visitors=[row])
    visitor.refresh_from_db()
    assert visitor.has_id_number(ID_NUMBER)
