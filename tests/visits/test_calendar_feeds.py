"""Calendar feeds: a private iCalendar URL per person, and the front desk's arrivals feed."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from reception.accounts.roles import Role
from reception.models import Department
from tests.factories import approve_fully, file_visit, user_with
from visits.models import CalendarFeed, PrepTask, VisitRequest, VisitStatus
from visits.services.calendar_feeds import (
    ARRIVALS_DAYS_BACK,
    FEED_DAYS_BACK,
    _sequence,
    all_arrivals,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def feed_of(client, user, *, arrivals=False):
    token = CalendarFeed.objects.get_or_create(user=user)[0].token
    name = "visits:calendar_arrivals_ics" if arrivals else "visits:calendar_ics"
    response = client.get(reverse(name, kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def events(cal):
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def visit(four_tier, sales):
    arrival = (timezone.localtime() + timedelta(days=3)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    visit = file_visit(
        sales, four_tier["routine"], arrival_at=arrival, departure_at=arrival + timedelta(hours=5)
    )
    approve_fully(visit)
    visit.refresh_from_db()
    return visit


def test_the_applicants_feed_has_the_visit_in_shanghai_time_with_its_vtimezone(
    client, sales, visit
):
    cal = feed_of(client, sales)  # anonymous: the secret is the key
    event = events(cal)[f"visit-{visit.pk}@testserver"]
    start = event["DTSTART"]
    assert start.params["TZID"] == "Asia/Shanghai"
    assert start.dt == visit.arrival_at.astimezone(SHANGHAI)
    assert start.dt.hour == 9 and start.dt.minute == 30
    assert event["DTEND"].dt == visit.departure_at.astimezone(SHANGHAI)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_a_changed_visit_keeps_its_uid_and_raises_its_sequence(client, sales, visit):
    before = events(feed_of(client, sales))[f"visit-{visit.pk}@testserver"]
    later = visit.arrival_at + timedelta(days=1)
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=later,
        departure_at=later + timedelta(hours=2),
        updated_at=visit.updated_at + timedelta(minutes=5),
    )
    after = events(feed_of(client, sales))
    assert list(after).count(f"visit-{visit.pk}@testserver") == 1
    moved = after[f"visit-{visit.pk}@testserver"]
    assert moved["DTSTART"].dt == later.astimezone(SHANGHAI)
    assert int(moved["SEQUENCE"]) > int(before["SEQUENCE"])
    assert moved["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled(client, sales, visit):
    VisitRequest.objects.filter(pk=visit.pk).update(status=VisitStatus.CANCELLED)
    event = events(feed_of(client, sales))[f"visit-{visit.pk}@testserver"]
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_held_task_is_an_all_day_event_in_its_holders_feed(client, visit):
    task = visit.prep_tasks.select_related("department").first()
    member = user_with(Role.DEPARTMENT_MEMBER)
    task.department.memberships.create(user=member)
    PrepTask.objects.filter(pk=task.pk).update(assignee=member)
    event = events(feed_of(client, member))[f"task-{task.pk}@testserver"]
    assert event["DTSTART"].dt == task.due_date
    assert type(event["DTSTART"].dt) is date  # all day: a date, not a time


def test_a_department_member_does_not_get_the_departments_tasks(client, visit):
    task = visit.prep_tasks.select_related("department").first()
    member = user_with(Role.DEPARTMENT_MEMBER)
    task.department.memberships.create(user=member)
    found = events(feed_of(client, member))
    assert not [uid for uid in found if uid.startswith("task")]


def test_a_department_head_gets_one_event_per_department_and_day_not_one_per_task(
    client, visit, sales, four_tier
):
    task = visit.prep_tasks.select_related("department").first()
    head = user_with(Role.DEPARTMENT_HEAD)
    Department.objects.filter(pk=task.department_id).update(head=head)
    other = file_visit(sales, four_tier["routine"], arrival_at=visit.arrival_at)
    approve_fully(other)
    PrepTask.objects.filter(visit__in=[visit, other]).update(
        department=task.department, due_date=task.due_date, assignee=None
    )
    count = PrepTask.objects.filter(visit__in=[visit, other]).count()
    assert count > 2
    found = events(feed_of(client, head))
    tasks = [uid for uid in found if uid.startswith("task")]
    assert tasks == [f"tasks-{task.department_id}-{task.due_date:%Y%m%d}@testserver"]
    day = found[tasks[0]]
    assert str(day["SUMMARY"]) == f"{task.department.label}: {count} tasks, 2 visits"
    assert str(day["DESCRIPTION"]).startswith(f"{count} open\n")
    assert day["DTSTART"].dt == task.due_date


def test_a_cancelled_visits_tasks_leave_the_heads_summary(client, visit):
    task = visit.prep_tasks.select_related("department").first()
    head = user_with(Role.DEPARTMENT_HEAD)
    Department.objects.filter(pk=task.department_id).update(head=head)
    PrepTask.objects.filter(visit=visit).update(department=task.department, assignee=None)
    assert [uid for uid in events(feed_of(client, head)) if uid.startswith("tasks-")]
    VisitRequest.objects.filter(pk=visit.pk).update(status=VisitStatus.CANCELLED)
    assert not [uid for uid in events(feed_of(client, head)) if uid.startswith("tasks-")]


def test_a_visit_before_the_window_is_not_in_the_feed(client, sales, visit):
    past = timezone.now() - timedelta(days=FEED_DAYS_BACK + 2)
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=past, departure_at=past + timedelta(hours=1)
    )
    assert f"visit-{visit.pk}@testserver" not in events(feed_of(client, sales))


def test_a_feed_unchanged_since_the_last_poll_answers_304(client, sales, visit):
    url = reverse(
        "visits:calendar_ics", kwargs={"token": CalendarFeed.objects.create(user=sales).token}
    )
    first = client.get(url)
    assert first.status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    VisitRequest.objects.filter(pk=visit.pk).update(
        updated_at=visit.updated_at + timedelta(minutes=5)
    )
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert Calendar.from_ical(again.content)


def test_the_arrivals_feed_answers_304_too(client, visit):
    desk = user_with(Role.FRONT_DESK)
    url = reverse(
        "visits:calendar_arrivals_ics",
        kwargs={"token": CalendarFeed.objects.create(user=desk).token},
    )
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_someone_elses_visit_is_not_in_my_feed(client, visit, other_sales):
    assert f"visit-{visit.pk}@testserver" not in events(feed_of(client, other_sales))


def test_the_feed_never_reaches_beyond_a_year_ahead(client, sales, visit):
    far = visit.arrival_at + timedelta(days=400)
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=far, departure_at=far + timedelta(hours=1)
    )
    assert f"visit-{visit.pk}@testserver" not in events(feed_of(client, sales))


def test_the_front_desk_feed_lists_every_arrival(client, visit):
    desk = user_with(Role.FRONT_DESK)
    cal = feed_of(client, desk, arrivals=True)
    assert f"visit-{visit.pk}@testserver" in events(cal)
    assert cal.walk("VTIMEZONE")


def test_the_arrivals_feed_is_404_for_someone_not_at_the_desk(client, sales, visit):
    token = CalendarFeed.objects.create(user=sales).token
    url = reverse("visits:calendar_arrivals_ics", kwargs={"token": token})
    assert client.get(url).status_code == 404


def test_rotating_the_secret_makes_the_old_url_404(client, sales, visit):
    old = CalendarFeed.objects.create(user=sales).token
    client.force_login(sales)
    response = client.post(reverse("visits:calendar_feed_rotate"))
    assert response.status_code == 302
    client.logout()
    assert client.get(reverse("visits:calendar_ics", kwargs={"token": old})).status_code == 404
    new = CalendarFeed.objects.get(user=sales).token
    assert new != old
    assert client.get(reverse("visits:calendar_ics", kwargs={"token": new})).status_code == 200


def test_an_inactive_users_feed_is_404(client, sales):
    token = CalendarFeed.objects.create(user=sales).token
    sales.is_active = False
    sales.save()
    assert client.get(reverse("visits:calendar_ics", kwargs={"token": token})).status_code == 404


def test_the_page_shows_the_feed_url_and_the_desk_url_only_to_the_desk(client, sales):
    client.force_login(sales)
    page = client.get(reverse("visits:calendar_feed"))
    token = CalendarFeed.objects.get(user=sales).token
    assert f"/calendar/{token}.ics" in page.content.decode()
    assert page.context["arrivals_url"] is None
    client.force_login(user_with(Role.FRONT_DESK))
    assert "/arrivals.ics" in client.get(reverse("visits:calendar_feed")).content.decode()


def _grow(visit, n, *, head):
    """n more visits like this one in the window, the head accompanying each; the first task
    of each held by the applicant, the others the head's department's."""
    tasks = list(visit.prep_tasks.all())
    first = VisitRequest.objects.count()
    for i in range(first, first + n):
        copy = VisitRequest.objects.get(pk=visit.pk)
        copy.pk = None
        copy.reference = f"JD-T-{visit.pk}-{i:04}"
        copy.arrival_at += timedelta(days=i % 20)
        copy.departure_at += timedelta(days=i % 20)
        copy.save()
        copy.accompanying_staff.add(head)
        PrepTask.objects.bulk_create(
            PrepTask(
                visit=copy,
                department_id=t.department_id,
                name=t.name,
                due_date=t.due_date,
                assignee=copy.applicant if j == 0 else None,
            )
            for j, t in enumerate(tasks)
        )


def _queries(client, user, *, arrivals=False):
    token = CalendarFeed.objects.get_or_create(user=user)[0].token
    name = "visits:calendar_arrivals_ics" if arrivals else "visits:calendar_ics"
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name, kwargs={"token": token}))
    assert response.status_code == 200
    return len(captured.captured_queries), len(events(Calendar.from_ical(response.content)))


def test_the_feeds_read_the_same_number_of_queries_with_2_or_20_visits(client, sales, visit):
    head = user_with(Role.DEPARTMENT_HEAD)
    Department.objects.filter(pk__in=visit.prep_tasks.values("department")).update(head=head)
    desk = user_with(Role.FRONT_DESK)
    counts = {}
    for size, more in ((2, 1), (20, 18)):
        _grow(visit, more, head=head)
        counts[size] = {
            who: _queries(client, user, arrivals=who == "desk")
            for who, user in (("sales", sales), ("head", head), ("desk", desk))
        }
    for who in ("sales", "head", "desk"):
        assert counts[2][who][0] == counts[20][who][0], who
        assert counts[20][who][1] > counts[2][who][1], who  # more events, same queries
    assert counts[20]["sales"][0] <= 8


def test_sequence_grows_with_updated_at():
    first = datetime(2026, 5, 1, 8, 0, tzinfo=SHANGHAI)
    assert _sequence(first + timedelta(minutes=1)) > _sequence(first)


def test_the_feed_reads_a_fixed_number_of_queries_however_many_visits(
    client, sales, visit, four_tier, django_assert_max_num_queries
):
    token = CalendarFeed.objects.create(user=sales).token
    url = reverse("visits:calendar_ics", kwargs={"token": token})
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    for _ in range(3):
        approve_fully(file_visit(sales, four_tier["routine"]))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(events(Calendar.from_ical(response.content))) > 4


def test_a_visit_event_carries_the_meeting_room_and_names_the_host_and_visitors(
    client, sales, staff, visit
):
    VisitRequest.objects.filter(pk=visit.pk).update(meeting_room="一号会议室", main_host=staff.gm)
    event = events(feed_of(client, sales))[f"visit-{visit.pk}@testserver"]
    assert str(event["LOCATION"]) == "一号会议室"
    description = str(event["DESCRIPTION"])
    assert f"Main host: {staff.gm}" in description
    names = [v.name for v in visit.visitors.all()]
    assert names and f"Visitors: {', '.join(names)}" in description


def test_the_visitors_names_cost_one_query_for_the_whole_feed(
    client, sales, four_tier, visit, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = CalendarFeed.objects.get_or_create(user=sales)[0].token
    url = reverse("visits:calendar_ics", kwargs={"token": token})
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(3):
        approve_fully(file_visit(sales, four_tier["routine"]))
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert len(four.captured_queries) == len(one.captured_queries)
    visitor_queries = [q for q in four.captured_queries if "visits_visitor" in q["sql"]]
    assert len(visitor_queries) == 1
    feed = events(Calendar.from_ical(response.content)).values()
    described = [str(event["DESCRIPTION"]) for event in feed]
    assert sum("Visitors: " in d for d in described) == 4


def test_the_desks_arrivals_feed_looks_back_a_fortnight_only(client, visit):
    """A company receiving fifty visits a day would otherwise send each desk calendar a
    thousand past arrivals at every poll; a person's own feed looks back further."""
    assert ARRIVALS_DAYS_BACK < FEED_DAYS_BACK
    for days, kept in ((ARRIVALS_DAYS_BACK - 1, True), (ARRIVALS_DAYS_BACK + 2, False)):
        arrival = timezone.now() - timedelta(days=days)
        VisitRequest.objects.filter(pk=visit.pk).update(
            arrival_at=arrival, departure_at=arrival + timedelta(hours=3)
        )
        assert all_arrivals().filter(pk=visit.pk).exists() is kept
