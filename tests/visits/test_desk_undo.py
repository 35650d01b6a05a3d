"""Check-in and check-out from the arrivals board in one click, and their undo for a minute:
the service takes it back (the visitors, the visit's status, a timeline entry); after a
minute it refuses and the board offers it no more. Time moves by a patched clock, no sleeps."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from tests.factories import file_visit, user_with
from tests.visits.test_board import approved_tomorrow
from visits.models import EventKind, VisitEvent, VisitStatus
from visits.services import desk
from visits.services.lifecycle import VisitError

pytestmark = pytest.mark.django_db

BOARD = reverse("visits:board")


@pytest.fixture
def frontdesk(db):
    return user_with(Role.FRONT_DESK, username="frontdesk")


@pytest.fixture
def visit(four_tier, sales, staff):
    return approved_tomorrow(sales, four_tier["routine"])


def last_event(visit, kind):
    return visit.events.filter(kind=kind).latest("at", "pk")


def later(monkeypatch, seconds):
    """Move the clock `seconds` ahead for everything that asks timezone.now()."""
    moved = timezone.now() + timedelta(seconds=seconds)
    monkeypatch.setattr(timezone, "now", lambda: moved)
    return moved


# ---- the service --------------------------------------------------------------------------


def test_undoing_the_first_check_in_returns_the_visit_to_approved(visit, frontdesk):
    approved_at = visit.approved_at
    first = visit.visitors.order_by("pk").first()
    desk.check_in(visit=visit, by=frontdesk, visitor_ids=[first.pk])
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    event = last_event(visit, EventKind.CHECK_IN)
    undone = desk.undo_check(event=event, by=frontdesk, now=event.at + timedelta(seconds=59))
    assert [v.pk for v in undone] == [first.pk]
    first.refresh_from_db()
    visit.refresh_from_db()
    assert first.checked_in_at is None
    assert visit.status == VisitStatus.APPROVED and visit.approved_at == approved_at
    entry = last_event(visit, EventKind.CHECK_IN_UNDONE)
    assert entry.changes == [first.name] and entry.actor == frontdesk
    # both stay on the timeline: the check-in and its undoing
    assert visit.events.filter(kind=EventKind.CHECK_IN).exists()


def test_undoing_one_of_two_check_ins_keeps_the_visit_in_progress(visit, frontdesk):
    first, second = visit.visitors.order_by("pk")[:2]
    desk.check_in(visit=visit, by=frontdesk, visitor_ids=[first.pk])
    desk.check_in(visit=visit, by=frontdesk, visitor_ids=[second.pk])
    desk.undo_check(event=last_event(visit, EventKind.CHECK_IN), by=frontdesk)
    visit.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.checked_in_at is not None and second.checked_in_at is None
    assert visit.status == VisitStatus.IN_PROGRESS


def test_the_undo_is_gone_after_a_minute(visit, frontdesk):
    desk.check_in(visit=visit, by=frontdesk)
    event = last_event(visit, EventKind.CHECK_IN)
    with pytest.raises(VisitError, match="more than a minute"):
        desk.undo_check(event=event, by=frontdesk, now=event.at + timedelta(seconds=61))
    assert not visit.visitors.filter(checked_in_at__isnull=True).exists()


def test_only_whoever_checked_them_in_undoes_it(visit, frontdesk):
    desk.check_in(visit=visit, by=frontdesk)
    colleague = user_with(Role.FRONT_DESK, username="colleague")
    with pytest.raises(VisitError, match="Only whoever"):
        desk.undo_check(event=last_event(visit, EventKind.CHECK_IN), by=colleague)


def test_an_undo_twice_undoes_nothing_more(visit, frontdesk):
    desk.check_in(visit=visit, by=frontdesk)
    event = last_event(visit, EventKind.CHECK_IN)
    desk.undo_check(event=event, by=frontdesk)
    with pytest.raises(VisitError, match="Nothing to undo"):
        desk.undo_check(event=event, by=frontdesk)
    assert visit.events.filter(kind=EventKind.CHECK_IN_UNDONE).count() == 1


def test_undoing_the_last_check_out_returns_the_visit_to_in_progress(visit, frontdesk):
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    desk.undo_check(event=last_event(visit, EventKind.CHECK_OUT), by=frontdesk)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    assert visit.visitors.filter(checked_out_at__isnull=True, checked_in_at__isnull=False).count()
    assert last_event(visit, EventKind.CHECK_OUT_UNDONE).changes


def test_the_hosts_hear_that_a_check_in_was_undone(visit, frontdesk, sales):
    desk.check_in(visit=visit, by=frontdesk)
    desk.undo_check(event=last_event(visit, EventKind.CHECK_IN), by=frontdesk)
    titles = list(sales.notifications.values_list("title", flat=True))
    assert any("undone" in t for t in titles), titles


# ---- the board ----------------------------------------------------------------------------


def htmx_post(browser, url, data):
    return browser.post(url, data, HTTP_HX_REQUEST="true")


def test_one_click_on_the_board_checks_a_visitor_in_without_a_reload(visit, frontdesk, login):
    browser = login(frontdesk)
    first = visit.visitors.order_by("pk").first()
    url = reverse("visits:check", args=[visit.pk, "in"])
    response = htmx_post(browser, url, {"visitor": first.pk, "next": BOARD})
    assert response.status_code == 204 and response["HX-Trigger"] == "board-changed"
    first.refresh_from_db()
    assert first.checked_in_at is not None
    body = browser.get(BOARD, {"tab": "tomorrow"}, HTTP_HX_REQUEST="true").content.decode()
    event = last_event(visit, EventKind.CHECK_IN)
    assert reverse("visits:undo_check", args=[event.pk]) in body
    assert f'<span class="fw-semibold">{first.name}</span>' in body


def test_the_whole_group_checks_in_with_one_click(visit, frontdesk, login):
    browser = login(frontdesk)
    page = browser.get(BOARD, {"tab": "tomorrow"}).content.decode()
    assert "board-check-in-all" in page
    htmx_post(browser, reverse("visits:check", args=[visit.pk, "in"]), {})
    assert not visit.visitors.filter(checked_in_at__isnull=True).exists()


def test_the_undo_button_takes_it_back_and_leaves_the_board(visit, frontdesk, login):
    browser = login(frontdesk)
    htmx_post(browser, reverse("visits:check", args=[visit.pk, "in"]), {})
    event = last_event(visit, EventKind.CHECK_IN)
    response = htmx_post(browser, reverse("visits:undo_check", args=[event.pk]), {})
    assert response.status_code == 204 and response["HX-Trigger"] == "board-changed"
    assert not visit.visitors.filter(checked_in_at__isnull=False).exists()
    body = browser.get(BOARD, {"tab": "tomorrow"}, HTTP_HX_REQUEST="true").content.decode()
    assert reverse("visits:undo_check", args=[event.pk]) not in body


def test_after_a_minute_the_board_offers_no_undo_and_the_server_refuses_it(
    visit, frontdesk, login, monkeypatch
):
    browser = login(frontdesk)
    htmx_post(browser, reverse("visits:check", args=[visit.pk, "in"]), {})
    event = last_event(visit, EventKind.CHECK_IN)
    undo = reverse("visits:undo_check", args=[event.pk])
    later(monkeypatch, 61)
    body = browser.get(BOARD, {"tab": "tomorrow"}, HTTP_HX_REQUEST="true").content.decode()
    assert undo not in body
    response = htmx_post(browser, undo, {})
    assert response["HX-Retarget"] == "#desk-feedback"
    assert "more than a minute" in response.content.decode()
    assert not visit.visitors.filter(checked_in_at__isnull=True).exists()


def test_the_still_checked_in_panel_checks_out_one_visitor_with_undo(visit, frontdesk, login):
    desk.check_in(visit=visit, by=frontdesk)
    browser = login(frontdesk)
    page = browser.get(BOARD).content.decode()
    first = visit.visitors.order_by("pk").first()
    assert f'board-check-out" data-visitor="{first.pk}"' in page
    htmx_post(browser, reverse("visits:check", args=[visit.pk, "out"]), {"visitor": first.pk})
    first.refresh_from_db()
    assert first.checked_out_at is not None
    event = last_event(visit, EventKind.CHECK_OUT)
    assert reverse("visits:undo_check", args=[event.pk]) in browser.get(BOARD).content.decode()
    htmx_post(browser, reverse("visits:undo_check", args=[event.pk]), {})
    first.refresh_from_db()
    assert first.checked_out_at is None


def test_a_refused_check_in_says_why_above_the_board(visit, frontdesk, login):
    browser = login(frontdesk)
    desk.check_in(visit=visit, by=frontdesk)
    response = htmx_post(browser, reverse("visits:check", args=[visit.pk, "in"]), {})
    assert response.status_code == 200 and response["HX-Retarget"] == "#desk-feedback"
    assert "Nobody to check in" in response.content.decode()


def test_the_gate_sees_no_check_in_buttons_and_may_not_post_one(visit, login):
    guard = user_with(Role.SECURITY, username="guard")
    browser = login(guard)
    assert "board-check-in" not in browser.get(BOARD, {"tab": "tomorrow"}).content.decode()
    response = htmx_post(browser, reverse("visits:check", args=[visit.pk, "in"]), {})
    assert response.status_code == 403
    assert not VisitEvent.objects.filter(kind=EventKind.CHECK_IN).exists()


def test_a_visit_not_yet_approved_offers_no_check_in(four_tier, sales, staff, frontdesk, login):
    file_visit(sales, four_tier["routine"])  # submitted: not on the board at all
    assert "board-check-in" not in login(frontdesk).get(BOARD).content.decode()
