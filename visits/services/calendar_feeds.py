"""Calendar feeds (iCalendar): a person's visits and task due dates, and the desk's arrivals.

A person's feed holds what is theirs: the visits they applied for, host, receive or accompany,
and the tasks they hold by name. A department head also sees their departments' other tasks,
one all-day event per department and day ("Office: 31 tasks, 12 visits"), not one per task or
visit. Every query is bounded by the window first (arrival time or due date range, then the
person: a UNION of small indexed selects), so a feed costs the same however long the company's
history. Each feed has a version (a hash of what its events show) for ETag / Last-Modified: a
calendar app polling every few minutes gets 304 Not Modified without the calendar being built,
and a build makes only the events not kept from an earlier one (render_feed).

A calendar app subscribes to a secret URL (CalendarFeed.token) and polls it. Each visit and
each task keeps its UID for life (`visit-<pk>@<host>`, `task-<pk>@<host>`), so a changed visit
moves in the subscriber's calendar instead of appearing twice; SEQUENCE and LAST-MODIFIED come
from the row's updated_at. Cancelled and rejected visits (and cancelled tasks) stay in the feed
as STATUS:CANCELLED so calendars remove them. Times are in the site's zone (Asia/Shanghai) with
its VTIMEZONE. A feed covers FEED_DAYS_BACK days back (the desk's arrivals
ARRIVALS_DAYS_BACK) and FEED_DAYS_AHEAD ahead, never all history. A visit's LOCATION is its
meeting room; its description names the main host and the visitors (the main host joined,
the visitors in one query for the whole feed).
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar import Calendar, Event, Timezone

from reception.models import Department

from ..models import (
    BOARD_STATUSES,
    CalendarFeed,
    PrepStatus,
    PrepTask,
    Visitor,
    VisitRequest,
    VisitStatus,
)
from ..selectors import at_my_sites

FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 365
# The desk's arrivals feed looks back only a fortnight: a company receiving fifty visits a day
# would otherwise send every desk calendar a thousand past arrivals at each poll.
ARRIVALS_DAYS_BACK = 14
# Statuses a feed leaves out: a draft is nobody's appointment yet.
NOT_IN_FEEDS = [VisitStatus.DRAFT]
CANCELLED_STATUSES = {VisitStatus.CANCELLED, VisitStatus.REJECTED}
TENTATIVE_STATUSES = {VisitStatus.SUBMITTED, VisitStatus.IN_APPROVAL, VisitStatus.RETURNED}
_SEQUENCE_EPOCH = datetime(2020, 1, 1, tzinfo=ZoneInfo("UTC"))
# Part of every feed's version: raise it when the events' wording or layout changes, so that
# calendar apps holding an ETag fetch the feed again.
FEED_FORMAT = 4  # 3: LOCATION, the main host and the visitors; 4: a head's tasks per department


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


def _window(back: int = FEED_DAYS_BACK):
    today = timezone.localdate()
    return today - timedelta(days=back), today + timedelta(days=FEED_DAYS_AHEAD)


def _in_window(
    visits: QuerySet[VisitRequest], back: int = FEED_DAYS_BACK
) -> QuerySet[VisitRequest]:
    first, last = _window(back)
    return (
        visits.exclude(status__in=NOT_IN_FEEDS)
        .filter(arrival_at__isnull=False, arrival_at__date__gte=first, arrival_at__date__lte=last)
        .select_related("client", "final_grade", "proposed_grade", "main_host")
        .only(*EVENT_FIELDS)
        # one query for every visit of the feed, their names only, as a plain list (a related
        # manager's .all() copies a queryset per visit: 13% of the arrivals feed's CPU)
        .prefetch_related(
            Prefetch(
                "visitors",
                Visitor.objects.only("pk", "visit_id", "name").order_by("pk"),
                to_attr="feed_visitors",
            )
        )
        .order_by("arrival_at", "pk")
    )


# What a visit's event shows (and its key reads): a visit row has some 60 columns, a client's
# and a person's 20 more each; building them was most of a feed's cost at 1,000 events.
EVENT_FIELDS = (
    "reference", "status", "headcount", "arrival_at", "departure_at", "arrival_point",
    "departure_point", "meeting_room", "updated_at",
    "client__name", "client__name_en",
    "final_grade__name", "final_grade__name_en",
    "proposed_grade__name", "proposed_grade__name_en",
    "main_host__full_name", "main_host__first_name", "main_host__last_name",
    "main_host__username",
)  # fmt: skip


def _window_bounds(back: int = FEED_DAYS_BACK) -> tuple[datetime, datetime]:
    """The window as an arrival_at range (start of its first day to the end of its last), which
    the arrival_at index answers; `arrival_at__date` makes PostgreSQL convert every row."""
    first, last = _window(back)
    start = timezone.make_aware(datetime.combine(first, time.min))
    return start, timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))


def _arriving_in_window(back: int = FEED_DAYS_BACK) -> QuerySet[VisitRequest]:
    start, end = _window_bounds(back)
    return VisitRequest.objects.filter(arrival_at__gte=start, arrival_at__lt=end).exclude(
        status__in=NOT_IN_FEEDS
    )


# The ways a visit is a person's own; each is a small select: the window, then the person.
OWN_VISIT_ROLES = ("applicant", "main_host", "receptionist", "accompanying_staff")


def personal_visits(user) -> QuerySet[VisitRequest]:
    """Visits in the window the user applied for, hosts, receives or accompanies: their ids
    in one UNION of a select per role (never an OR of sub-selects over all history)."""
    window = _arriving_in_window().order_by()
    selects = [
        window.filter(**{role: user}).values_list("pk", flat=True) for role in OWN_VISIT_ROLES
    ]
    ids = list(selects[0].union(*selects[1:]))
    return _in_window(VisitRequest.objects.filter(pk__in=ids))


def _tasks_due_in_window() -> QuerySet[PrepTask]:
    first, last = _window()
    return (
        PrepTask.objects.filter(due_date__gte=first, due_date__lte=last)
        .exclude(visit__status__in=NOT_IN_FEEDS)
        .order_by()
    )


def personal_tasks(user) -> QuerySet[PrepTask]:
    """The due dates of the tasks the user holds by name (their department's other tasks are
    the head's business: department_task_days)."""
    return (
        _tasks_due_in_window()
        .filter(assignee=user)
        .select_related("visit__client", "department")
        .order_by("due_date", "pk")
    )


@dataclass
class TaskDay:
    """A department head's tasks of one of their departments due on one day."""

    department: Department
    due_date: date
    count: int
    visits: int
    open: int
    changed_at: datetime  # the latest change of the tasks or their visits


def department_task_days(user) -> list[TaskDay]:
    """For a department head: the tasks of their departments that others hold (or nobody yet)
    in the window, counted per department and due date (a head whose department prepares 50
    visits a day reads one event a day, not 50), so their number is bounded by the window's
    days. Tasks of cancelled or rejected visits are no work and are left out. Empty, with one
    query, for anyone else."""
    headed = Department.objects.filter(head=user).only("pk", "name", "name_en").in_bulk()
    if not headed:
        return []
    rows = (
        _tasks_due_in_window()
        .filter(department_id__in=list(headed))
        .exclude(status=PrepStatus.CANCELLED)
        .exclude(visit__status__in=CANCELLED_STATUSES)
        .exclude(assignee=user)  # theirs by name are events of their own
        .values("department_id", "due_date")
        .annotate(
            count=Count("pk"),
            visits=Count("visit_id", distinct=True),
            open=Count("pk", filter=Q(status=PrepStatus.OPEN)),
            changed_at=Max("updated_at"),
            visit_changed_at=Max("visit__updated_at"),
        )
        .order_by("due_date", "department_id")
    )
    return [
        TaskDay(
            department=headed[r["department_id"]],
            due_date=r["due_date"],
            count=r["count"],
            visits=r["visits"],
            open=r["open"],
            changed_at=max(r["changed_at"], r["visit_changed_at"]),
        )
        for r in rows
    ]


def all_arrivals(user=None) -> QuerySet[VisitRequest]:
    """The front desk's feed: every visit that comes (or came) on site, and cancellations;
    with a user, at their sites (every site's when they have none assigned)."""
    arriving = _arriving_in_window(ARRIVALS_DAYS_BACK).filter(
        status__in=[*BOARD_STATUSES, VisitStatus.CANCELLED]
    )
    if user is not None:
        arriving = arriving.filter(at_my_sites(user, visit="pk"))
    return _in_window(arriving, ARRIVALS_DAYS_BACK)


@dataclass
class Feed:
    """What one feed shows, read once: its version answers conditional requests, and the
    calendar is built from the same rows only when the client does not have them yet."""

    name: str
    language: str
    visits: list = field(default_factory=list)
    tasks: list = field(default_factory=list)
    task_days: list = field(default_factory=list)
    days_back: int = FEED_DAYS_BACK
    _keys: dict = field(default_factory=dict, repr=False)  # event_keys, read once per answer

    def _changes(self) -> list[datetime]:
        return [
            *(v.updated_at for v in self.visits),
            *(max(t.updated_at, t.visit.updated_at) for t in self.tasks),
            *(d.changed_at for d in self.task_days),
        ]

    @property
    def last_modified(self) -> datetime | None:
        return max(self._changes(), default=None)

    def event_keys(self, *, host: str, base_url: str) -> list[tuple]:
        """Everything each event shows, in the feed's order: the key of its kept text, and
        the feed's version."""
        if (host, base_url) not in self._keys:
            common = (FEED_FORMAT, host, base_url, self.language, settings.TIME_ZONE)
            with translation.override(self.language):
                self._keys[host, base_url] = [
                    *(_visit_key(visit, common) for visit in self.visits),
                    *(_task_key(task, common) for task in self.tasks),
                    *(_task_day_key(day, common) for day in self.task_days),
                ]
        return self._keys[host, base_url]

    def version(self, *, host: str, base_url: str) -> str:
        """Changes whenever an event would (a row added, gone or changed, a client renamed, a
        visitor added…): it is made of every event's key, which holds all the event shows."""
        parts = [self.name, _window(self.days_back), self.event_keys(host=host, base_url=base_url)]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def personal_feed(user) -> Feed:
    language = user.preferred_language
    with translation.override(language):
        name = _("Jiedai: %(name)s") % {"name": user.get_full_name()}
    return Feed(
        name=name,
        language=language,
        visits=list(personal_visits(user)),
        tasks=list(personal_tasks(user)),
        task_days=department_task_days(user),
    )


def arrivals_feed(user) -> Feed:
    language = user.preferred_language
    with translation.override(language):
        name = _("Jiedai: all arrivals")
    return Feed(
        name=name,
        language=language,
        visits=list(all_arrivals(user)),
        days_back=ARRIVALS_DAYS_BACK,
    )


def _label(row) -> str | None:
    return row.label if row is not None else None


def _visit_key(visit: VisitRequest, common: tuple) -> tuple:
    """All a visit's event shows: its own fields (listed, as a bulk update() does not move
    updated_at), and the client's and grade's labels, the main host's and visitors' names."""
    return (
        "visit",
        *common,
        visit.pk,
        visit.updated_at,
        visit.reference,
        visit.status,
        visit.headcount,
        visit.arrival_at,
        visit.departure_at,
        visit.arrival_point,
        visit.departure_point,
        visit.meeting_room,
        _label(visit.client),
        _label(visit.grade),
        str(visit.main_host) if visit.main_host_id else None,
        tuple(v.name for v in visit.feed_visitors),  # type: ignore[attr-defined]  # to_attr
    )


def _task_key(task: PrepTask, common: tuple) -> tuple:
    visit = task.visit
    return (
        "task",
        *common,
        task.pk,
        task.updated_at,
        task.label,
        task.status,
        task.due_date,
        task.department.label,
        visit.updated_at,
        visit.status,
        _label(visit.client),
    )


def _task_day_key(day: TaskDay, common: tuple) -> tuple:
    return (
        "task-day",
        *common,
        day.department.pk,
        day.department.label,
        day.due_date,
        day.count,
        day.visits,
        day.open,
        day.changed_at,
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
    client = visit.client.label if visit.client else _("(no client yet)")
    grade = visit.grade.label if visit.grade else ""
    summary = _("Reception: %(client)s") % {"client": client}
    if grade:
        summary += f" ({grade})"
    event.add("summary", summary)
    assert visit.arrival_at is not None  # the feeds' visits are chosen by their arrival
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
    names = [v.name for v in visit.feed_visitors]  # type: ignore[attr-defined]  # to_attr
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
    client = task.visit.client.label if task.visit.client else _("(no client yet)")
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


def _task_day_event(day: TaskDay, *, host: str, base_url: str) -> Event:
    """One all-day event per department and day: "Office: 31 tasks, 12 visits"."""
    event = Event()
    event.add("uid", f"tasks-{day.department.pk}-{day.due_date:%Y%m%d}@{host}")
    tasks = translation.ngettext("%(n)s task", "%(n)s tasks", day.count) % {"n": day.count}
    visits = translation.ngettext("%(n)s visit", "%(n)s visits", day.visits) % {"n": day.visits}
    summary = _("%(department)s: %(tasks)s, %(visits)s") % {
        "department": day.department.label,
        "tasks": tasks,
        "visits": visits,
    }
    if not day.open:
        summary = "✓ " + summary
    event.add("summary", summary)
    event.add("dtstart", day.due_date)  # an all-day event on the due date
    event.add("dtend", day.due_date + timedelta(days=1))
    url = base_url + reverse("visits:tasks")
    lines = [translation.ngettext("%(n)s open", "%(n)s open", day.open) % {"n": day.open}, url]
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    event.add("status", "CONFIRMED")
    _stamp(event, day.changed_at)
    return event


_END = b"END:VCALENDAR\r\n"


def _calendar_text(name: str) -> bytes:
    """The calendar's own lines, without END:VCALENDAR: its events follow."""
    cal = Calendar()
    cal.add("prodid", "-//Jiedai//Reception calendar//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    return cal.to_ical().removesuffix(_END)


def render_feed(feed: Feed, *, host: str, base_url: str) -> bytes:
    """The iCalendar text of the feed's visits (timed events, with the site zone's VTIMEZONE)
    and task due dates (all-day events).

    Each event's text is kept in the template_fragments cache (as the pages keep their rows)
    under a key made of everything it shows (Feed.event_keys): a build reads the rows, reads
    all the texts with one get_many, makes only the missing ones with icalendar (about 0.7 ms
    each) and joins them. A kept text's DTSTAMP is the time it was made, not the time of the
    answer: under METHOD:PUBLISH DTSTAMP is only when the object was written, and SEQUENCE and
    LAST-MODIFIED (from the rows) are what tell a calendar that an event changed."""
    zone = ZoneInfo(settings.TIME_ZONE)
    options = {"host": host, "base_url": base_url}
    makers = [
        *(partial(_visit_event, visit, zone=zone, **options) for visit in feed.visits),
        *(partial(_task_event, task, **options) for task in feed.tasks),
        *(partial(_task_day_event, day, **options) for day in feed.task_days),
    ]
    keys = [_cache_key(parts) for parts in feed.event_keys(**options)]
    # The zone's VTIMEZONE is what icalendar's add_missing_timezones would add (default range).
    vtimezone = _cache_key(("vtimezone", FEED_FORMAT, settings.TIME_ZONE))
    cache = caches["template_fragments"]
    kept = cache.get_many([vtimezone, *keys] if feed.visits else keys)
    missing = {}
    with translation.override(feed.language):
        texts = []
        for key, make in zip(keys, makers, strict=True):
            text = kept.get(key)
            if text is None:
                text = missing[key] = make().to_ical()
            texts.append(text)
    zone_text: bytes = b""
    if feed.visits:  # the visits' times name the zone; the tasks are dates
        zone_text = kept.get(vtimezone) or b""
        if not zone_text:
            zone_text = missing[vtimezone] = Timezone.from_tzid(settings.TIME_ZONE).to_ical()
    if missing:
        cache.set_many(missing, settings.FRAGMENT_CACHE_SECONDS)
    return b"".join([_calendar_text(feed.name), zone_text, *texts, _END])


def _cache_key(parts: tuple) -> str:
    return "ics:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def personal_calendar(user, *, host: str, base_url: str) -> bytes:
    return render_feed(personal_feed(user), host=host, base_url=base_url)


def arrivals_calendar(user, *, host: str, base_url: str) -> bytes:
    return render_feed(arrivals_feed(user), host=host, base_url=base_url)
