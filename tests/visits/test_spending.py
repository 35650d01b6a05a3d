"""Spending: the estimate from the grade's standard, expense lines after the visit compared
with it, and the grade approver's decision on a line over the standard."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from approvals.models import StepState
from approvals.services import decide
from demo.organisation import load_demo_organisation
from demo.visits import load_closed_visits_with_spending
from reception.accounts.roles import Role
from reception.policy.loading import LoadReport
from tests.factories import file_visit, user_with
from visits.models import (
    EventKind,
    ExpenseApprovalState,
    ExpenseCategory,
    ExpenseLine,
    Service,
    VisitRequest,
    VisitStatus,
)
from visits.services import desk
from visits.services.estimate import estimate
from visits.services.lifecycle import VisitError
from visits.services.spending import decide_expense, record_expense

pytestmark = pytest.mark.django_db
D = Decimal


def finish(visit):
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    return visit


@pytest.fixture
def receptionist(db):
    return user_with(Role.RECEPTIONIST, username="rec", full_name="周婷")


@pytest.fixture
def guest_visit(four_tier, sales):
    return finish(file_visit(sales, four_tier["guest"]))


def test_the_estimate_of_a_hand_built_visit(four_tier):
    visit = VisitRequest(
        proposed_grade=four_tier["guest"],  # meals 110, wine 300, cigarettes 30, hotel 450, car 300
        headcount=4,
        meal_staff=2,
        meals=3,
        wine_bottles=2,
        cigarette_packs=5,
        rooms=2,
        nights=2,
        services=[Service.CAR],
    )
    result = estimate(visit)
    assert result.by_category() == {
        "meal": D("1980.00"),  # 3 meals × 6 people × ¥110
        "wine": D("600.00"),
        "cigarettes": D("150.00"),
        "hotel": D("1800.00"),  # 2 rooms × 2 nights × ¥450
        "car": D("600.00"),  # pick-up and drop-off
    }
    assert result.total == D("5130.00")


def test_no_car_in_the_estimate_for_a_grade_without_one(four_tier):
    visit = VisitRequest(proposed_grade=four_tier["routine"], headcount=2, services=[Service.CAR])
    assert "car" not in estimate(visit).by_category()


@pytest.mark.parametrize(
    "grade, category, quantity, people, amount, standard, over",
    [
        ("guest", ExpenseCategory.MEAL, 1, 6, "660", "660.00", False),
        ("guest", ExpenseCategory.MEAL, 1, 6, "661", "660.00", True),
        ("routine", ExpenseCategory.MEAL, 1, 6, "400", "360.00", True),
        ("vip", ExpenseCategory.WINE, 2, None, "1000", "1000.00", False),
        ("guest", ExpenseCategory.WINE, 2, None, "1000", "600.00", True),
        ("guest", ExpenseCategory.CIGARETTES, 4, None, "100", "120.00", False),
        ("routine", ExpenseCategory.CIGARETTES, 4, None, "100", "60.00", True),
        ("guest", ExpenseCategory.HOTEL, 3, None, "1400", "1350.00", True),
        ("vip", ExpenseCategory.HOTEL, 3, None, "1400", "1800.00", False),
        ("guest", ExpenseCategory.CAR, 2, None, "500", "600.00", False),
        ("routine", ExpenseCategory.CAR, 1, None, "100", "0.00", True),  # no car at this grade
        ("guest", ExpenseCategory.GIFTS, 1, None, "5000", None, False),  # no standard
    ],
)
def test_each_line_is_compared_with_its_grades_standard(
    four_tier, sales, receptionist, grade, category, quantity, people, amount, standard, over
):
    visit = finish(file_visit(sales, four_tier[grade]))
    line = record_expense(
        visit=visit,
        by=receptionist,
        data={
            "category": category,
            "quantity": quantity,
            "people": people,
            "amount": D(amount),
            "justification": "客户临时增加人员",
        },
    )
    assert line.standard_amount == (D(standard) if standard else None)
    assert line.over_standard is over
    expected = ExpenseApprovalState.PENDING if over else ExpenseApprovalState.NOT_NEEDED
    assert line.approval_state == expected


def test_a_line_over_the_standard_needs_a_justification(guest_visit, receptionist):
    with pytest.raises(VisitError, match="justification"):
        record_expense(
            visit=guest_visit,
            by=receptionist,
            data={"category": ExpenseCategory.WINE, "quantity": 1, "amount": D("800")},
        )
    assert not guest_visit.expense_lines.exists()


def test_a_meal_needs_its_number_of_people(guest_visit, receptionist):
    with pytest.raises(VisitError, match="how many people"):
        record_expense(
            visit=guest_visit,
            by=receptionist,
            data={"category": ExpenseCategory.MEAL, "amount": D("100")},
        )


def test_the_receptionist_or_the_office_enters_expenses_after_the_visit(four_tier, sales):
    visit = file_visit(sales, four_tier["guest"])
    data = {"category": ExpenseCategory.GIFTS, "amount": D("100")}
    with pytest.raises(VisitError, match="once the visit is over"):
        record_expense(visit=visit, by=user_with(Role.RECEPTIONIST), data=data)
    finish(visit)
    with pytest.raises(VisitError, match="once the visit is over"):
        record_expense(visit=visit, by=sales, data=data)
    assert record_expense(visit=visit, by=user_with(Role.OFFICE), data=data).pk


def test_the_grades_approver_decides_a_line_over_the_standard(guest_visit, receptionist):
    deputy = user_with(Role.DEPUTY_GM)  # the guest grade's chain: grading, deputy GM, …
    line = record_expense(
        visit=guest_visit,
        by=receptionist,
        data={
            "category": ExpenseCategory.WINE,
            "quantity": 1,
            "amount": D("800"),
            "justification": "客户指定酒款",
        },
    )
    assert deputy.notifications.filter(kind="expense_approval").exists()
    with pytest.raises(VisitError, match="approver of the visit's grade"):
        decide_expense(line=line, by=user_with(Role.GENERAL_MANAGER), approve=True)
    decide_expense(line=line, by=deputy, approve=True, note="同意")
    line.refresh_from_db()
    assert (line.approval_state, line.decided_by) == (ExpenseApprovalState.APPROVED, deputy)
    assert guest_visit.events.filter(kind=EventKind.EXPENSE_DECIDED).exists()
    with pytest.raises(VisitError, match="not waiting"):
        decide_expense(line=line, by=deputy, approve=False)


def test_the_approver_rejects_on_the_expenses_page(guest_visit, receptionist, login):
    line = record_expense(
        visit=guest_visit,
        by=receptionist,
        data={
            "category": ExpenseCategory.CIGARETTES,
            "quantity": 1,
            "amount": D("90"),
            "justification": "招待烟",
        },
    )
    deputy = user_with(Role.DEPUTY_GM)
    browser = login(deputy)
    assert browser.get(reverse("visits:expenses", args=[guest_visit.pk])).context["may_decide"]
    browser.post(
        reverse("visits:expense_decide", args=[guest_visit.pk, line.pk]), {"decision": "reject"}
    )
    line.refresh_from_db()
    assert line.approval_state == ExpenseApprovalState.REJECTED


def test_the_receptionist_enters_a_line_on_the_page(guest_visit, login):
    browser = login(user_with(Role.RECEPTIONIST))
    response = browser.post(
        reverse("visits:expenses", args=[guest_visit.pk]),
        {
            "category": "meal",
            "occasion": "欢迎晚宴",
            "quantity": "1",
            "people": "5",
            "amount": "700",
        },
    )
    assert response.status_code == 400  # ¥700 > 5 × ¥110 without a justification
    assert not guest_visit.expense_lines.exists()
    response = browser.post(
        reverse("visits:expenses", args=[guest_visit.pk]),
        {"category": "meal", "quantity": "1", "people": "5", "amount": "500"},
    )
    assert response.status_code == 302
    assert guest_visit.expense_lines.get().standard_amount == D("550.00")


def test_the_visit_shows_estimate_actual_and_standard_per_category(
    four_tier, sales, receptionist, login
):
    visit = finish(file_visit(sales, four_tier["guest"], meals=1, meal_staff=0))
    people = visit.headcount
    for amount in ("150", "200"):
        record_expense(
            visit=visit,
            by=receptionist,
            data={"category": ExpenseCategory.MEAL, "people": 2, "amount": D(amount)},
        )
    table = login(receptionist).get(reverse("visits:expenses", args=[visit.pk])).context["table"]
    meal = next(row for row in table if row["category"] == ExpenseCategory.MEAL)
    assert (meal["estimate"], meal["actual"], meal["standard"]) == (
        D(110 * people).quantize(D("0.01")),  # 1 meal × the visitors × ¥110
        D("350.00"),
        D("440.00"),  # 2 people at each table × ¥110, twice
    )


def test_the_approval_card_tag_renders_the_estimate(four_tier):
    visit = VisitRequest(proposed_grade=four_tier["guest"], headcount=2, meals=1)
    html = Template("{% load visits_tags %}{% estimate_table visit %}").render(
        Context({"visit": visit})
    )
    assert "¥220.00" in html


def test_the_demo_history_has_closed_visits_with_summaries_and_spending(four_tier):
    report = LoadReport()
    load_demo_organisation(report)
    load_closed_visits_with_spending(report)
    load_closed_visits_with_spending(report)  # idempotent
    history = VisitRequest.objects.filter(reference__startswith="JD-H")
    assert history.count() == 12
    assert set(history.values_list("status", flat=True)) == {VisitStatus.CLOSED}
    assert all(v.summary_parts.count() == 2 for v in history)
    over = ExpenseLine.objects.filter(visit__in=history, over_standard=True)
    states = set(over.values_list("approval_state", flat=True))
    assert ExpenseApprovalState.APPROVED in states
    assert states - {ExpenseApprovalState.APPROVED}  # some not approved


def test_a_line_waiting_shows_on_the_approvers_task_list_and_opens_for_them(
    guest_visit, receptionist, login
):
    record_expense(
        visit=guest_visit,
        by=receptionist,
        data={"category": ExpenseCategory.GIFTS, "amount": D("100")},
    )
    waiting = record_expense(
        visit=guest_visit,
        by=receptionist,
        data={
            "category": ExpenseCategory.WINE,
            "quantity": 1,
            "amount": D("800"),
            "justification": "客户指定酒款",
        },
    )
    other_deputy = user_with(Role.DEPUTY_GM)  # never saw the request
    browser = login(other_deputy)
    assert browser.get(reverse("visits:my_tasks")).context["expenses"] == [waiting]
    assert browser.get(reverse("visits:expenses", args=[guest_visit.pk])).status_code == 200
    assert (
        login(user_with(Role.GENERAL_MANAGER)).get(reverse("visits:my_tasks")).context["expenses"]
        == []
    )
