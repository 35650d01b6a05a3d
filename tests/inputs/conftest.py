"""The demo company, loaded once for the tests of this package (in a transaction rolled back
after them), with visits in every state a page shows differently, and what each demo role
reaches of it (tests/inputs/site.py)."""

from dataclasses import dataclass
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from approvals.models import ApprovalStep, StepState
from approvals.services import decide, set_delegation
from demo.organisation import USERS, load_demo_organisation
from demo.visits import load_closed_visits_with_spending, load_demo_desk, load_demo_visits
from reception.models import ReceptionGrade, User
from reception.policy.loading import LoadReport
from tests.factories import approve_fully, file_visit
from visits import selectors
from visits.models import SummarySide, VisitRequest, VisitStatus, WelcomeDisplay
from visits.services import desk
from visits.services.requests import cancel_visit_request
from visits.services.summary import write_part
from visits.services.walk_ins import record_walk_in

from .site import Walk, forget_kept_answers, parameterless_pages, walk


@dataclass
class DemoSite:
    walks: dict[str, Walk]  # username -> what that user reaches

    def client_for(self, username: str) -> Client:
        """Logged in as that demo user; "" is a visitor who has not logged in."""
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        return client


def one_user_per_role() -> list[str]:
    """The first demo login holding each role, in the demo's order."""
    chosen, covered = [], set()
    for username, _name, roles, *_rest in USERS:
        if set(roles) - covered:
            chosen.append(username)
            covered |= set(roles)
    return chosen


def person(username: str) -> User:
    return User.objects.get(username=username)


def every_state(grades: dict[str, ReceptionGrade]) -> None:
    """Beside the demo's draft, submitted, in-approval, approved and closed visits: one on
    site, one completed (checked out, summary open, a follow-up for sales), one returned, one
    rejected, one cancelled, a draft of sales', a walk-in waiting for an answer, an approval
    step on the oversight page and an absent general manager's delegation."""
    today = timezone.localdate()
    on_site = VisitRequest.objects.exclude(reference__startswith="JD-H").get(
        client__name="南方电网设备采购中心"
    )
    desk.check_in(visit=on_site, by=person("frontdesk"))
    arrival = timezone.localtime().replace(second=0, microsecond=0) + timedelta(minutes=30)
    done = approve_fully(
        file_visit(
            person("sales"),
            grades["guest"],
            arrival_at=arrival,
            departure_at=arrival + timedelta(hours=2),
            late_reason="临时",
        )
    )
    desk.check_in(visit=done, by=person("frontdesk"))
    desk.check_out(visit=done, by=person("frontdesk"))
    write_part(
        visit=done,
        side=SummarySide.HR,
        by=person("hr"),
        data={"outcome": "达成合作意向"},
        follow_ups=[{"description": "寄送样品", "owner": person("sales"), "due_on": today}],
    )
    file_visit(person("sales"), grades["routine"], submit=False)
    for decision in (StepState.RETURNED, StepState.REJECTED):
        visit = file_visit(person("sales2"), grades["routine"])
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=person("marketing"), decision=decision, comment="信息不全")
    cancelled = file_visit(person("sales"), grades["routine"])
    cancel_visit_request(visit=cancelled, by=person("sales"), reason="客户改期")
    overdue = ApprovalStep.objects.filter(state=StepState.PENDING).order_by("pk").first()
    ApprovalStep.objects.filter(pk=overdue.pk).update(reminded_at=timezone.now())
    set_delegation(
        approver=person("gm"),
        delegate=person("deputy_gm"),
        starts_on=today,
        ends_on=today + timedelta(days=7),
    )
    record_walk_in(
        by=person("security"),
        company="星河电子",
        names="王强",
        headcount=2,
        phone="13900001111",
        wants_to_see=person("sales"),
        purpose="参观",
    )


def seeds_for(user: User) -> list[str]:
    """The URLconf's pages without arguments, and one visit page per state the user sees."""
    visible = selectors.visible_visits(user)
    details = []
    for status in VisitStatus.values:
        visit = visible.filter(status=status).order_by("pk").first()
        if visit is not None:
            details.append(f"/visits/{visit.pk}/")
    return ["/", *parameterless_pages(), *details]


@pytest.fixture(scope="package")
def demo_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_policy", "four-tier", stdout=StringIO())
        grades = {g.code: g for g in ReceptionGrade.objects.current()}
        report = LoadReport()
        load_demo_organisation(report)
        load_demo_visits(report)
        load_demo_desk(report)
        load_closed_visits_with_spending(report)
        every_state(grades)
        forget_kept_answers()
        walks = {}
        for username in one_user_per_role():
            client = Client()
            client.force_login(person(username))
            walks[username] = walk(client, username, seeds_for(person(username)))
        lobby = f"/welcome/{WelcomeDisplay.objects.order_by('pk').first().token}/"
        walks[""] = walk(Client(), "", ["/accounts/login/", "/accounts/password-reset/", lobby])
        yield DemoSite(walks)
        transaction.set_rollback(True)
