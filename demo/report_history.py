"""Six months of past, closed visits for the reports page: varied grades, client categories
and purposes, late and timely filings, approval lead times, preparation tasks done on time
and late, visitors checked in and out, and walk-ins accepted and declined.

They are history, so they are written as rows (the services refuse an arrival in the past);
their references start with DEMO_PREFIX, which also makes loading them idempotent.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from reception.models import Client, Department, ReceptionGrade, Site, User
from reception.policy.loading import LoadReport
from visits.models import (
    PrepStatus,
    PrepTask,
    Purpose,
    Visitor,
    VisitRequest,
    VisitStatus,
    WalkIn,
    WalkInStatus,
)

DEMO_PREFIX = "JD-H-"
# (department code, task, working days' notice): a few tasks per past visit.
TASKS = [
    ("office", "安排接送车辆", 2),
    ("technology", "准备技术交流资料", 3),
    ("production", "安排车间参观路线", 1),
]
PURPOSE_SETS = [
    [Purpose.INSPECTION, Purpose.TOUR],
    [Purpose.TECHNICAL_DISCUSSION],
    [Purpose.CONTRACT_SIGNING],
    [Purpose.PRODUCT_AUDIT, Purpose.TOUR],
    [Purpose.COOPERATION],
    [Purpose.SYSTEM_AUDIT],
]
VISITOR_NAMES = ["王建国", "李秀英", "张志强", "刘晓燕", "陈光明", "杨丽华"]
HOSTS = ["gm", "deputy_gm", "marketing_head"]


@transaction.atomic
def load_closed_visits_for_reports(report: LoadReport) -> None:
    if VisitRequest.objects.filter(reference__startswith=DEMO_PREFIX).exists():
        return
    grades = list(ReceptionGrade.objects.current())
    clients = list(Client.objects.exclude(category="").order_by("pk"))
    site = Site.objects.active().first()
    if not grades or not clients or site is None:
        return
    users = {u.username: u for u in User.objects.filter(username__in=[*HOSTS, "sales", "sales2"])}
    departments = {d.code: d for d in Department.objects.filter(code__in=[t[0] for t in TASKS])}
    now = timezone.localtime().replace(second=0, microsecond=0)
    for i, days_ago in enumerate(range(6, 172, 5)):
        arrival = (now - timedelta(days=days_ago)).replace(hour=9 + i % 4, minute=30)
        notice = 1 + (i * 7) % 9  # days between submission and arrival: under 3 is late
        submitted = arrival - timedelta(days=notice, hours=3)
        grade = grades[(i * 3) % len(grades)]
        visit = VisitRequest.objects.create(
            reference=f"{DEMO_PREFIX}{i + 1:03d}",
            status=VisitStatus.CLOSED,
            applicant=users["sales" if i % 2 else "sales2"],
            site=site,
            client=clients[i % len(clients)],
            purposes=[str(p) for p in PURPOSE_SETS[i % len(PURPOSE_SETS)]],
            reason="例行业务拜访",
            proposed_grade=grade,
            final_grade=grade,
            arrival_at=arrival,
            departure_at=arrival + timedelta(hours=6),
            headcount=2,
            main_host=users[HOSTS[i % len(HOSTS)]],
            late=notice < 3,
            late_reason="客户临时通知" if notice < 3 else "",
            submitted_at=submitted,
            approved_at=submitted + timedelta(hours=2 + (i * 11) % 40),
        )
        for n in range(2):
            Visitor.objects.create(
                visit=visit,
                name=VISITOR_NAMES[(i + n) % len(VISITOR_NAMES)],
                phone=f"1390013{i:02d}{n:02d}",
                checked_in_at=arrival + timedelta(minutes=5 * n),
                checked_out_at=arrival + timedelta(hours=5, minutes=30),
            )
        for j, (code, name, notice_days) in enumerate(TASKS):
            if code not in departments:
                continue
            due = arrival.date() - timedelta(days=notice_days)
            late_by = 1 if (i + j) % 4 == 0 else 0  # one task in four done a day late
            PrepTask.objects.create(
                visit=visit,
                department=departments[code],
                name=name,
                due_date=due,
                status=PrepStatus.DONE,
                done_at=timezone.make_aware(
                    datetime.combine(due + timedelta(days=late_by), arrival.time())
                ),
            )
        report.record("created", visit)
    _walk_ins(report, now, users)


def _walk_ins(report: LoadReport, now, users) -> None:
    gate = User.objects.filter(username="security").first()
    if gate is None:
        return
    for i, days_ago in enumerate(range(9, 172, 12)):
        accepted = i % 3 != 0
        walk_in = WalkIn.objects.create(
            recorded_by=gate,
            company=f"路过拜访公司{i + 1}号",
            names="钱先生",
            phone="13800138000",
            wants_to_see=users[HOSTS[i % len(HOSTS)]],
            purpose="顺路拜访，了解产品",
            status=WalkInStatus.ACCEPTED if accepted else WalkInStatus.DECLINED,
            decided_by=users[HOSTS[i % len(HOSTS)]],
            decline_reason="" if accepted else "今日日程已满",
        )
        recorded = now - timedelta(days=days_ago, hours=2)
        WalkIn.objects.filter(pk=walk_in.pk).update(
            recorded_at=recorded, decided_at=recorded + timedelta(minutes=8)
        )
        report.record("created", walk_in)
