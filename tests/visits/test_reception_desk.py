"""The reception desk: arrivals board, check-in and check-out, visitors added at the desk."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from tests.factories import file_visit, user_with
from visits.models import PrepTask, Visitor, VisitRequest, VisitStatus
from visits.selectors import BOARD_PAGE_SIZE
from visits.services import desk
from visits.services.lifecycle import VisitError

pytestmark = pytest.mark.django_db

BOARD = reverse("visits:board")


def approve_through(visit):
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


def arriving(days, hour=10):
    arrival = (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return {"arrival_at": arrival, "departure_at": arrival + timedelta(hours=6)}


@pytest.fixture
def frontdesk(db):
    return user_with(Role.FRONT_DESK, username="frontdesk")


@pytest.fixture
def tomorrow_visit(four_tier, sales, staff):
    return approve_through(file_visit(sales, four_tier["guest"], late_reason="急", **arriving(1)))


def board_ids(browser, **params):
    response = browser.get(BOARD, params)
    assert response.status_code == 200
    return [v.pk for v in response.context["visits"]]


def test_the_board_shows_approved_visits_of_the_day_in_arrival_order(
    four_tier, sales, staff, frontdesk, login
):
    late_morning = approve_through(file_visit(sales, four_tier["routine"], **arriving(3, 11)))
    early = approve_through(file_visit(sales, four_tier["routine"], **arriving(3, 9)))
    file_visit(sales, four_tier["routine"], **arriving(3, 10))  # submitted, not approved
    other_day = approve_through(file_visit(sales, four_tier["routine"], **arriving(4)))
    browser = login(frontdesk)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert board_ids(browser, day=day) == [early.pk, late_morning.pk]
    assert board_ids(browser, tab="week") == [early.pk, late_morning.pk, other_day.pk]
    assert board_ids(browser) == []  # today


def test_tomorrow_tab_and_statuses(tomorrow_visit, frontdesk, login):
    browser = login(frontdesk)
    response = browser.get(BOARD, {"tab": "tomorrow"})
    [row] = response.context["visits"]
    assert row.pk == tomorrow_visit.pk and row.board_status == "expected"
    first = tomorrow_visit.visitors.first()
    desk.check_in(visit=tomorrow_visit, by=frontdesk, visitor_ids=[first.pk])
    [row] = browser.get(BOARD, {"tab": "tomorrow"}).context["visits"]
    assert row.board_status == "arrived" and row.visitors_in == 1
    desk.check_in(visit=tomorrow_visit, by=frontdesk)
    [row] = browser.get(BOARD, {"tab": "tomorrow"}).context["visits"]
    assert row.board_status == "on_site"
    desk.check_out(visit=tomorrow_visit, by=frontdesk)
    [row] = browser.get(BOARD, {"tab": "tomorrow"}).context["visits"]
    assert row.board_status == "left"


def test_the_board_refreshes_itself_in_place(tomorrow_visit, frontdesk, login):
    browser = login(frontdesk)
    page = browser.get(BOARD, {"tab": "tomorrow"}).content.decode()
    assert 'hx-trigger="every 30s, board-changed from:body"' in page and "tab=tomorrow" in page
    partial = browser.get(BOARD, {"tab": "tomorrow"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="board-body"') and "<html" not in partial
    big = browser.get(BOARD, {"tab": "tomorrow", "big": "1"}).content.decode()
    assert "board-big" in big


def test_the_board_runs_the_same_queries_for_5_and_200_visits(
    tomorrow_visit, frontdesk, login, count_queries, django_assert_num_queries
):
    browser = login(frontdesk)

    def clone(n):
        for _ in range(n):
            copy = VisitRequest.objects.get(pk=tomorrow_visit.pk)
            copy.pk, copy.reference = None, None
            copy.save()
            Visitor.objects.bulk_create(
                Visitor(visit=copy, name=v.name) for v in tomorrow_visit.visitors.all()
            )
            PrepTask.objects.bulk_create(
                PrepTask(visit=copy, department=t.department, name=t.name, due_date=t.due_date)
                for t in tomorrow_visit.prep_tasks.all()[:5]
            )

    clone(4)
    few = count_queries(lambda: browser.get(BOARD, {"tab": "tomorrow"}))
    clone(195)
    with django_assert_num_queries(few):
        response = browser.get(BOARD, {"tab": "tomorrow"})
    # a page of them: the rest are a page link away (tests/visits/test_board_bounded.py)
    assert len(response.context["visits"]) == BOARD_PAGE_SIZE
    assert response.context["board"].paginator.count == 200


def test_the_first_check_in_starts_the_visit_and_tells_the_host(
    tomorrow_visit, frontdesk, staff, login
):
    browser = login(frontdesk)
    two = list(tomorrow_visit.visitors.values_list("pk", flat=True))[:2]
    browser.post(reverse("visits:check", args=[tomorrow_visit.pk, "in"]), {"visitor": two})
    tomorrow_visit.refresh_from_db()
    assert tomorrow_visit.status == VisitStatus.IN_PROGRESS
    assert tomorrow_visit.visitors.filter(checked_in_at__isnull=False).count() == 2
    note = tomorrow_visit.main_host.notifications.get(kind="guests_arrived")
    assert "has arrived" in note.title


def test_the_last_check_out_completes_the_visit(tomorrow_visit, frontdesk):
    desk.check_in(visit=tomorrow_visit, by=frontdesk)
    first, *rest = tomorrow_visit.visitors.all()
    desk.check_out(visit=tomorrow_visit, by=frontdesk, visitor_ids=[first.pk])
    tomorrow_visit.refresh_from_db()
    assert tomorrow_visit.status == VisitStatus.IN_PROGRESS  # someone is still here
    desk.check_out(visit=tomorrow_visit, by=frontdesk)
    tomorrow_visit.refresh_from_db()
    assert tomorrow_visit.status == VisitStatus.COMPLETED
    assert tomorrow_visit.events.filter(kind="check_out").count() == 2


def test_a_visit_not_approved_cannot_check_in(four_tier, sales, frontdesk):
    visit = file_visit(sales, four_tier["routine"])
    with pytest.raises(VisitError, match="Only an approved visit"):
        desk.check_in(visit=visit, by=frontdesk)


def test_someone_not_on_the_list_is_added_at_the_desk_and_logged(tomorrow_visit, frontdesk, login):
    browser = login(frontdesk)
    browser.post(
        reverse("visits:add_visitor", args=[tomorrow_visit.pk]),
        {"name": "司机小刘", "title": "司机", "phone": "13512345678"},
    )
    added = tomorrow_visit.visitors.get(name="司机小刘")
    assert added.added_at_desk and added.checked_in_at is not None
    tomorrow_visit.refresh_from_db()
    assert tomorrow_visit.headcount == tomorrow_visit.visitors.count()
    assert tomorrow_visit.events.filter(kind="visitor_added", changes=["司机小刘"]).exists()


def test_visitors_still_in_at_the_end_of_the_day_are_listed_not_checked_out(
    tomorrow_visit, frontdesk, login
):
    desk.check_in(visit=tomorrow_visit, by=frontdesk)
    VisitRequest.objects.filter(pk=tomorrow_visit.pk).update(
        arrival_at=timezone.now() - timedelta(hours=9),
        departure_at=timezone.now() - timedelta(hours=1),
    )
    response = login(frontdesk).get(BOARD)
    assert [v.pk for v in response.context["on_site"]] == [tomorrow_visit.pk]
    assert "Check the group out" in response.content.decode()
    assert not Visitor.objects.filter(checked_out_at__isnull=False).exists()


@pytest.mark.parametrize(
    "role, board, check_in",
    [
        (Role.RECEPTIONIST, 200, True),
        (Role.FRONT_DESK, 200, True),
        (Role.SECURITY, 200, False),
        (Role.SALES, 403, False),
        (Role.DEPARTMENT_MEMBER, 403, False),
    ],
)
def test_who_uses_the_desk(role, board, check_in, tomorrow_visit, login):
    browser = login(user_with(role))
    assert browser.get(BOARD).status_code == board
    response = browser.post(reverse("visits:check", args=[tomorrow_visit.pk, "in"]))
    assert (response.status_code == 302) is check_in
    tomorrow_visit.refresh_from_db()
    assert (tomorrow_visit.status == VisitStatus.IN_PROGRESS) is check_in


def test_the_desk_page_of_a_closed_visit_opens_read_only(tomorrow_visit, frontdesk, login):
    """The desk's "accepted: check them in now" bell kept its link after the work summary
    closed the visit, and the link answered 404."""
    desk.check_in(visit=tomorrow_visit, by=frontdesk)
    desk.check_out(visit=tomorrow_visit, by=frontdesk)
    VisitRequest.objects.filter(pk=tomorrow_visit.pk).update(status=VisitStatus.CLOSED)
    browser = login(frontdesk)
    response = browser.get(reverse("visits:desk", args=[tomorrow_visit.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("visits:check", args=[tomorrow_visit.pk, "in"]) not in html
    check_in = browser.post(reverse("visits:check", args=[tomorrow_visit.pk, "in"]))
    assert check_in.status_code == 404


def test_the_desk_offers_to_check_out_only_those_on_site_and_to_check_in_only_those_not_come(
    tomorrow_visit, frontdesk, login
):
    browser = login(frontdesk)
    url = reverse("visits:desk", args=[tomorrow_visit.pk])
    check_in_all, check_out_all = "Check in all", "Check out all"

    before = browser.get(url).content.decode()
    assert check_in_all in before and check_out_all not in before  # nobody came yet

    desk.check_in(visit=tomorrow_visit, by=frontdesk)
    during = browser.get(url).content.decode()
    assert check_in_all not in during and check_out_all in during
