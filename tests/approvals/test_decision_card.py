"""The decision card: the facts a manager needs on the card, bulk approval after one
confirmation, the pending count after in-place decisions, a skip link, filters folded on phones."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals import services
from approvals.models import StepState
from approvals.services import decide
from reception.errors import RuleError
from tests.factories import file_visit

pytestmark = pytest.mark.django_db

QUEUE = reverse("approvals:queue")
BULK = reverse("approvals:bulk_approve")


def file_in(sales, grade, days=9, **extra):
    arrival = (timezone.localtime() + timedelta(days=days)).replace(hour=9, minute=0)
    extra.setdefault("late_reason", "客户临时通知")
    return file_visit(
        sales, grade, arrival_at=arrival, departure_at=arrival + timedelta(hours=30), **extra
    )


def pending_step(visit):
    return visit.approval_steps.get(state=StepState.PENDING)


def test_the_card_shows_visitors_services_meals_rooms_and_the_grades_standard(
    four_tier, sales, staff, login
):
    visit = file_in(sales, four_tier["vip"])
    standard = visit.grade.standard
    page = login(staff.marketing).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "孙立群" in page and "采购副总裁" in page and "Peter Lee" in page
    assert str(visit.service_labels()[0]) in page
    assert f"standard CNY {standard.meal_per_person}" in page
    assert standard.hotel_label in page and standard.car_label in page


def test_the_card_shows_why_a_request_is_late(four_tier, sales, staff, login):
    file_in(sales, four_tier["routine"], days=1, late_reason="客户临时改期")
    assert "客户临时改期" in login(staff.marketing).get(QUEUE).content.decode()


def test_bulk_approval_asks_once_then_approves_each_selected_request(
    four_tier, sales, staff, login
):
    visits = [file_in(sales, four_tier["routine"], days=9 + i) for i in range(3)]
    chosen = [pending_step(v) for v in visits[:2]]
    browser = login(staff.marketing)
    ids = [s.pk for s in chosen]
    confirm = browser.post(BULK, {"steps": ids})
    assert confirm.status_code == 200
    assert all(s.subject.reference in confirm.content.decode() for s in chosen)
    assert all(pending_step(v) for v in visits)  # nothing decided before the confirmation
    browser.post(BULK, {"steps": ids, "confirmed": "yes"})
    for step in chosen:
        step.refresh_from_db()
        assert step.state == StepState.APPROVED
    assert pending_step(visits[2]).decided_at is None


def test_bulk_approval_leaves_out_a_step_decided_meanwhile_and_approves_the_rest(
    four_tier, sales, staff, login
):
    ok, gone = file_in(sales, four_tier["routine"]), file_in(sales, four_tier["routine"], 10)
    ok_step, gone_step = pending_step(ok), pending_step(gone)
    browser = login(staff.marketing)
    # decided by a colleague between the confirmation page and the click
    decide(step=gone_step, by=staff.marketing, decision=StepState.APPROVED)
    with_other = browser.post(
        BULK, {"steps": [ok_step.pk, gone_step.pk], "confirmed": "yes"}, follow=True
    )
    ok_step.refresh_from_db()
    assert ok_step.state == StepState.APPROVED
    messages = [str(m) for m in with_other.context["messages"]]
    assert any(ok.reference in m for m in messages)


def test_a_refused_step_in_bulk_is_reported(four_tier, sales, staff, login, monkeypatch):
    visit = file_in(sales, four_tier["routine"])
    step = pending_step(visit)

    def refuse(**kwargs):
        raise RuleError("拒绝的理由")

    monkeypatch.setattr(services, "decide", refuse)
    response = login(staff.marketing).post(
        BULK, {"steps": [step.pk], "confirmed": "yes"}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert any(visit.reference in m and "拒绝的理由" in m for m in messages)


def test_someone_elses_steps_are_not_approved_in_bulk(four_tier, sales, staff, login):
    visit = file_in(sales, four_tier["routine"])
    step = pending_step(visit)
    login(staff.gm).post(BULK, {"steps": [step.pk], "confirmed": "yes"})
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_the_pending_count_drops_after_a_decision_in_place(four_tier, sales, staff, login):
    first, _second = file_in(sales, four_tier["routine"]), file_in(sales, four_tier["routine"], 10)
    browser = login(staff.marketing)
    assert browser.get(QUEUE).context["pending"] == 2
    step = pending_step(first)
    response = browser.post(
        reverse("approvals:decide", args=[step.pk]),
        {f"step{step.pk}-decision": "approved", f"step{step.pk}-grade": four_tier["routine"].pk},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert 'id="pending-count"' in html and 'hx-swap-oob="true"' in html
    assert "1 pending" in html


def test_a_skip_link_leads_to_the_first_card_and_filters_fold_on_phones(
    four_tier, sales, staff, login
):
    file_in(sales, four_tier["routine"])
    page = login(staff.marketing).get(QUEUE).content.decode()
    assert 'href="#queue-cards"' in page and 'id="queue-cards"' in page
    assert page.index('href="#queue-cards"') < page.index("<nav")
    assert 'class="collapse d-lg-block" id="queue-filters"' in page


# ---- where the request goes over the grade's standard; the client's last visits -----------


def over_rows(page: str) -> list[str]:
    import re

    table = re.search(r'<table class="[^"]*over-standard.*?</table>', page, re.S)
    if table is None:
        return []
    rows = re.findall(r"<tr><td>(.*?)</tr>", table.group(0), re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_a_car_the_grade_does_not_provide_is_over_its_standard(four_tier, sales, staff, login):
    file_in(sales, four_tier["routine"])  # a car pick-up at 业务级, which provides none
    page = login(staff.marketing).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    business = four_tier["business"].standard
    assert over_rows(page) == [
        "Car 2 trips not provided "
        f"¥{business.car_trip_price * 2:.2f} (at {four_tier['business'].name_en}) "
        f"+¥{business.car_trip_price * 2:.2f}"
    ]


def test_a_lower_grade_than_proposed_shows_each_line_over_and_by_how_much(
    four_tier, sales, staff, login
):
    visit = file_in(sales, four_tier["vip"])  # 3 visitors + 3 staff, 2 meals, 3 rooms, a car
    decide(
        step=pending_step(visit),
        by=staff.marketing,
        decision=StepState.APPROVED,
        grade=four_tier["guest"],
    )
    vip, guest = four_tier["vip"].standard, four_tier["guest"].standard
    page = login(staff.deputy_gm).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = over_rows(page)
    meals = 12 * (vip.meal_per_person - guest.meal_per_person)
    hotel = 3 * (vip.hotel_room_price - guest.hotel_room_price)
    car = 2 * (vip.car_trip_price - guest.car_trip_price)
    assert [row.split(" ")[0] for row in rows] == ["Meal", "Hotel", "Car"]
    assert rows[0].endswith(f"+¥{meals:.2f}") and f"¥{12 * guest.meal_per_person:.2f}" in rows[0]
    assert rows[1].endswith(f"+¥{hotel:.2f}") and rows[2].endswith(f"+¥{car:.2f}")
    assert f"(at {four_tier['vip'].name_en})" in rows[0]


def test_a_request_within_its_standard_says_so(four_tier, sales, staff, login):
    file_in(sales, four_tier["guest"])
    page = login(staff.marketing).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert over_rows(page) == []
    assert "Nothing asked goes over the" in page


def past_visit(sales, grade, client, days_ago, status):
    from visits.models import VisitRequest

    visit = file_in(sales, grade, client=client)
    arrival = timezone.now() - timedelta(days=days_ago)
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=arrival, departure_at=arrival + timedelta(hours=3), status=status
    )
    return visit


def test_the_card_lists_the_clients_last_three_visits_with_grade_and_outcome(
    four_tier, sales, staff, login
):
    from tests.factories import ClientFactory
    from visits.models import VisitStatus

    client = ClientFactory(name="远航汽车零部件集团")
    for days, status in ((400, "closed"), (200, "closed"), (90, "cancelled"), (30, "rejected")):
        past_visit(sales, four_tier["routine"], client, days, status)
    file_in(sales, four_tier["guest"], client=ClientFactory())  # another client's card
    card = pending_step(file_in(sales, four_tier["vip"], client=client))
    page = login(staff.marketing).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    shown = [(timezone.localtime() - timedelta(days=d)).strftime("%Y-%m-%d") for d in (30, 90, 200)]
    history = page[page.index(f'id="step-{card.pk}"') :]
    history = history[history.index("client-history") :]
    history = history[: history.index("</dd>")]
    for day in shown:
        assert day in history
    assert (timezone.localtime() - timedelta(days=400)).strftime("%Y-%m-%d") not in history
    assert str(VisitStatus.REJECTED.label) in history and four_tier["routine"].name_en in history
    assert "None before: a first visit." in page  # the other client's card


def test_the_queue_reads_standards_and_histories_for_the_page_not_per_card(
    four_tier, sales, staff, login
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ClientFactory

    def queries():
        browser.get(QUEUE)
        with CaptureQueriesContext(connection) as ctx:
            browser.get(QUEUE)
        return len(ctx.captured_queries)

    browser = login(staff.marketing)

    def card_with_history(n):
        client = ClientFactory()
        past_visit(sales, four_tier["routine"], client, 50 + n, "closed")
        file_in(sales, four_tier["routine"] if n % 2 else four_tier["vip"], client=client)

    for n in range(2):
        card_with_history(n)
    few = queries()
    for n in range(2, 8):
        card_with_history(n)
    assert queries() == few


def test_the_history_includes_visits_another_approver_decided(four_tier, sales, staff, login):
    from tests.factories import ClientFactory
    from visits.selectors import visible_visits

    client = ClientFactory()
    earlier = past_visit(sales, four_tier["routine"], client, 60, "closed")
    assert not visible_visits(staff.gm).filter(pk=earlier.pk).exists()
    visit = file_in(sales, four_tier["vip"], client=client)
    decide(
        step=pending_step(visit),
        by=staff.marketing,
        decision=StepState.APPROVED,
        grade=four_tier["vip"],
    )
    page = login(staff.gm).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    day = (timezone.localtime() - timedelta(days=60)).strftime("%Y-%m-%d")
    assert f"{day} · {four_tier['routine'].name_en} · Closed" in page
