"""The arrivals board keeps each row rendered whole ({% cache %}, keyed in BoardView.keep_rows),
its check-in forms and their token with it, per browser (the CSRF secret, hashed, is part of
the key, as the approval queue's cards): arrival, client, grade, who is in, the check-in
forms, host, pick-up, readiness, status, badges. Each case renders the board, changes one
thing a kept row shows without moving the visit's version (check-ins are bulk updates; a
client, a grade or a host is another row), renders again and finds the change."""

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from reception.accounts.roles import Role
from reception.models import ReceptionGrade
from tests.factories import user_with
from tests.visits.test_board import approved_tomorrow, car_task
from tests.visits.test_site_tours import tour as tour  # noqa: F401  # the fixture
from tests.visits.test_sites import board as site_board
from tests.visits.test_sites import desk_user
from tests.visits.test_sites import sites as sites  # noqa: F401  # the fixture
from visits.models import PrepStatus, PrepTask, Visitor, VisitRequest, VisitStatus
from visits.services import desk

pytestmark = pytest.mark.django_db


def visit_readiness(visit) -> int:
    live = visit.prep_tasks.filter(status__in=[PrepStatus.OPEN, PrepStatus.DONE])
    return round(
        100 * live.filter(status=PrepStatus.DONE, needs_recheck=False).count() / live.count()
    )


BOARD = reverse("visits:board")


def _kept(name: str) -> int:
    """How many fragments of this name the cache holds (LocMem: keys name the fragment)."""
    return sum(f".{name}." in key for key in caches["template_fragments"]._cache)


def _tokenless(rows: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", rows)


def _rows(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<tbody>") : page.index("</tbody>")]


@pytest.fixture
def visit(four_tier, sales, staff):
    return approved_tomorrow(sales, four_tier["vip"])


@pytest.fixture
def board(login):
    browser = login(user_with(Role.FRONT_DESK, username="frontdesk"))

    def rows(headers=None, **params):
        return _rows(browser.get(BOARD, {"tab": "tomorrow", **params}, headers=headers))

    return rows


def _check(visit, *, into: int = 0, out: int = 0) -> None:
    """Check the first `into` visitors in and the first `out` of them out, as the desk's
    services do: a bulk update of the visitors (the visit keeps its version)."""
    version = VisitRequest.objects.get(pk=visit.pk).updated_at
    people = list(visit.visitors.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    Visitor.objects.filter(pk__in=people[:into]).update(checked_in_at=now)
    Visitor.objects.filter(pk__in=people[:out]).update(checked_out_at=now)
    assert VisitRequest.objects.get(pk=visit.pk).updated_at == version


def test_the_board_keeps_its_rows_whole(visit, board):
    first = board()
    assert _kept("board_row") == 1
    assert _tokenless(board()) == _tokenless(first)
    assert _kept("board_row") == 1  # read again, not rendered again
    assert visit.client.label in first and "board-check-in" in first


def test_a_row_is_kept_per_browser_with_a_token_that_browser_accepts(visit):
    """Two browsers of the same desk get rows of their own, each with a token its own cookie
    accepts: a check-in posted from the second browser's kept row goes through."""
    desk_user = user_with(Role.FRONT_DESK, username="frontdesk2")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(desk_user)
        browser.get(BOARD, {"tab": "tomorrow"})
    assert _kept("board_row") == 2
    first.get(BOARD, {"tab": "tomorrow"})
    assert _kept("board_row") == 2
    page = _rows(second.get(BOARD, {"tab": "tomorrow"}))
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    person = visit.visitors.order_by("pk").first()
    checked = second.post(
        reverse("visits:check", args=[visit.pk, "in"]),
        {"csrfmiddlewaretoken": token, "visitor": person.pk, "next": BOARD},
    )
    assert checked.status_code == 302  # not 403: the kept row's token is this browser's
    person.refresh_from_db()
    assert person.checked_in_at is not None


def test_the_forms_next_follows_the_board_s_address(visit, board):
    assert 'name="next" value="/desk/?tab=tomorrow"' in board()
    assert 'name="next" value="/desk/?tab=tomorrow&amp;q=' in board(q=visit.client.name[:2])


def test_a_reader_who_may_no_longer_check_in_gets_no_forms(visit, board):
    assert "board-check-in" in board()
    VisitRequest.objects.filter(pk=visit.pk).update(status=VisitStatus.COMPLETED)
    assert "board-check-in" not in board()


def test_a_visitor_renamed_shows(visit, board):
    person = visit.visitors.order_by("pk").first()
    assert "改了名的访客" not in board()
    Visitor.objects.filter(pk=person.pk).update(name="改了名的访客")
    assert "改了名的访客" in board()


def test_a_check_in_shows_though_the_visit_keeps_its_version(visit, board):
    assert visit.visitors.count() >= 3
    assert "badge text-bg-secondary" in board()  # expected
    desk.check_in(
        visit=visit, by=user_with(Role.FRONT_DESK), visitor_ids=[visit.visitors.first().pk]
    )
    after = board()
    assert 'class="board-arrived"' in after  # the row's start: its state
    assert '<span class="fw-semibold">1</span> /' in after  # and who is in
    assert "badge text-bg-info" in after  # the row's end: the status
    assert "board-badges" in after  # and the badges button, once someone is in


def test_one_more_check_in_shows_in_the_count(visit, board):
    _check(visit, into=1)
    assert '<span class="fw-semibold">1</span> /' in board()
    _check(visit, into=2)  # the same state (arrived, part of the group), one more in
    assert '<span class="fw-semibold">2</span> /' in board()


def test_a_group_that_left_shows_it_with_the_same_count_in(visit, board):
    assert 'class="board-expected"' in board()
    _check(visit, into=1, out=1)  # nobody in, before and after
    after = board()
    assert 'class="board-left"' in after  # the row's start
    assert "badge text-bg-dark" in after  # the row's end


def test_the_client_and_the_grade_show_their_new_names(visit, board):
    board()
    visit.client.name, visit.client.name_en = "新名字精密机械有限公司", ""
    visit.client.save()
    assert "新名字精密机械" in board()
    ReceptionGrade.objects.filter(pk=visit.grade.pk).update(name_en="Renamed grade")
    assert "Renamed grade" in board()


def test_a_grade_fixed_or_a_reference_given_without_a_new_version_shows(visit, board, four_tier):
    assert visit.final_grade_id and "Final grade" in board()
    VisitRequest.objects.filter(pk=visit.pk).update(final_grade=None)  # sent back
    assert "Proposed grade" in board()
    VisitRequest.objects.filter(pk=visit.pk).update(reference="V-RENAMED-1")
    assert "V-RENAMED-1" in board()
    VisitRequest.objects.filter(pk=visit.pk).update(status=VisitStatus.COMPLETED)
    assert 'class="board-left"' in board()


def test_the_host_shows_their_new_name(visit, board):
    host = user_with(Role.DEPARTMENT_MEMBER, username="host", full_name="原来的主陪")
    VisitRequest.objects.filter(pk=visit.pk).update(main_host=host)
    assert "原来的主陪" in board()
    host.full_name = "改名的主陪"
    host.save()
    assert "改名的主陪" in board()


def test_the_pickup_note_shows(visit, board):
    assert "car to be assigned" in board()
    task = car_task(visit)
    PrepTask.objects.filter(pk=task.pk).update(status=PrepStatus.DONE, note="已安排:商务车")
    assert "已安排:商务车" in board()


def test_the_pickup_done_without_a_note_shows(visit, board):
    assert "car to be assigned" in board()
    PrepTask.objects.filter(pk=car_task(visit).pk).update(status=PrepStatus.DONE)
    assert "arranged by the office" in board()
    PrepTask.objects.filter(pk=car_task(visit).pk).update(note="司机已出发")  # same readiness
    assert "司机已出发" in board()


def test_the_readiness_shows_each_task_done(visit, board):
    tasks = list(visit.prep_tasks.exclude(status=PrepStatus.DONE).order_by("pk"))
    assert len(tasks) >= 2
    board()
    PrepTask.objects.filter(pk=tasks[0].pk).update(status=PrepStatus.DONE)
    readiness = visit_readiness(visit)
    assert f'aria-valuenow="{readiness}"' in board()


def test_an_overdue_task_turns_the_bar_red(visit, board):
    visit.prep_tasks.filter(status=PrepStatus.OPEN).update(due_date=date(2099, 1, 1))
    assert "bg-danger" not in board()
    visit.prep_tasks.filter(status=PrepStatus.OPEN).update(due_date=date(2000, 1, 1))
    assert "bg-danger" in board()


def test_the_day_shows_on_the_week_tab_and_not_for_the_day(visit, board):
    day = f'<div class="small text-body-secondary">{timezone.localtime(visit.arrival_at):%m-%d}'
    assert day not in board()
    assert day in board(tab="week")
    assert day not in board()


def test_the_wall_display_shows_no_badges_button(visit, board):
    _check(visit, into=1)
    assert "board-badges" in board()
    assert "board-badges" not in board(big="1")
    assert "board-badges" in board()


def test_the_rows_are_kept_in_each_language(visit, board):
    visit.client.name_en = ""  # the same names in both: the language alone tells them apart
    visit.client.save()
    ReceptionGrade.objects.filter(pk=visit.grade.pk).update(name_en="")
    english = board()
    with translation.override("zh-hans"):
        expected = str(translation.gettext("Expected"))
        final = str(translation.gettext("Final grade"))
    assert expected not in english and final not in english
    chinese = board(headers={"accept-language": "zh-hans"})
    assert expected in chinese and final in chinese


def test_a_change_of_the_visit_s_own_shows_by_its_version(visit, board):
    first = board()
    assert "/ 3</div>" in first and "三楼贵宾室" not in first
    visit.headcount, visit.meeting_room = 4, "三楼贵宾室"
    visit.save()  # its version moves
    after = board()
    assert "/ 4</div>" in after  # the row's start
    assert "三楼贵宾室" in after  # the row's end


def test_each_visit_keeps_its_own_rows(visit, board, four_tier, sales):
    other = approved_tomorrow(sales, four_tier["vip"])
    rows = board()
    assert _kept("board_row") == 2
    assert visit.reference in rows and other.reference in rows


def test_a_tour_shows_on_the_other_site_s_board_with_its_site_s_name(sites, tour, login):
    main, suzhou = sites
    assert "board-tour" not in site_board(login(desk_user("desk_sh", main)))
    plant = site_board(login(desk_user("desk_sz", suzhou)))
    assert "board-tour" in plant and "上海总部" in plant
    main.name = "上海新总部"
    main.save()
    assert "上海新总部" in site_board(login(desk_user("desk_sz2", suzhou)))
