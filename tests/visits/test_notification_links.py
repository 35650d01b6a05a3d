"""Every link in a notification opens a page its reader may see: the demo company is loaded
and every flow is driven (approval, regrading, changes, task assignment, check-in and out,
walk-ins, cancelling, closing, the reminder sweep); then each notification's link is opened by
its recipient."""

from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.demo import load_demo_organisation
from reception.loading import LoadReport
from reception.models import Department, Notification, User
from tests.factories import approve_fully
from visits.demo import load_demo_desk, load_demo_visits
from visits.models import SummarySide, VisitRequest, VisitStatus
from visits.reminders import sweep
from visits.services import desk
from visits.services.preparation import assign_task
from visits.services.requests import cancel_visit_request, update_visit_request
from visits.services.summary import waive_department_part, write_part
from visits.services.walk_ins import accept_walk_in, decline_walk_in, record_walk_in

pytestmark = pytest.mark.django_db


EXPECTED_KINDS = [
    "approval_waiting",
    "step_approved",
    "visit_approved",
    "visit_changed",
    "visit_cancelled",
    "visit_closed",
    "guests_arrived",
    "walk_in",
    "walk_in_decided",
    "tasks",
    "task_assigned",
    "reminder_visitor_information",
]


def person(username):
    return User.objects.get(username=username)


def demo_visit(client_name):
    return VisitRequest.objects.get(client__name=client_name)


def edit(visit, by, **changes):
    data = {f: getattr(visit, f) for f in ("arrival_at", "departure_at", "headcount")}
    data |= changes
    return update_visit_request(visit=visit, by=by, data=data, visitors=None)


@pytest.fixture
def demo_company(four_tier, django_capture_on_commit_callbacks):
    report = LoadReport()
    with django_capture_on_commit_callbacks(execute=True):
        load_demo_organisation(report)
        load_demo_visits(report)
        load_demo_desk(report)
        drive_every_flow(four_tier)
    return four_tier


def drive_every_flow(grades):
    # marketing regrades the VIP request to business: a deputy GM now hosts
    vip = demo_visit("远航汽车零部件集团")
    step = vip.approval_steps.get(state=StepState.PENDING)
    decide(step=step, by=person("marketing"), decision=StepState.APPROVED, grade=grades["business"])
    # every request still in approval is approved: tasks for every department and holder
    for visit in VisitRequest.objects.filter(
        status__in=[VisitStatus.SUBMITTED, VisitStatus.IN_APPROVAL]
    ):
        approve_fully(visit)
    # a change after approval, a task assigned by a head
    tomorrow = demo_visit("南方电网设备采购中心")
    edit(tomorrow, person("sales2"), arrival_at=tomorrow.arrival_at + timedelta(minutes=30))
    office = Department.objects.get(code="office")
    task = tomorrow.prep_tasks.filter(department=office).first()
    assign_task(task=task, by=person("office_head"), assignee=person("office"))
    # today's visit: guests check in and out, the visit is closed with its summary
    today = VisitRequest.objects.filter(
        status=VisitStatus.APPROVED, arrival_at__date=timezone.localdate()
    ).first()
    desk.check_in(visit=today, by=person("frontdesk"))
    desk.check_out(visit=today, by=person("frontdesk"))
    write_part(visit=today, side=SummarySide.HR, by=person("hr"), data={"outcome": "达成合作意向"})
    waive_department_part(visit=today, by=person("hr"), reason="部门负责人出差")
    # walk-ins: one accepted, one declined
    for name, decision in (("accept", accept_walk_in), ("decline", decline_walk_in)):
        walk_in = record_walk_in(
            by=person("security"),
            company=f"星河电子 {name}",
            names="王强",
            headcount=2,
            phone="13900001111",
            wants_to_see=person("sales"),
            purpose="参观",
        )
        if name == "accept":
            decision(walk_in=walk_in, by=person("sales"))
        else:
            decision(walk_in=walk_in, by=person("sales"), reason="今天不便")
    # the applicant cancels the technical visit
    technical = demo_visit("华东精密机械有限公司")
    cancel_visit_request(visit=technical, by=person("engineer"), reason="客户改期")
    # the reminder sweep, now and on the coming days
    for days in range(0, 8):
        moment = timezone.localtime() + timedelta(days=days)
        sweep(now=moment.replace(hour=18, minute=0))


def test_every_notification_link_opens_for_its_reader(demo_company, client):
    notes = list(Notification.objects.select_related("recipient").exclude(url=""))
    kinds = {n.kind for n in notes}
    assert set(EXPECTED_KINDS) <= kinds
    broken = []
    for note in notes:
        client.force_login(note.recipient)
        status = client.get(note.url).status_code
        if status != 200:
            broken.append(f"{note.kind} → {note.recipient.username}: {note.url} {status}")
    assert not broken, "\n".join(sorted(set(broken)))
