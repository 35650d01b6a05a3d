"""Retention (PIPL): visitors' and walk-ins' names, phone numbers and ID numbers are anonymised
once a visit has ended longer ago than the policy's retention period; the statistics stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import Notification, ReceptionPolicy
from tests.factories import approve_fully, file_visit, user_with
from visits.models import AnonymisationRun, EventKind, SummarySide, VisitEvent, WalkIn
from visits.services import desk
from visits.services.requests import cancel_visit_request
from visits.services.retention import ANONYMISED, anonymise_personal_data
from visits.services.summary import write_part
from visits.services.walk_ins import decline_walk_in, record_walk_in
from visits.tasks import anonymise_personal_data as anonymise_task

pytestmark = pytest.mark.django_db

LATER = timedelta(days=366)  # past the default retention of 365 days


def later(delta=LATER):
    return timezone.now() + delta


@pytest.fixture
def cancelled(four_tier, sales):
    """A visit that ended today (cancelled), with three named visitors, one ID number."""
    visit = file_visit(sales, four_tier["routine"])
    return cancel_visit_request(visit=visit, by=sales, reason="客户改期")


def personal(visit) -> list[tuple]:
    return list(visit.visitors.values_list("name", "phone", "id_number_masked", "id_number_hash"))


def test_a_dry_run_counts_and_changes_nothing(cancelled):
    before = personal(cancelled)
    result = anonymise_personal_data(dry_run=True, now=later())
    assert (result.visits, result.visitors) == (1, 3)
    assert personal(cancelled) == before
    assert not AnonymisationRun.objects.exists()
    cancelled.refresh_from_db()
    assert cancelled.anonymised_at is None


def test_visitors_of_a_visit_ended_past_retention_are_anonymised(cancelled):
    anonymise_personal_data(now=later())
    assert personal(cancelled) == [(ANONYMISED, "", "", "")] * 3
    cancelled.refresh_from_db()
    assert cancelled.anonymised_at is not None


def test_anonymising_keeps_the_statistics(cancelled):
    facts = (cancelled.headcount, cancelled.client_id, cancelled.status, cancelled.grade)
    anonymise_personal_data(now=later())
    cancelled.refresh_from_db()
    assert (cancelled.headcount, cancelled.client_id, cancelled.status, cancelled.grade) == facts
    assert cancelled.visitors.count() == 3
    assert [v.title for v in cancelled.visitors.all()] == [
        "采购副总裁",
        "供应商质量经理",
        "Engineer",
    ]


def test_a_visit_ended_within_retention_is_untouched(cancelled):
    before = personal(cancelled)
    result = anonymise_personal_data(now=later(timedelta(days=364)))
    assert result.visits == 0 and personal(cancelled) == before


def test_the_retention_period_is_the_policys(cancelled):
    policy = ReceptionPolicy.get()
    policy.retention_days = 400
    policy.save()
    assert anonymise_personal_data(now=later()).visits == 0
    assert anonymise_personal_data(now=later(timedelta(days=401))).visits == 1


def test_open_visits_are_untouched(four_tier, sales, staff):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    before = personal(visit)
    result = anonymise_personal_data(now=later(timedelta(days=3 * 365)))
    assert result.visits == 0 and personal(visit) == before


def test_names_leave_the_timeline_and_the_bell(four_tier, sales, staff):
    arrival = timezone.now() + timedelta(minutes=5)
    visit = approve_fully(
        file_visit(
            sales,
            four_tier["routine"],
            arrival_at=arrival,
            departure_at=arrival + timedelta(hours=2),
            late_reason="客户临时来访",
        )
    )
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    write_part(visit=visit, side=SummarySide.DEPARTMENT, by=sales, data={"outcome": "签订框架协议"})
    write_part(visit=visit, side=SummarySide.HR, by=user_with(Role.HR), data={"outcome": "顺利"})
    assert anonymise_personal_data(now=later()).visits == 1
    names = [n for e in visit.events.filter(kind=EventKind.CHECK_IN) for n in e.changes]
    assert names == [ANONYMISED] * 3
    assert not Notification.objects.filter(body__contains="孙立群").exists()
    assert not Notification.objects.filter(title__contains="孙立群").exists()


def test_each_run_records_what_it_anonymised_and_a_second_run_changes_nothing(cancelled):
    first = anonymise_personal_data(now=later())
    second = anonymise_personal_data(now=later())
    runs = list(AnonymisationRun.objects.order_by("pk").values_list("visits", "visitors"))
    assert runs == [(1, 3), (0, 0)]
    assert (first.visitors, second.visitors) == (3, 0)
    entry = cancelled.events.get(kind=EventKind.ANONYMISED)
    assert entry.changes == [3]


def test_the_visit_page_says_the_personal_data_was_anonymised(cancelled, sales, login):
    anonymise_personal_data(now=later())
    sales.language = "en"
    sales.save()
    page = login(sales).get(reverse("visits:detail", args=[cancelled.pk])).content.decode()
    assert "Personal data anonymised" in page and "3 visitors past the retention period" in page
    assert "孙立群" not in page


@pytest.fixture
def declined(four_tier):
    host = user_with(Role.MARKETING, username="host")
    walk_in = record_walk_in(
        by=user_with(Role.SECURITY, username="guard"),
        company="星河电子有限公司",
        names="王强、李明",
        headcount=2,
        phone="13900001111",
        wants_to_see=host,
        purpose="洽谈采购",
    )
    return decline_walk_in(walk_in=walk_in, by=host, reason="今天不在")


def test_a_walk_in_declined_past_retention_is_anonymised(declined):
    result = anonymise_personal_data(now=later())
    walk_in = WalkIn.objects.get()
    assert result.walk_ins == 1
    assert (walk_in.names, walk_in.phone) == (ANONYMISED, "")
    assert (walk_in.company, walk_in.headcount) == ("星河电子有限公司", 2)
    assert not walk_in.wants_to_see.notifications.exists()  # the bell said their names


def test_a_walk_in_declined_within_retention_is_untouched(declined):
    anonymise_personal_data(now=later(timedelta(days=30)))
    assert WalkIn.objects.get().names == "王强、李明"


def test_the_command_prints_the_counts_and_its_dry_run_changes_nothing(cancelled, declined):
    ReceptionPolicy.objects.filter(pk=1).update(retention_days=30)
    VisitEvent.objects.filter(visit=cancelled).update(at=later(-timedelta(days=31)))
    WalkIn.objects.update(decided_at=later(-timedelta(days=31)))
    out = StringIO()
    call_command("anonymise_personal_data", "--dry-run", stdout=out)
    assert "would anonymise 1 visits (3 visitors) and 1 walk-ins" in out.getvalue()
    assert WalkIn.objects.get().names == "王强、李明"
    call_command("anonymise_personal_data", stdout=out)
    assert "anonymised 1 visits (3 visitors) and 1 walk-ins" in out.getvalue()
    assert WalkIn.objects.get().names == ANONYMISED


def test_celery_beat_runs_the_anonymisation_daily(cancelled):
    entry = settings.CELERY_BEAT_SCHEDULE["anonymise-personal-data"]
    assert entry["task"] == anonymise_task.name
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(days=1)
    assert anonymise_task() == "visits=0 visitors=0 walk_ins=0"  # ended today: kept
