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
    assert all(s.visit.reference in confirm.content.decode() for s in chosen)
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
