"""Every link in a notification lands on what it names, for its reader: the demo company is
loaded and every flow is driven (approval, returning and rejecting, regrading, escalation,
changes, task assignment, check-in and out, walk-ins, expenses, the work summary and its
follow-ups, cancelling, the reminder sweeps, export jobs); then each notification's link is
followed by its recipient, and the page it lands on must show the item: the task, the visit,
the decision card (or, for a step decided meanwhile, who decided it), the walk-in, the
follow-up, the export job.

The kinds come from the code (visits.services.notifications.Kind and the reminder kinds): a
new kind without a check here fails the suite."""

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from approvals import links
from approvals.models import ApprovalStep, Delegation, StepState
from approvals.selectors import queue_for
from approvals.services import decide, overseen_steps, sweep_steps
from approvals.views import OversightView, QueueView
from demo.organisation import load_demo_organisation
from demo.visits import load_demo_desk, load_demo_visits
from reception.accounts.roles import Role
from reception.models import Department, Notification, User
from reception.policy.loading import LoadReport
from tests.factories import approve_fully, file_visit, user_with
from visits import exports as export_files
from visits.models import (
    ExpenseCategory,
    ExpenseLine,
    ExportJob,
    ExportKind,
    FollowUpAction,
    PrepTask,
    ReminderKind,
    SummarySide,
    VisitRequest,
    VisitStatus,
    WalkIn,
)
from visits.reminders import sweep
from visits.selectors import tasks_in_reach
from visits.services import desk
from visits.services.exports import request_export, run_export_job
from visits.services.notifications import Kind
from visits.services.preparation import assign_task
from visits.services.requests import cancel_visit_request, update_visit_request
from visits.services.spending import decide_expense, expense_approvers, record_expense
from visits.services.summary import waive_department_part, write_part
from visits.services.walk_ins import (
    accept_walk_in,
    chase_unanswered,
    decline_walk_in,
    record_walk_in,
)
from visits.views.preparation import TaskBoardView

pytestmark = pytest.mark.django_db


def every_kind() -> set[str]:
    """Every kind of notification the code writes."""
    return set(Kind.values) | {Kind.for_reminder(kind) for kind in ReminderKind.values}


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
    now = timezone.localtime()
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
    # today's visit: guests check in and out, the visit is closed with its summary, which
    # gives the applicant a follow-up; an expense over the standard is entered and decided
    today = VisitRequest.objects.filter(
        status=VisitStatus.APPROVED, arrival_at__date=timezone.localdate()
    ).first()
    desk.check_in(visit=today, by=person("frontdesk"))
    desk.check_out(visit=today, by=person("frontdesk"))
    write_part(
        visit=today,
        side=SummarySide.HR,
        by=person("hr"),
        data={"outcome": "达成合作意向"},
        follow_ups=[
            {
                "description": "寄送样品和报价单",
                "owner": person("sales"),
                "due_on": timezone.localdate() + timedelta(days=2),
            }
        ],
    )
    waive_department_part(visit=today, by=person("hr"), reason="部门负责人出差")
    line = record_expense(
        visit=today,
        by=person("receptionist"),
        data={
            "category": ExpenseCategory.WINE,
            "quantity": 1,
            "amount": Decimal("5000"),
            "justification": "客户指定酒款",
        },
    )
    decide_expense(line=line, by=expense_approvers(today)[0], approve=True, note="同意")
    # walk-ins: one accepted, one declined, one nobody answers
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
    record_walk_in(
        by=person("security"),
        company="星河电子 waiting",
        names="赵六",
        headcount=1,
        phone="13900002222",
        wants_to_see=person("engineer"),
        purpose="送货",
    )
    chase_unanswered(now=timezone.now() + timedelta(hours=2))
    # the applicant cancels the technical visit
    technical = demo_visit("华东精密机械有限公司")
    cancel_visit_request(visit=technical, by=person("engineer"), reason="客户改期")
    # three new requests: one returned, one rejected, one nobody decides (reminded, then
    # escalated by the approvals sweep, and warned about by the reminders)
    arrival = (now + timedelta(days=4)).replace(hour=10, minute=0, second=0, microsecond=0)
    fresh = [
        file_visit(
            person("sales"),
            grades["routine"],
            arrival_at=arrival + timedelta(hours=n),
            departure_at=arrival + timedelta(hours=n + 4),
            late_reason="客户临时通知",
        )
        for n in range(3)
    ]
    for visit, decision in zip(fresh, (StepState.RETURNED, StepState.REJECTED), strict=False):
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=person("marketing"), decision=decision, comment="请补充来访目的")
    sweep_steps(now=timezone.now() + timedelta(days=14))
    # the reminder sweep, now and on the coming days
    for days in range(0, 8):
        moment = timezone.localtime() + timedelta(days=days)
        sweep(now=moment.replace(hour=18, minute=0))
    # exports written as jobs: the front desk's visitor log is ready, the visit list fails (its
    # task runs here, the disk full; the one sent after commit finds it already done)
    with override_settings(EXPORT_JOB_THRESHOLD_ROWS=0):
        request_export(by=person("frontdesk"), kind=ExportKind.VISITOR_LOG, fmt="xlsx", params={})
        failing = request_export(
            by=person("receptionist"), kind=ExportKind.VISIT_LIST, fmt="csv", params={}
        ).job
    with mock.patch.object(export_files, "write", side_effect=OSError("disk full")):
        run_export_job(job_id=failing.pk)


# ---- what each kind names, and how its landing page shows it ------------------------------


def text_of(note) -> str:
    return f"{note.title}\n{note.body}"


def named_visit(note) -> VisitRequest:
    text = text_of(note)
    found = [v for v in VisitRequest.objects.exclude(reference=None) if v.reference in text] or [
        v for v in VisitRequest.objects.select_related("client") if v.client.name in text
    ]
    assert len(found) == 1, f"{note.kind}: names {len(found)} visits: {note.title}"
    return found[0]


def lands_on(page, name, **kwargs) -> None:
    match = page.resolver_match
    assert (match.view_name, match.kwargs) == (name, kwargs), (
        f"lands on {match.view_name} {match.kwargs}, not {name} {kwargs}"
    )


def shows(page, html_id) -> None:
    found = f'id="{html_id}"' in page.content.decode()
    where = f"{page.request['PATH_INFO']}?{page.request['QUERY_STRING']}"
    assert found, f"#{html_id} is not on {where}"


def check_visit(note, page, reader) -> None:
    """The visit's page (or the desk's page of it) with its reference."""
    visit = named_visit(note)
    name = page.resolver_match.view_name
    assert name in ("visits:detail", "visits:desk"), f"lands on {name}"
    lands_on(page, name, pk=visit.pk)
    assert visit.reference in page.content.decode()


def check_step(note, page, reader) -> None:
    """The decision card while the step waits for the reader (in the queue, or on the
    oversight page for an administrator); else the visit, saying what became of the step."""
    step = ApprovalStep.objects.get(pk=re.search(r"/approvals/steps/(\d+)/", note.url)[1])
    assert step.subject == named_visit(note)
    name = page.resolver_match.view_name
    if name in ("approvals:queue", "approvals:oversight"):
        assert step.state == StepState.PENDING
        shows(page, f"step-{step.pk}")
        return
    lands_on(page, "visits:detail", pk=step.subject_id)
    assert not queue_for(reader).filter(pk=step.pk).exists(), "waits for them, yet no card"
    with translation.override(reader.preferred_language):
        status = links.step_status(step, reader)
    assert escape(status) in page.content.decode(), f"the page does not say “{status}”"


def named_tasks(note, reader) -> list[PrepTask]:
    visit = named_visit(note)
    with translation.override(reader.preferred_language):
        return [t for t in visit.prep_tasks.all() if t.label in note.body + note.title]


def check_tasks(note, page, reader) -> None:
    """Every task named that is still the reader's (or their departments'), on the page."""
    tasks = named_tasks(note, reader)
    assert tasks, f"{note.kind}: names no task: {note.body}"
    assert page.resolver_match.view_name in ("visits:tasks", "visits:my_tasks")
    reach = set(tasks_in_reach(reader).values_list("pk", flat=True))
    theirs = [t for t in tasks if t.pk in reach]
    if not theirs:  # given to someone else since: the page says so
        assert "visit-tasks" in page.content.decode()
    for task in theirs:
        shows(page, f"task-{task.pk}")


def check_walk_in(note, page, reader) -> None:
    name = page.resolver_match.view_name
    if name == "visits:desk":  # accepted: check them in now
        return check_visit(note, page, reader)
    walk_in = WalkIn.objects.get(company=re.search(r"星河电子 \w+", note.title)[0])
    lands_on(page, "visits:walk_in", pk=walk_in.pk)
    assert walk_in.company in page.content.decode()


def check_expense(note, page, reader) -> None:
    visit = named_visit(note)
    lands_on(page, "visits:expenses", pk=visit.pk)
    line = ExpenseLine.objects.get(visit=visit, amount=Decimal("5000"))
    assert f"{line.amount:,}" in page.content.decode() or str(line.amount) in page.content.decode()


def check_follow_up(note, page, reader) -> None:
    action = FollowUpAction.objects.get(owner=reader, description__in=[note.body.split("\n")[0]])
    lands_on(page, "visits:my_tasks")
    shows(page, f"follow-up-{action.pk}")


def check_arrivals(note, page, reader) -> None:
    lands_on(page, "visits:board")
    day = re.search(r"\d{4}-\d{2}-\d{2}", note.title)[0]
    listed = VisitRequest.objects.filter(
        reference__in=re.findall(r"[A-Z]+-\d{4}-\d+", note.body)
    ).values_list("reference", flat=True)
    assert listed, note.body
    content = page.content.decode()
    assert day in content
    for reference in listed:
        assert reference in content, f"{reference} is not on the board of {day}"


def check_export(note, page, reader) -> None:
    """The export job's own page, its card there; the job is the reader's."""
    job = ExportJob.objects.get(pk=re.search(r"/exports/(\d+)/", note.url)[1])
    assert job.owner == reader
    lands_on(page, "visits:export_job", pk=job.pk)
    shows(page, f"export-{job.pk}")


def nothing_to_open(note, reader) -> None:
    """A notification without a link: only HR's work-summary reminder of a visit whose guests
    were never checked out (HR opens visits once they are over: the link would be a 404; the
    sweep runs on days to come here, and nobody checks those guests out)."""
    assert note.kind == Kind.for_reminder(ReminderKind.WORK_SUMMARY), "no link"
    assert reader.has_perm("visits.add_visitsummary")
    assert named_visit(note).status not in (VisitStatus.COMPLETED, VisitStatus.CLOSED)


CHECKS = {
    Kind.APPROVAL_WAITING: check_step,
    Kind.APPROVAL_ESCALATED: check_step,
    Kind.APPROVAL_OVERDUE: check_step,
    Kind.STEP_APPROVED: check_visit,
    Kind.STEP_RETURNED: check_visit,
    Kind.STEP_REJECTED: check_visit,
    Kind.VISIT_APPROVED: check_visit,
    Kind.VISIT_CANCELLED: check_visit,
    Kind.VISIT_CHANGED: check_visit,
    Kind.VISIT_CLOSED: check_visit,
    Kind.GUESTS_ARRIVED: check_visit,
    Kind.WALK_IN: check_walk_in,
    Kind.WALK_IN_DECIDED: check_walk_in,
    Kind.WALK_IN_UNANSWERED: check_walk_in,
    Kind.TASKS: check_tasks,
    Kind.TASK_ASSIGNED: check_tasks,
    Kind.EXPENSE_APPROVAL: check_expense,
    Kind.EXPENSE_DECIDED: check_expense,
    Kind.FOLLOW_UP: check_follow_up,
    Kind.EXPORT_READY: check_export,
    Kind.EXPORT_FAILED: check_export,
    Kind.for_reminder(ReminderKind.NOT_APPROVED): check_visit,
    Kind.for_reminder(ReminderKind.VISITOR_INFORMATION): check_visit,
    Kind.for_reminder(ReminderKind.OPEN_TASKS): check_tasks,
    Kind.for_reminder(ReminderKind.ARRIVALS_TODAY): check_arrivals,
    Kind.for_reminder(ReminderKind.TASK_OVERDUE): check_tasks,
    Kind.for_reminder(ReminderKind.WORK_SUMMARY): check_visit,
    Kind.for_reminder(ReminderKind.FOLLOW_UP_DUE): check_follow_up,
}


def test_every_kind_of_notification_has_a_check():
    assert set(CHECKS) == every_kind(), "say where a new kind's link lands, and check it"


# The kinds whose link lands on a list that runs to pages (the department page, "My tasks",
# the queue, the oversight page): followed again once those lists are long.
ON_LISTS = {
    Kind.APPROVAL_WAITING,
    Kind.APPROVAL_ESCALATED,
    Kind.APPROVAL_OVERDUE,
    Kind.TASKS,
    Kind.TASK_ASSIGNED,
    Kind.for_reminder(ReminderKind.OPEN_TASKS),
    Kind.for_reminder(ReminderKind.TASK_OVERDUE),
}


def follow(client, notes) -> list[str]:
    """Each notification's link, followed by its recipient (through the home page's and the
    bell's "open"): what did not land on its item. A page is read once per reader and link."""
    broken, pages = [], {}
    for note in notes:
        reader = note.recipient
        where = f"{note.kind} → {reader.username}: {note.url} ({note.title})"
        key = (reader.pk, note.url)
        if key not in pages:
            client.force_login(reader)
            pages[key] = client.get(reverse("notification_open", args=[note.pk]), follow=True)
        page = pages[key]
        if page.status_code != 200:
            broken.append(f"{where}: {page.status_code}")
            continue
        try:
            if note.url:
                CHECKS[note.kind](note, page, reader)
            else:
                nothing_to_open(note, reader)
        except AssertionError as error:
            broken.append(f"{where}: {error}")
    return broken


def crowd_the_lists():
    """Every department's page runs to several pages before the tasks the notifications name
    (overdue tasks of another live visit are listed first)."""
    visit = VisitRequest.objects.filter(status=VisitStatus.APPROVED).earliest("arrival_at")
    for department in Department.objects.all():
        overdue_tasks_for(department, visit, TaskBoardView.PAGE_SIZE + 5)


def test_every_notification_lands_on_its_item_for_its_reader(demo_company, client, monkeypatch):
    notes = list(Notification.objects.select_related("recipient").order_by("pk"))
    assert {n.kind for n in notes} == every_kind(), "drive every kind above"
    broken = follow(client, notes)
    assert not broken, "\n".join(broken)
    # Again where the lists run to several pages: the departments' pages hold more tasks than
    # a page before the ones named, the queue and the oversight page show a card a page. The
    # latest notification of each kind for each reader.
    crowd_the_lists()
    monkeypatch.setattr(QueueView, "paginate_by", 1)
    monkeypatch.setattr(OversightView, "paginate_by", 1)
    latest = {(n.kind, n.recipient_id): n for n in notes if n.kind in ON_LISTS}
    broken = follow(client, latest.values())
    assert not broken, "\n".join(broken)


# ---- at a real page size: a department longer than a page, a queue longer than a page ------


@pytest.fixture
def office_member(four_tier):
    member = user_with(Role.DEPARTMENT_MEMBER, username="office_m", full_name="孙丽")
    Department.objects.get(code="office").memberships.create(user=member)
    return member


def overdue_tasks_for(department, visit, count):
    PrepTask.objects.bulk_create(
        PrepTask(
            visit=visit,
            department=department,
            name=f"补充准备事项 {n}",
            due_date=timezone.localdate() - timedelta(days=1),
        )
        for n in range(count)
    )


def test_a_re_check_link_opens_the_flagged_tasks_of_a_department_longer_than_a_page(
    four_tier, sales, office_member, login
):
    office = Department.objects.get(code="office")
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    sooner = approve_fully(file_visit(sales, four_tier["routine"]))
    overdue_tasks_for(office, sooner, TaskBoardView.PAGE_SIZE + 5)  # listed first
    edit(visit, sales, headcount=5)
    flagged = set(visit.prep_tasks.filter(department=office, needs_recheck=True).values_list("pk"))
    assert flagged
    browser = login(office_member)
    first_page = browser.get(reverse("visits:tasks")).content.decode()
    assert not any(f'id="task-{pk}"' in first_page for (pk,) in flagged)  # the old link
    note = office_member.notifications.get(kind=Kind.TASKS, title__contains="re-check")
    page = browser.get(note.url)
    for (pk,) in flagged:
        shows(page, f"task-{pk}")
    assert visit.reference in page.content.decode()
    # the "new preparation tasks" notice: every office task of the visit
    new = office_member.notifications.get(
        kind=Kind.TASKS, title=f"{visit.reference}: new preparation tasks"
    )
    page = browser.get(new.url)
    for task in visit.prep_tasks.filter(department=office):
        shows(page, f"task-{task.pk}")


def test_a_waiting_link_opens_its_card_in_a_queue_longer_than_a_page(
    four_tier, sales, staff, login
):
    start = timezone.now() + timedelta(days=10)
    visits = [
        file_visit(
            sales,
            four_tier["routine"],
            arrival_at=start + timedelta(days=n),
            departure_at=start + timedelta(days=n, hours=4),
        )
        for n in range(QueueView.paginate_by + 1)
    ]
    last = visits[-1]  # the latest arrival: the queue's second page
    step = last.approval_steps.get(state=StepState.PENDING)
    browser = login(staff.marketing)
    assert f'id="step-{step.pk}"' not in browser.get(reverse("approvals:queue")).content.decode()
    note = staff.marketing.notifications.get(
        kind=Kind.APPROVAL_WAITING, title__contains=last.reference
    )
    page = browser.get(note.url, follow=True)
    lands_on(page, "approvals:queue")
    shows(page, f"step-{step.pk}")
    shows(page, "focused-step")


# ---- a step decided meanwhile: who decided it, for whom, when --------------------------------


def advance_to(visit, role):
    while (step := visit.approval_steps.get(state=StepState.PENDING)).role.name != role:
        by = next(u for u in User.objects.filter(groups=step.role) if u != visit.applicant)
        decide(step=step, by=by, decision=StepState.APPROVED)
    return step


def test_a_waiting_link_of_a_step_a_delegate_decided_says_who_for_whom_and_when(
    four_tier, sales, staff, login
):
    today = timezone.localdate()
    Delegation.objects.create(
        approver=staff.gm, delegate=staff.deputy_gm, starts_on=today, ends_on=today
    )
    visit = file_visit(sales, four_tier["vip"])
    step = advance_to(visit, Role.GENERAL_MANAGER)
    note = staff.gm.notifications.get(kind=Kind.APPROVAL_WAITING, url=links.step_link(step))
    decide(step=step, by=staff.deputy_gm, decision=StepState.APPROVED)
    step.refresh_from_db()
    page = login(staff.gm).get(note.url, follow=True)
    lands_on(page, "visits:detail", pk=visit.pk)
    when = timezone.localtime(step.decided_at).strftime("%m-%d %H:%M")
    assert (
        f"was already decided (Approved) by 杨军 on behalf of 赵敏 at {when}"
        in page.content.decode()
    )
    staff.gm.language = "zh-hans"
    staff.gm.save()
    page = login(staff.gm).get(note.url, follow=True)
    assert f"已由杨军代赵敏于{when}审批" in page.content.decode()
    # the delegate, following the same notice, reads that they decided it themselves
    delegate_note = staff.deputy_gm.notifications.get(kind=Kind.APPROVAL_WAITING)
    page = login(staff.deputy_gm).get(delegate_note.url, follow=True)
    assert (
        f"You already decided “{step.label}” of {visit.reference} (Approved) on behalf of 赵敏"
        in page.content.decode()
    )


def test_a_waiting_link_of_a_step_another_approver_decided_names_them(
    four_tier, sales, staff, login
):
    other = user_with(Role.MARKETING, username="mkt2", full_name="周敏")
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    decide(step=step, by=other, decision=StepState.APPROVED)
    note = staff.marketing.notifications.get(kind=Kind.APPROVAL_WAITING)
    page = login(staff.marketing).get(note.url, follow=True)
    lands_on(page, "visits:detail", pk=visit.pk)
    assert "was already decided (Approved) by 周敏 at" in page.content.decode()


def test_a_step_link_tells_nothing_to_someone_it_never_concerned(four_tier, sales, login):
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    stranger = user_with(Role.FRONT_DESK)
    assert login(stranger).get(links.step_link(step)).status_code == 404
    assert login(stranger).get(reverse("approvals:step", args=[10**9])).status_code == 404


def test_an_escalated_link_sends_an_administrator_to_the_oversight_card(
    four_tier, sales, staff, login
):
    admin = user_with(Role.ADMINISTRATOR, username="admin_x")
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    sweep_steps(now=timezone.now() + timedelta(days=14))
    assert overseen_steps().filter(pk=step.pk).exists()
    page = login(admin).get(links.step_link(step), follow=True)
    assert page.resolver_match.view_name in ("approvals:oversight", "approvals:queue")
    shows(page, f"step-{step.pk}")


# ---- one task's link, wherever the task is now ---------------------------------------------


def test_a_task_link_follows_the_task_to_whoever_holds_it(four_tier, sales, office_member, login):
    head = user_with(Role.DEPARTMENT_HEAD, username="office_h")
    office = Department.objects.get(code="office")
    office.head = head
    office.save()
    visit = approve_fully(file_visit(sales, four_tier["vip"]))
    task = visit.prep_tasks.filter(department=office, assignee=None).first()
    assign_task(task=task, by=head, assignee=office_member)
    note = office_member.notifications.get(kind=Kind.TASK_ASSIGNED)
    browser = login(office_member)
    page = browser.get(note.url, follow=True)
    lands_on(page, "visits:my_tasks")
    shows(page, f"task-{task.pk}")
    assign_task(task=task, by=head, assignee=None)  # back to the department
    page = browser.get(note.url, follow=True)
    lands_on(page, "visits:tasks")
    shows(page, f"task-{task.pk}")
    office.memberships.filter(user=office_member).delete()  # she left the office
    page = browser.get(note.url, follow=True)
    lands_on(page, "visits:my_tasks")
    assert "no longer yours" in page.content.decode()


# ---- the home page's unread notifications ----------------------------------------------------


def test_an_unread_notification_on_the_home_page_opens_its_target_and_is_read(
    four_tier, sales, staff, login
):
    visit = file_visit(sales, four_tier["routine"])
    note = staff.marketing.notifications.get()
    browser = login(staff.marketing)
    (section,) = [
        s for s in browser.get(reverse("home")).context["work"] if s.key == "notifications"
    ]
    (row,) = section.rows
    assert row.url == reverse("notification_open", args=[note.pk])
    response = browser.get(row.url)
    assert response.status_code == 302 and response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    page = browser.get(note.url, follow=True)
    shows(page, f"step-{visit.approval_steps.get(state=StepState.PENDING).pk}")
    assert not [s for s in browser.get(reverse("home")).context["work"] if s.key == "notifications"]


def test_a_waiting_link_of_a_step_decided_after_escalation_says_so(four_tier, sales, staff, login):
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    step.escalated_to = Group.objects.get(name=Role.MARKETING_HEAD)
    step.save(update_fields=["escalated_to"])
    decide(step=step, by=staff.marketing_head, decision=StepState.APPROVED)
    note = staff.marketing.notifications.get(kind=Kind.APPROVAL_WAITING)
    page = login(staff.marketing).get(note.url, follow=True)
    lands_on(page, "visits:detail", pk=visit.pk)
    assert "was already decided (Approved) by 陈静 (Marketing head, after escalation) at" in (
        page.content.decode()
    )
