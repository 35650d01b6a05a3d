"""A calendar feed keeps each event's iCalendar text (the template_fragments cache, as the pages
keep their rows) and never serves one stale: each case fetches a feed, changes one thing an
event shows (the visit itself, a row it shows something of, the language, the address), fetches
again and finds the change, under a new ETag."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from reception.accounts.roles import Role
from reception.models import Client, Department, ReceptionGrade, User
from tests.factories import approve_fully, file_visit, user_with
from visits.models import CalendarFeed, PrepTask, VisitRequest

pytestmark = pytest.mark.django_db


def _kept() -> int:
    """How many event texts the cache holds (LocMem: the keys name them)."""
    return sum(":ics:" in key for key in caches["template_fragments"]._cache)


def _without_stamps(body: bytes) -> bytes:
    return b"".join(line for line in body.splitlines(True) if not line.startswith(b"DTSTAMP"))


@pytest.fixture
def visit(four_tier, sales):
    arrival = (timezone.localtime() + timedelta(days=3)).replace(hour=9, minute=30, second=0)
    visit = file_visit(
        sales, four_tier["routine"], arrival_at=arrival, departure_at=arrival + timedelta(hours=5)
    )
    approve_fully(visit)
    visit.refresh_from_db()
    return visit


@pytest.fixture
def fetch(client):
    """fetch(user) -> (the event of the visit, the ETag); fetch(user, uid=...) another event."""

    def fetch(user, *, uid=None, arrivals=False, **headers):
        token = CalendarFeed.objects.get_or_create(user=user)[0].token
        name = "visits:calendar_arrivals_ics" if arrivals else "visits:calendar_ics"
        response = client.get(reverse(name, kwargs={"token": token}), **headers)
        assert response.status_code == 200
        cal = Calendar.from_ical(response.content)
        found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        return found[uid] if uid else found, response["ETag"], response.content

    return fetch


def _visit(found, visit, host="testserver"):
    return found[f"visit-{visit.pk}@{host}"]


def test_a_feed_keeps_its_events_and_the_second_build_is_the_same(fetch, sales, visit):
    _, etag, first = fetch(sales)
    kept = _kept()
    assert kept >= 2  # the visit's event and the zone's VTIMEZONE
    _, again, second = fetch(sales)
    assert _kept() == kept
    assert again == etag
    assert second == first  # the kept texts, DTSTAMP included


def test_a_kept_feed_is_still_a_calendar_with_its_vtimezone(fetch, sales, visit):
    fetch(sales)
    found, _, body = fetch(sales)
    cal = Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert _visit(found, visit)["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")


def test_a_renamed_client_shows(fetch, sales, visit):
    _, etag, _ = fetch(sales)
    Client.objects.filter(pk=visit.client_id).update(
        name="新名字精密机械", name_en="Renamed Client"
    )
    found, again, _ = fetch(sales)
    assert "Renamed Client" in str(_visit(found, visit)["SUMMARY"])
    assert again != etag


def test_a_renamed_grade_shows(fetch, sales, visit):
    _, etag, _ = fetch(sales)
    ReceptionGrade.objects.filter(pk=visit.grade.pk).update(name_en="Renamed grade")
    found, again, _ = fetch(sales)
    assert "Renamed grade" in str(_visit(found, visit)["SUMMARY"])
    assert again != etag


def test_a_renamed_main_host_shows(fetch, sales, staff, visit):
    VisitRequest.objects.filter(pk=visit.pk).update(main_host=staff.gm)
    _, etag, _ = fetch(sales)
    User.objects.filter(pk=staff.gm.pk).update(full_name="改名的主陪")
    found, again, _ = fetch(sales)
    assert "Main host: 改名的主陪" in str(_visit(found, visit)["DESCRIPTION"])
    assert again != etag


def test_a_renamed_visitor_shows(fetch, sales, visit):
    _, etag, _ = fetch(sales)
    visit.visitors.filter(pk=visit.visitors.first().pk).update(name="改名的访客")
    found, again, _ = fetch(sales)
    assert "改名的访客" in str(_visit(found, visit)["DESCRIPTION"])
    assert again != etag


def test_a_visits_own_fields_show_though_a_bulk_update_keeps_updated_at(fetch, sales, visit):
    _, etag, _ = fetch(sales)
    VisitRequest.objects.filter(pk=visit.pk).update(meeting_room="二号会议室", headcount=9)
    found, again, _ = fetch(sales)
    event = _visit(found, visit)
    assert str(event["LOCATION"]) == "二号会议室"
    assert "Headcount: 9" in str(event["DESCRIPTION"])
    assert again != etag


def test_a_changed_visit_shows_in_the_arrivals_feed(fetch, visit):
    desk = user_with(Role.FRONT_DESK)
    fetch(desk, arrivals=True)
    later = visit.updated_at + timedelta(minutes=5)
    VisitRequest.objects.filter(pk=visit.pk).update(arrival_point="北门", updated_at=later)
    found, _, _ = fetch(desk, arrivals=True)
    assert "Arrival: 北门" in str(_visit(found, visit)["DESCRIPTION"])


def test_the_language_shows(fetch, sales, visit):
    fetch(sales)
    User.objects.filter(pk=sales.pk).update(language="zh-hans")
    found, _, _ = fetch(sales)
    assert str(_visit(found, visit)["SUMMARY"]).startswith("接待：")


def test_the_address_shows(fetch, sales, visit, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "calendar.example.com"]
    fetch(sales)
    found, _, _ = fetch(sales, HTTP_HOST="calendar.example.com")
    event = _visit(found, visit, host="calendar.example.com")
    assert str(event["URL"]).startswith("http://calendar.example.com/")


def test_a_held_tasks_change_shows(fetch, visit):
    task = visit.prep_tasks.select_related("department").first()
    member = user_with(Role.DEPARTMENT_MEMBER)
    PrepTask.objects.filter(pk=task.pk).update(assignee=member)
    uid = f"task-{task.pk}@testserver"
    fetch(member, uid=uid)
    PrepTask.objects.filter(pk=task.pk).update(name_en="Renamed task", name="改名的任务")
    Department.objects.filter(pk=task.department_id).update(name_en="Renamed department")
    event, _, _ = fetch(member, uid=uid)
    assert "Renamed task" in str(event["SUMMARY"])
    assert "Renamed department" in str(event["DESCRIPTION"])


def test_a_heads_day_shows_each_change_of_its_counts(fetch, visit):
    task = visit.prep_tasks.select_related("department").first()
    head = user_with(Role.DEPARTMENT_HEAD)
    Department.objects.filter(pk=task.department_id).update(head=head)
    PrepTask.objects.filter(visit=visit).update(
        department=task.department, due_date=task.due_date, assignee=None
    )
    uid = f"tasks-{task.department_id}-{task.due_date:%Y%m%d}@testserver"
    event, etag, _ = fetch(head, uid=uid)
    count = visit.prep_tasks.count()
    assert str(event["DESCRIPTION"]).startswith(f"{count} open")
    PrepTask.objects.filter(pk=task.pk).update(status="done")  # updated_at kept
    event, again, _ = fetch(head, uid=uid)
    assert str(event["DESCRIPTION"]).startswith(f"{count - 1} open")
    assert again != etag
    Department.objects.filter(pk=task.department_id).update(name_en="Renamed department")
    event, _, _ = fetch(head, uid=uid)
    assert str(event["SUMMARY"]).startswith("Renamed department: ")


def test_without_the_cache_the_feed_is_the_same_but_for_its_stamps(fetch, sales, visit):
    _, _, kept = fetch(sales)
    caches["template_fragments"].clear()
    _, _, made = fetch(sales)
    assert _without_stamps(made) == _without_stamps(kept)
