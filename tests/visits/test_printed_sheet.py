"""The visitor information sheet prints whole: itinerary texts wrap instead of being cut, the
send-off shows how the guests leave (not the train they came by), and the masthead carries the
company's name from the admin, never a placeholder."""

from datetime import timedelta

import pytest

from reception.models import ReceptionPolicy
from tests.factories import approve_fully, file_visit
from tests.visits.test_documents import text_of
from visits.documents import visitor_information_pdf
from visits.models import ItineraryItem, ProcedureStep

pytestmark = pytest.mark.django_db

ARRIVAL = "虹桥站 G7012 09:15 到达"
DEPARTURE = "虹桥站 G7015 19:05 发车"


def squeezed(text: str) -> str:
    """Without whitespace: a wrapped cell's lines join up again."""
    return "".join(text.split())


@pytest.fixture
def visit(four_tier, sales):
    return approve_fully(
        file_visit(
            sales,
            four_tier["guest"],
            arrival_mode="station",
            arrival_point=ARRIVAL,
            departure_point=DEPARTURE,
            services=["car"],
        )
    )


def test_a_long_itinerary_place_and_title_wrap_whole(visit, staff):
    place = "虹桥站 G7012 09:15 到达，北出口 3 号门内侧等候"  # 42 columns: cut at 18 before
    title = "参观总装车间与储能柜生产线，并在质检中心观看出厂试验"
    ItineraryItem.objects.create(
        visit=visit,
        step=ProcedureStep.TOUR,
        starts_at=visit.arrival_at + timedelta(hours=2),
        title=title,
        place=place,
        notes="请提前准备安全帽和鞋套，每人一套",
    )
    text = squeezed(text_of(visitor_information_pdf(visit=visit, language="zh-hans")))
    assert squeezed(place) in text
    assert squeezed(title) in text
    assert "请提前准备安全帽和鞋套，每人一套" in text
    assert "09:1…" not in text


def test_the_drafted_send_off_leaves_from_the_departure_point(visit):
    send_off = visit.itinerary.get(step=ProcedureStep.SEND_OFF)
    pick_up = visit.itinerary.get(step=ProcedureStep.PICK_UP)
    assert send_off.place == DEPARTURE and pick_up.place == ARRIVAL


def test_the_sheets_send_off_row_shows_the_departure_not_the_arrival_train(visit):
    text = squeezed(text_of(visitor_information_pdf(visit=visit, language="en")))
    row = text.split("Send-off")[1].split("Services")[0]  # the itinerary's last row
    assert squeezed(DEPARTURE) in row and "G7012" not in row


def test_the_masthead_prints_the_company_name_set_in_the_admin(visit):
    policy = ReceptionPolicy.get()
    policy.company_name, policy.company_name_en = "江南精工机械股份有限公司", "Jiangnan Works"
    policy.save()
    text = text_of(visitor_information_pdf(visit=visit, language="zh-hans"))
    assert "江南精工机械股份有限公司" in text and "本公司" not in text


def test_without_a_company_name_the_sheet_prints_no_placeholder(visit):
    policy = ReceptionPolicy.get()
    assert policy.company_name == ""  # no placeholder by default
    for language in ("zh-hans", "en"):
        text = text_of(visitor_information_pdf(visit=visit, language=language))
        assert "本公司" not in text and "Our company" not in text
