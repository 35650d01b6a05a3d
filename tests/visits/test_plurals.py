"""Counted nouns take the form their number asks for ("1 seat", "2 seats"), on pages, in task
hints and in notifications; the language list names each language in itself."""

import pytest
from django.urls import reverse
from django.utils.translation import override

from reception.notifications.messages import render_stored
from tests.factories import approve_fully, file_visit
from visits import quantities
from visits.services.preparation import quantity_hint

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("quantity", "english"),
    [
        (quantities.seats(1), "1 seat"),
        (quantities.seats(2), "2 seats"),
        (quantities.visitors(1), "1 visitor"),
        (quantities.meals_places(1, 6), "1 meal × 6 places"),
        (quantities.meals_places(2, 1), "2 meals × 1 place"),
        (quantities.rooms_nights(1, 1), "1 room × 1 night"),
        (quantities.rooms_nights(3, 2), "3 rooms × 2 nights"),
    ],
)
def test_counted_nouns_agree_with_their_number_in_english(quantity, english):
    with override("en"):
        assert str(quantity) == english
    assert render_stored(quantity.to_json(), language="en") == english


def test_the_decision_card_says_one_room_and_one_night(four_tier, sales, staff, login):
    file_visit(sales, four_tier["vip"], rooms=1, nights=1, meals=1)
    page = login(staff.marketing).get(reverse("approvals:queue"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "1 room × 1 night" in text and "1 meal, 3 of our staff joining" in text
    assert "night(s)" not in text and "1 rooms" not in text


def test_the_visit_page_says_two_rooms_and_two_nights(four_tier, sales, login):
    visit = file_visit(sales, four_tier["vip"], rooms=2, nights=2, meals=1)
    page = login(sales).get(reverse("visits:detail", args=[visit.pk]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "2 rooms × 2 nights" in text and "1 meal, 3 of our staff joining" in text


def test_task_hints_count_one_seat_and_one_room_for_one_night(four_tier, sales):
    visit = approve_fully(
        file_visit(
            sales,
            four_tier["vip"],
            visitors=[{"name": "孙立群", "title": "采购副总裁", "phone": "13900139002"}],
            headcount=1,
            meal_staff=0,
            rooms=1,
            nights=1,
        )
    )
    hint = {t.template.code: t for t in visit.prep_tasks.select_related("template", "visit")}
    with override("en"):
        assert quantity_hint(hint["office-meeting-room"]) == "1 seat"
        assert quantity_hint(hint["office-hotel"]) == "1 room × 1 night"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_language_list_names_each_language_in_itself(sales, login, language):
    sales.language = language
    sales.save()
    page = login(sales).get(reverse("home")).content.decode()
    assert '<option value="en" lang="en"' in page and ">English</option>" in page
    assert '<option value="zh-hans" lang="zh-hans"' in page and ">简体中文</option>" in page
    assert "Simplified Chinese" not in page and "英语" not in page
