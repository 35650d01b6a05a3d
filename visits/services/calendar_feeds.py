"""Calendar feeds (iCalendar): a person's visits and task due dates, and the desk's arrivals.

A calendar app subscribes to a secret URL (CalendarFeed.token) and polls it. Each visit and
each task keeps its UID for life (`visit-<pk>@<host>`, `task-<pk>@<host>`), so a changed visit
moves in the subscriber's calendar instead of appearing twice; SEQUENCE and LAST-MODIFIED come
from the row's updated_at. Cancelled and rejected visits (and cancelled tasks) stay in the feed
as STATUS:CANCELLED so calendars remove them. Times are in the site's zone (Asia/Shanghai) with
its VTIMEZONE. A feed covers FEED_DAYS_BACK days back and FEED_DAYS_AHEAD ahead, never all
history. A visit's LOCATION is its meeting room; its description names the main host and the
visitors (the main host joined, the visitors in one query for the whole feed).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Calendar, Event

from ..models import CalendarFeed, PrepStatus, PrepTask, VisitRequest, VisitStatus
from ..selectors import BOARD_STATUSES, tasks_in_reach

FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 365
# Statuses a feed leaves out: a draft is nobody's appointment yet.
NOT_IN_FEEDS = [VisitStatus.DRAFT]
CANCELLED_STATUSES = {VisitStatus.CANCELLED, VisitStatus.REJECTED}
TENTATIVE_STATUSES = {VisitStatus.SUBMITTED, VisitStatus.IN_APPROVAL, VisitStatus.RETURNED}
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))


def feed_for(user) -> CalendarFeed:
    """The user's feed, made on first use."""
    return CalendarFeed.objects.get_or_create(user=user)[0]


def rotate_feed(*, user) -> CalendarFeed:
    """A new secret for the user's feed: the old URL stops working at once."""
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
        if feed is None:
            return CalendarFeed.objects.create(user=user)
        feed.token = CalendarFeed._meta.get_field("token").default()
        feed.rotated_at = timezone.now()
        feed.save(update_fields=["token", "rotated_at"])
    return feed


def may_see_arrivals(user) -> bool:
    return user.is_active and user.has_perm("visits.view_arrivals")


def _window():
    today = timezone.localdate()
    return today - timedelta(days=FEED_DAYS_BACK), today + timedelta(days=FEED_DAYS_AHEAD)


def _in_window(visits: QuerySet[VisitRequest]) -> QuerySet[VisitRequest]:
    first, last = _window()
    return (
        visits.exclude(status__in=NOT_IN_FEEDS)
        .filter(arrival_at__isnull=False, arrival_at__date__gte=first, arrival_at__date__lte=last)
        .select_related("client", "final_grade", "proposed_grade", "main_host")
        .prefetch_related("visitors")  # one query for every visit of the feed
        .order_by("arrival_at", "pk")
    )


def personal_visits(user) -> QuerySet[VisitRequest]:
    """Visits the user applied for, hosts, receives, accompanies, or has tasks for."""
    mine = (
        Q(applicant=user)
        | Q(main_host=user)
        | Q(receptionist=user)
        | Q(accompanying_staff=user)
        | Q(pk__in=tasks_in_reach(user).values("visit_id"))
    )
    ids = VisitRequest.objects.filter(mine).values("pk")
    return _in_window(VisitRequest.objects.filter(pk__in=ids))


def personal_tasks(user) -> QuerySet[PrepTask]:
    """The due dates of the tasks the user holds or whose department they belong to."""
    first, last = _window()
    return (
        tasks_in_reach(user)
        .exclude(visit__status__in=NOT_IN_FEEDS)
        .filter(due_date__gte=first, due_date__lte=last)
        .select_related("visit__client", "department")
        .order_by("due_date", "pk")
    )


def all_arrivals() -> QuerySet[VisitRequest]:
    """The front desk's feed: every visit that comes (or came) on site, and cancellations."""
    return _in_window(
        VisitRequest.objects.filter(status__in=[*BOARD_STATUSES, VisitStatus.CANCELLED])
    )


def _sequence(updated_at: datetime) -> int:
    """Grows with every change (minutes since 2020), as RFC 5545 wants of SEQUENCE."""
    return max(0, int((updated_at - _SEQUENCE_EPOCH).total_seconds() // 60))


def _stamp(event: Event, updated_at: datetime) -> None:
    event.add("dtstamp", timezone.now().astimezone(ZoneInfo("UTC")))
    event.add("last-modified", updated_at.astimezone(ZoneInfo("UTC")))
    event.add("sequence", _sequence(updated_at))


def _visit_event(visit: VisitRequest, *, host: str, base_url: str, zone: ZoneInfo) -> Event:
    event = Event()
    event.add("uid", f"visit-{visit.pk}@{host}")
    client = visit.client.label if visit.client_id else _("(no client yet)")
    grade = visit.grade.label if visit.grade else ""
    summary = _("Reception: %(client)s") % {"client": client}
    if grade:
        summary += f" ({grade})"
    event.add("summary", summary)
    start = visit.arrival_at.astimezone(zone)
    end = (visit.departure_at or visit.arrival_at + timedelta(hours=1)).astimezone(zone)
    event.add("dtstart", start)
    event.add("dtend", max(end, start + timedelta(minutes=1)))
    lines = [
        _("Reference: %(ref)s") % {"ref": visit.reference or "-"},
        _("Status: %(status)s") % {"status": visit.get_status_display()},
        _("Headcount: %(n)s") % {"n": visit.headcount},
    ]
    if visit.main_host_id:
        lines.append(_("Main host: %(name)s") % {"name": visit.main_host})
    names = [visitor.name for visitor in visit.visitors.all()]
    if names:
        separator = pgettext("list separator", ", ")
        lines.append(_("Visitors: %(names)s") % {"names": separator.join(names)})
    if visit.arrival_point:
        lines.append(_("Arrival: %(point)s") % {"point": visit.arrival_point})
    if visit.departure_point:
        lines.append(_("Departure: %(point)s") % {"point": visit.departure_point})
    url = base_url + reverse("visits:detail", args=[visit.pk])
    event.add("description", "\n".join([*lines, url]))
    event.add("url", url)
    if visit.meeting_room:
        event.add("location", visit.meeting_room)
    if visit.status in CANCELLED_STATUSES:
        event.add("status", "CANCELLED")
    elif visit.status in TENTATIVE_STATUSES:
        event.add("status", "TENTATIVE")
    else:
        event.add("status", "CONFIRMED")
    _stamp(event, visit.updated_at)
    return event


def _task_event(task: PrepTask, *, host: str, base_url: str) -> Event:
    event = Event()
    event.add("uid", f"task-{task.pk}@{host}")
    client = task.visit.client.label if task.visit.client_id else _("(no client yet)")
    summary = _("Due: %(task)s · %(client)s") % {"task": task.label, "client": client}
    if task.status == PrepStatus.DONE:
        summary = "✓ " + summary
    event.add("summary", summary)
    event.add("dtstart", task.due_date)  # an all-day event on the due date
    event.add("dtend", task.due_date + timedelta(days=1))
    url = base_url + reverse("visits:my_tasks")
    event.add("description", f"{task.department.label}\n{url}")
    event.add("url", url)
    event.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
    cancelled = task.status == PrepStatus.CANCELLED or task.visit.status in CANCELLED_STATUSES
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    _stamp(event, max(task.updated_at, task.visit.updated_at))
    return event


def build_calendar(
    *, name: str, visits, tasks=(), host: str, base_url: str, language: str
) -> bytes:
    """The iCalendar text of these visits (timed events) and task due dates (all-day)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    cal = Calendar()
    cal.add("prodid", "-//Jiedai//Reception calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    with translation.override(language):
        for visit in visits:
            cal.add_component(_visit_event(visit, host=host, base_url=base_url, zone=zone))
        for task in tasks:
            cal.add_component(_task_event(task, host=host, base_url=base_url))
    cal.add_missing_timezones()
    return cal.to_ical()


def personal_calendar(user, *, host: str, base_url: str) -> bytes:
    language = user.preferred_language
    with translation.override(language):
        name = _("Jiedai: %(name)s") % {"name": user.get_full_name()}
    return build_calendar(
        name=name,
        visits=personal_visits(user),
        tasks=personal_tasks(user),
        host=host,
        base_url=base_url,
        language=language,
    )


def arrivals_calendar(user, *, host: str, base_url: str) -> bytes:
    language = user.preferred_language
    with translation.override(language):
        name = _("Jiedai: all arrivals")
    return build_calendar(
        name=name, visits=all_arrivals(), host=host, base_url=base_url, language=language
    )
