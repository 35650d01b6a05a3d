"""The managers' queue: what waits for whom, filters, deciding in place, query counts."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from reception.accounts.roles import Role
from reception.models import ClientCategory
from tests.factories import ClientFactory, file_visit, user_with
from visits.models import VisitStatus

pytestmark = pytest.mark.django_db

QUEUE = reverse("approvals:queue")


def queue_refs(browser, **params):
    response = browser.get(QUEUE, params)
    assert response.status_code == 200
    return [step.subject.reference for step in response.context["object_list"]]


def in_days(days):
    return (timezone.localtime() + timedelta(days=days)).replace(hour=9, minute=0)


def file_in(sales, grade, days, **extra):
    arrival = in_days(days)
    extra.setdefault("late_reason", "客户临时通知")
    return file_visit(
        sales, grade, arrival_at=arrival, departure_at=arrival + timedelta(hours=8), **extra
    )


def test_the_queue_lists_steps_for_my_role_soonest_arrival_first(four_tier, sales, staff, login):
    later = file_in(sales, four_tier["routine"], 20)
    sooner = file_in(sales, four_tier["vip"], 5)
    assert queue_refs(login(staff.marketing)) == [sooner.reference, later.reference]
    assert queue_refs(login(staff.gm)) == []


def test_the_queue_leaves_out_my_own_requests(four_tier, staff, login):
    applicant = user_with(Role.SALES, Role.MARKETING)
    file_in(applicant, four_tier["routine"], 9)
    assert queue_refs(login(applicant)) == []


def test_queue_filters_grade_category_dates_and_late(four_tier, sales, staff, login):
    referred = ClientFactory(category=ClientCategory.REFERRED, referred_by="王总")
    vip = file_in(sales, four_tier["vip"], 6)
    routine = file_in(sales, four_tier["routine"], 30, client=referred)
    late = file_in(sales, four_tier["guest"], 1)
    browser = login(staff.marketing)
    assert queue_refs(browser, grade=four_tier["vip"].pk) == [vip.reference]
    assert queue_refs(browser, category=ClientCategory.REFERRED) == [routine.reference]
    start, end = in_days(5).date().isoformat(), in_days(10).date().isoformat()
    assert queue_refs(browser, arrival_from=start, arrival_to=end) == [vip.reference]
    assert queue_refs(browser, late="on") == [late.reference]


def test_approving_in_place_returns_the_updated_row(four_tier, sales, staff, login):
    visit = file_in(sales, four_tier["routine"], 9)
    step = visit.approval_steps.get(state=StepState.PENDING)
    browser = login(staff.marketing)
    response = browser.post(
        reverse("approvals:decide", args=[step.pk]),
        {f"step{step.pk}-decision": "approved", f"step{step.pk}-grade": four_tier["routine"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="step-{step.pk}"' in html and "<html" not in html
    assert "In approval" in html
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_APPROVAL


def test_returning_without_a_comment_is_refused_in_place(four_tier, sales, staff, login):
    visit = file_in(sales, four_tier["routine"], 9)
    step = visit.approval_steps.get(state=StepState.PENDING)
    response = login(staff.marketing).post(
        reverse("approvals:decide", args=[step.pk]),
        {f"step{step.pk}-decision": "returned", f"step{step.pk}-grade": four_tier["routine"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert "needs one" in response.content.decode()
    step.refresh_from_db()
    assert step.state == StepState.PENDING


def test_without_javascript_a_decision_redirects_back_with_a_message(
    four_tier, sales, staff, login
):
    visit = file_in(sales, four_tier["routine"], 9)
    step = visit.approval_steps.get(state=StepState.PENDING)
    response = login(staff.marketing).post(
        reverse("approvals:decide", args=[step.pk]),
        {
            f"step{step.pk}-decision": "approved",
            f"step{step.pk}-grade": four_tier["routine"].pk,
            "next": QUEUE,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == QUEUE
    assert visit.reference in response.content.decode()


def test_a_second_decision_on_the_same_step_says_already_decided(four_tier, sales, staff, login):
    visit = file_in(sales, four_tier["routine"], 9)
    step = visit.approval_steps.get(state=StepState.PENDING)
    data = {f"step{step.pk}-decision": "approved", f"step{step.pk}-grade": four_tier["routine"].pk}
    login(staff.marketing).post(reverse("approvals:decide", args=[step.pk]), data)
    colleague = user_with(Role.MARKETING)
    response = login(colleague).post(
        reverse("approvals:decide", args=[step.pk]), data, HTTP_HX_REQUEST="true"
    )
    assert "already decided" in response.content.decode()


def test_someone_else_s_step_is_404(four_tier, sales, staff, login):
    visit = file_in(sales, four_tier["routine"], 9)
    step = visit.approval_steps.get(state=StepState.PENDING)
    response = login(staff.gm).post(
        reverse("approvals:decide", args=[step.pk]), {f"step{step.pk}-decision": "approved"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url_name, who", [("approvals:queue", "marketing"), ("visits:list", "sales")]
)
def test_queue_and_list_run_the_same_queries_for_5_and_50_requests(
    url_name, who, four_tier, sales, staff, login, count_queries, django_assert_num_queries
):
    browser = login(staff.marketing if who == "marketing" else sales)
    url = reverse(url_name)

    def file_many(n):
        for i in range(n):
            file_in(sales, four_tier["guest" if i % 2 else "vip"], 5 + i % 20)

    def cold():  # no card or row kept rendered yet (the queue reads their facts then)
        caches["template_fragments"].clear()
        browser.get(url)

    file_many(5)
    few = count_queries(lambda: browser.get(url))  # warm: the rows kept rendered
    few_cold = count_queries(cold)
    file_many(45)
    assert count_queries(cold) == few_cold
    with django_assert_num_queries(few):
        response = browser.get(url)
    page_size = 10 if url_name == "approvals:queue" else 25  # decision cards are long
    assert len(response.context["object_list"]) == page_size  # one page of fifty


def test_the_queue_counts_its_steps_with_its_page_and_answers_404_past_the_end(
    four_tier, sales, staff, login
):
    """The total comes in the page's own query (a window count, reception.views.
    WindowCountPaginator); a page past the end has no row to carry it and answers 404."""
    for i in range(12):
        file_in(sales, four_tier["routine"], 5 + i)
    browser = login(staff.marketing)
    first = browser.get(QUEUE)
    assert first.context["paginator"].count == first.context["pending"] == 12
    second = browser.get(QUEUE, {"page": 2})
    assert len(second.context["rows"]) == 2 and second.context["pending"] == 12
    assert "12 steps waiting" in second.content.decode()
    assert browser.get(QUEUE, {"page": 3}).status_code == 404
    assert browser.get(QUEUE, {"page": "x"}).status_code == 404
    filtered = browser.get(QUEUE, {"grade": four_tier["routine"].pk})
    assert filtered.context["paginator"].count == 12
