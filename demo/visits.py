"""Demo visit requests in several states, filed and decided through the services."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from reception.models import Client, Department, ReceptionGrade, ReceptionPolicy, Site, User
from reception.policy.loading import LoadReport
from visits.models import (
    Arrival,
    ArrivalKind,
    ArrivalMode,
    ExpenseApprovalState,
    ExpenseCategory,
    ExpenseLine,
    FollowUpAction,
    GuestKind,
    Invitation,
    LobbyKiosk,
    PrepStatus,
    SummarySide,
    Visitor,
    VisitRequest,
    VisitStatus,
    VisitSummary,
    WelcomeDisplay,
)
from visits.services.arrivals import record_arrival
from visits.services.estimate import grade_standard
from visits.services.invitations import live_invitation, send_invitation
from visits.services.preparation import complete_task
from visits.services.requests import file_visit_request
from visits.services.spending import allowed_amount, expense_approvers

from .sites import load_demo_sites, load_site_displays

# Working hours for the demo's "today" visit: it arrives on a round hour in this window.
DAY_STARTS, LAST_ARRIVAL, DAY_ENDS = 9, 17, 18


def _at(days: int, hour: int, minute: int = 0):
    moment = timezone.localtime() + timedelta(days=days)
    return moment.replace(hour=hour, minute=minute, second=0, microsecond=0)


def today_arrival(now=None):
    """The next round hour between 09:00 and 17:00 today, or tomorrow 10:00 when it is later
    than that: a demo loaded at night still shows a visit at a sensible time."""
    now = timezone.localtime(now)
    next_hour = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if next_hour.date() == now.date() and next_hour.hour <= LAST_ARRIVAL:
        return next_hour.replace(hour=max(next_hour.hour, DAY_STARTS))
    return (now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)


def _departure(arrival, hours: int):
    """`hours` after arrival, cut at the end of the working day (but at least two hours)."""
    day_end = arrival.replace(hour=DAY_ENDS, minute=0)
    return max(arrival + timedelta(hours=2), min(arrival + timedelta(hours=hours), day_end))


def _one_overdue_example(visit) -> None:
    """The demo's one deliberate overdue task, so the overdue marks have something to show:
    an open task of the "today" visit, due the day before."""
    task = visit.prep_tasks.filter(status=PrepStatus.OPEN).order_by("pk").first()
    if task is not None:
        task.due_date = timezone.localdate() - timedelta(days=1)
        task.save(update_fields=["due_date", "updated_at"])


def _decide_next(visit, username, decision=StepState.APPROVED, comment="", grade=None):
    step = visit.approval_steps.get(state=StepState.PENDING)
    decide(
        step=step,
        by=User.objects.get(username=username),
        decision=decision,
        comment=comment,
        grade=grade,
    )


DEMO_VISITS: list[dict[str, Any]] = [
    {
        "key": "vip",
        "applicant": "sales",
        "client": "远航汽车零部件集团",
        "grade": "vip",
        "days": 7,
        "hours": (9, 30, 32),
        "purposes": ["inspection", "contract_signing"],
        "reason": "考察新生产线并签订年度采购框架协议",
        "services": ["car", "guided_tour", "fruit", "welcome_banner", "invite_leader"],
        "banner_text": "热烈欢迎远航汽车零部件集团领导莅临指导",
        "arrival_mode": ArrivalMode.AIRPORT,
        "arrival_point": "上海浦东机场 T2,MU5101 09:30 落地",
        "visitors": [
            ("孙立群", "采购副总裁", "13900139002"),
            ("赵晓彤", "供应商质量经理", "13900139003"),
            ("Peter Lee", "Engineering Manager", "+86 21 5555 0101"),
        ],
        "meals": 3,
        "meal_staff": 4,
        "rooms": 3,
        "nights": 1,
        "meeting_room": "一号会议室",
        "decisions": [],
    },
    {
        "key": "guest-tomorrow",
        "applicant": "sales",
        "client": "北辰新能源科技有限公司",
        "grade": "guest",
        "days": 1,
        "hours": (10, 0, 8),
        "purposes": ["tour", "cooperation"],
        "reason": "参观工厂，洽谈储能柜配套合作",
        "services": ["car", "guided_tour", "fruit", "welcome_banner"],
        "banner_text": "热烈欢迎北辰新能源科技有限公司莅临参观",
        "arrival_mode": ArrivalMode.STATION,
        "arrival_point": "虹桥站 G7012 09:15 到达",
        "departure_point": "虹桥站 G7015 19:05 发车",
        "visitors": [
            ("周敏", "总经理", "13700137004"),
            ("钱多多", "采购总监", "13700137005"),
            ("孙工", "储能产品经理", "13700137006"),
        ],
        "meals": 1,
        "meal_staff": 3,
        "rooms": 0,
        "nights": 0,
        "meeting_room": "二号会议室",
        "late_reason": "客户临时确认行程",
        "decisions": [("marketing", None), ("deputy_gm", None), ("director", None)],
        "done_tasks": {
            "office": ["office-car", "office-meeting-room"],
            "logistics_head": ["logistics-cleaning"],
        },
    },
    {
        "key": "today",
        "applicant": "sales2",
        "client": "南方电网设备采购中心",
        "grade": "business",
        "days": 0,
        "hours": None,
        "purposes": ["inspection"],
        "reason": "供应商年度考察",
        "services": ["welcome_banner", "fruit"],
        "banner_text": "热烈欢迎南方电网设备采购中心领导莅临考察",
        "arrival_mode": "self_drive",
        "arrival_point": "",
        "visitors": [
            ("陈国华", "采购主管", "13500135006"),
            ("林小雨", "质量工程师", "13500135007"),
        ],
        "meals": 1,
        "meal_staff": 2,
        "rooms": 0,
        "nights": 0,
        "meeting_room": "三号会议室",
        "late_reason": "年度考察临时提前",
        "decisions": [("marketing", None), ("deputy_gm", None), ("director", None)],
        "overdue_example": True,
    },
    {
        # the plant's visit today: the Suzhou front desk sees it, the Shanghai one does not
        "key": "plant-today",
        "site": "suzhou",
        "applicant": "sales",
        "client": "德森工业自动化(苏州)有限公司",
        "grade": "business",
        "days": 0,
        "hours": None,
        "purposes": ["tour", "technical_discussion"],
        "reason": "参观苏州工厂装配线，交流自动化改造方案",
        "services": ["welcome_banner", "guided_tour"],
        "banner_text": "热烈欢迎德森工业自动化莅临苏州工厂",
        "arrival_mode": "self_drive",
        "arrival_point": "",
        "visitors": [
            ("Klaus Weber", "Managing Director", "+49 30 1234567"),
            ("顾明", "项目经理", "13400134008"),
        ],
        "meals": 1,
        "meal_staff": 2,
        "rooms": 0,
        "nights": 0,
        "meeting_room": "二号楼接待室",
        "late_reason": "客户在苏州出差，临时约见",
        "decisions": [("marketing", None), ("deputy_gm", None), ("director", None)],
    },
    {
        "key": "technical",
        "applicant": "engineer",
        "client": "华东精密机械有限公司",
        "grade": "business",
        "days": 5,
        "hours": (13, 30, 5),
        "purposes": ["technical_discussion", "product_audit"],
        "reason": "新型号减速机技术评审及产品审核",
        "services": ["guided_tour"],
        "arrival_mode": "self_drive",
        "arrival_point": "",
        "visitors": [("钱志远", "技术总监", "13800138001"), ("李工", "质量工程师", "13800138009")],
        "meals": 1,
        "meal_staff": 2,
        "rooms": 0,
        "nights": 0,
        "meeting_room": "技术部会议室",
        "decisions": [("marketing", None)],
    },
    {
        # a government inspection, filed by the office: no quotation or component tasks
        "key": "government",
        "applicant": "office",
        "client": "市市场监督管理局",
        "guest_kind": "government",
        "grade": "guest",
        "days": 4,
        "hours": (9, 0, 4),
        "purposes": ["inspection", "tour"],
        "reason": "产品质量监督检查及安全生产调研",
        "services": ["guided_tour", "welcome_banner"],
        "banner_text": "热烈欢迎市市场监督管理局领导莅临指导",
        "arrival_mode": "self_drive",
        "arrival_point": "",
        "visitors": [("郑科长", "质量监督科科长", "13100131001"), ("许明", "科员", "13100131002")],
        "meals": 1,
        "meal_staff": 2,
        "rooms": 0,
        "nights": 0,
        "meeting_room": "一号会议室",
        "decisions": [("marketing", None), ("deputy_gm", None), ("director", None)],
    },
    {
        "key": "draft",
        "applicant": "sales2",
        "client": "青禾智能装备有限公司",
        "grade": "routine",
        "days": 12,
        "hours": (14, 0, 3),
        "purposes": ["drop_by"],
        "reason": "顺访，了解我司产品线",
        "services": [],
        "arrival_mode": "self_drive",
        "arrival_point": "",
        "visitors": [("吴凡", "采购经理", "13600136005")],
        "meals": 0,
        "meal_staff": 0,
        "rooms": 0,
        "nights": 0,
        "meeting_room": "",
        "submit": False,
        "decisions": [],
    },
]


def load_demo_desk(report: LoadReport) -> WelcomeDisplay:
    """A lobby display, and the marketing assistant who hears about walk-ins. (Where approval
    steps escalate is the chain steps' policy: approvals.rulebooks.)"""
    display = load_site_displays(report)
    policy = ReceptionPolicy.get()
    if not policy.company_name:  # the documents' masthead; a company sets its own
        policy.company_name = "江南精工机械股份有限公司"
        policy.company_name_en = policy.company_name_en or "Jiangnan Precision Works Co., Ltd."
        policy.save(update_fields=["company_name", "company_name_en"])
        report.record("updated", policy)
    if policy.walk_in_contact_id is None:
        policy.walk_in_contact = User.objects.get(username="marketing")
        policy.save(update_fields=["walk_in_contact"])
        report.record("updated", policy)
    return display


def load_demo_gate(report: LoadReport) -> None:
    """Two arrivals at the first site's gate today, as the gate records them: a delivery for
    the logistics department and a job candidate for HR (docs/gate.md). Once only."""
    if Arrival.objects.exists():
        return
    site = Site.objects.active().first()
    guard = User.objects.filter(username="security").first()
    logistics = Department.objects.filter(code="logistics").first()
    if site is None or guard is None:
        return
    delivery = ArrivalKind.objects.filter(code="delivery", is_active=True).first()
    if delivery is not None and logistics is not None:
        report.record(
            "created",
            record_arrival(
                by=guard,
                site=site,
                kind=delivery,
                name="陈师傅",
                phone="13912345678",
                company="苏州恒泰物流有限公司",
                department=logistics,
                details={
                    "carrier": "恒泰物流",
                    "plate": "苏E·8A123",
                    "goods": "钢材二十件，送货对账",
                },
            ),
        )
    interview = ArrivalKind.objects.filter(code="interview", is_active=True).first()
    hr = User.objects.filter(username="hr").first()
    if interview is not None and hr is not None:
        report.record(
            "created",
            record_arrival(
                by=guard,
                site=site,
                kind=interview,
                name="林晓",
                phone="13787654321",
                host=hr,
                details={"position": "质量工程师"},
            ),
        )


def load_demo_guest_side(report: LoadReport) -> tuple[Invitation | None, LobbyKiosk]:
    """The guest-grade visit's invitation (sent by its applicant, as the product does) and a
    lobby kiosk at the first site, for the summary's links."""
    kiosk = LobbyKiosk.objects.order_by("pk").first()
    if kiosk is None:
        site = Site.objects.active().first() or Site.objects.get()
        kiosk = LobbyKiosk.objects.create(name="大堂自助签到", site=site)
        report.record("created", kiosk)
    visit = (
        VisitRequest.objects.filter(
            final_grade__code="guest", status__in=[VisitStatus.APPROVED, VisitStatus.IN_PROGRESS]
        )
        .order_by("arrival_at")
        .first()
    )
    if visit is None:
        return None, kiosk
    invitation = live_invitation(visit)
    if invitation is None:
        contact = visit.contacts.first()
        invitation = send_invitation(
            visit=visit,
            by=visit.applicant,
            email=(contact.email if contact else "") or "guest@example.com",
            contact=contact,
        )
        report.record("created", invitation)
    return invitation, kiosk


@transaction.atomic
def load_demo_visits(report: LoadReport) -> None:
    load_demo_sites(report)  # the visits are for the two sites (it changes nothing twice)
    scheme_grades = {g.code: g for g in ReceptionGrade.objects.current()}
    for spec in DEMO_VISITS:
        applicant = User.objects.get(username=spec["applicant"])
        client = Client.objects.get(name=spec["client"])
        if VisitRequest.objects.filter(applicant=applicant, client=client).exists():
            continue
        grade = scheme_grades.get(spec["grade"]) or next(iter(scheme_grades.values()))
        if spec["hours"] is None:  # "today": in working hours (see today_arrival)
            arrival, length = today_arrival(), 4
            departure = _departure(arrival, length)
        else:
            hour, minute, length = spec["hours"]
            arrival = _at(spec["days"], hour, minute)
            departure = arrival + timedelta(hours=length)
        data = {
            **({"site": Site.objects.get(code=spec["site"])} if "site" in spec else {}),
            "client": client,
            "contacts": list(client.contacts.all()[:1]),
            "origin": "invited",
            "guest_kind": spec.get("guest_kind", GuestKind.COMMERCIAL),
            "proposed_grade": grade,
            "arrival_at": arrival,
            "departure_at": departure,
            **{
                k: spec[k]
                for k in (
                    "purposes",
                    "reason",
                    "services",
                    "arrival_mode",
                    "arrival_point",
                    "meals",
                    "meal_staff",
                    "rooms",
                    "nights",
                    "meeting_room",
                )
            },
            "banner_text": spec.get("banner_text", ""),
            "departure_point": spec.get("departure_point", ""),
            "late_reason": spec.get("late_reason", ""),
            "headcount": len(spec["visitors"]),
        }
        visitors = [{"name": n, "title": t, "phone": p} for n, t, p in spec["visitors"]]
        visit = file_visit_request(
            applicant=applicant, data=data, visitors=visitors, submit=spec.get("submit", True)
        )
        for username, decided_grade in spec["decisions"]:
            _decide_next(visit, username, grade=decided_grade)
        for username, codes in spec.get("done_tasks", {}).items():
            user = User.objects.get(username=username)
            for task in visit.prep_tasks.filter(template__code__in=codes):
                complete_task(task=task, by=user, note="已安排")
        if spec.get("overdue_example"):
            _one_overdue_example(visit)
        report.record("created", visit)


# ---- six months of closed visits: summaries and spending (for the reports) ----------------

HISTORY_CLIENTS = [
    "远航汽车零部件集团",
    "华东精密机械有限公司",
    "北辰新能源科技有限公司",
    "德森工业自动化(苏州)有限公司",
    "南方电网设备采购中心",
    "青禾智能装备有限公司",
]
HISTORY_GRADES = ["vip", "guest", "business", "routine"]
HISTORY_APPLICANTS = ["sales", "sales2", "engineer"]
# Per visit, how far each line lands from the standard: 0.8 well within, 1.25 over.
HISTORY_FACTORS = [0.8, 0.95, 1.25, 0.9, 1.1, 0.85]


def _spend(standard, factor: float) -> Decimal:
    return (standard * Decimal(str(factor))).quantize(Decimal("0.01"))


@transaction.atomic
def load_closed_visits_with_spending(report: LoadReport, months: int = 6) -> None:
    """Two closed visits a month over the last `months` months, each with both parts of its
    work summary and expense lines (some over the standard: approved, rejected or pending).

    Past visits cannot go through the filing and desk services (they refuse past dates), so
    they are written as they would stand after closing; references start with JD-H."""
    if VisitRequest.objects.filter(
        reference__regex=r"^JD-H\d"
    ).exists():  # JD-H-…: reports' history
        return
    grades = {g.code: g for g in ReceptionGrade.objects.current()}
    users = {u.username: u for u in User.objects.all()}
    receptionist, hr, head = users["receptionist"], users["hr"], users["marketing_head"]
    site = Site.objects.active().first()
    n = 0
    for month in range(months, 0, -1):
        for half in (0, 1):
            n += 1
            arrival = _at(-(month * 30) + half * 14, 9, 30)
            grade = grades.get(HISTORY_GRADES[n % len(HISTORY_GRADES)]) or next(
                iter(grades.values())
            )
            client = Client.objects.get(name=HISTORY_CLIENTS[n % len(HISTORY_CLIENTS)])
            headcount, staff = 2 + n % 4, 2
            visit = VisitRequest.objects.create(
                reference=f"JD-H{timezone.localdate().year}-{n:03d}",
                status=VisitStatus.CLOSED,
                applicant=users[HISTORY_APPLICANTS[n % len(HISTORY_APPLICANTS)]],
                site=site,
                client=client,
                origin="invited",
                guest_kind=GuestKind.COMMERCIAL,
                purposes=["inspection", "technical_discussion"] if n % 2 else ["tour"],
                reason="年度业务回顾与产线考察",
                proposed_grade=grade,
                final_grade=grade,
                arrival_at=arrival,
                departure_at=arrival + timedelta(hours=30 if n % 3 == 0 else 7),
                arrival_mode=ArrivalMode.SELF_DRIVE,
                headcount=headcount,
                services=["car"] if n % 2 else [],
                meals=2,
                meal_staff=staff,
                rooms=headcount if n % 3 == 0 else 0,
                nights=1 if n % 3 == 0 else 0,
                wine_bottles=2 if n % 2 else 0,
                cigarette_packs=4 if n % 4 == 0 else 0,
                receptionist=receptionist,
                submitted_at=arrival - timedelta(days=5 + n % 4),
                approved_at=arrival - timedelta(days=3 + n % 2, hours=n % 5),
            )
            Visitor.objects.bulk_create(
                Visitor(visit=visit, name=f"来宾{n}-{i + 1}", title="采购经理")
                for i in range(headcount)
            )
            _history_summary(visit, n, head=head, hr=hr, owner=visit.applicant)
            _history_expenses(visit, n, receptionist=receptionist)
            report.record("created", visit)


def _history_summary(visit, n: int, *, head, hr, owner) -> None:
    department = VisitSummary.objects.create(
        visit=visit,
        side=SummarySide.DEPARTMENT,
        written_by=head,
        outcome="客户认可我司质量体系，计划下季度追加订单" if n % 2 else "完成技术交流，待报价",
        lessons="讲解准备充分，样品展示到位",
        improvements="会议室投影需提前调试",
    )
    VisitSummary.objects.create(
        visit=visit,
        side=SummarySide.HR,
        written_by=hr,
        outcome="接待流程规范，按标准执行",
        lessons="接站准时",
        improvements="餐饮预订需提前两天确认人数",
    )
    FollowUpAction.objects.create(
        summary=department,
        visit=visit,
        description="寄送报价单与样品",
        owner=owner,
        due_on=timezone.localtime(visit.departure_at).date() + timedelta(days=7),
        done_at=visit.departure_at + timedelta(days=5),
    )


def _history_expenses(visit, n: int, *, receptionist) -> None:
    standard = grade_standard(visit)
    factor = HISTORY_FACTORS[n % len(HISTORY_FACTORS)]
    people = visit.headcount + visit.meal_staff
    lines = [
        (ExpenseCategory.MEAL, "欢迎午宴", 1, people),
        (ExpenseCategory.MEAL, "工作餐", 1, people),
    ]
    if visit.wine_bottles:
        lines.append((ExpenseCategory.WINE, "", visit.wine_bottles, None))
    if visit.cigarette_packs:
        lines.append((ExpenseCategory.CIGARETTES, "", visit.cigarette_packs, None))
    if visit.rooms:
        lines.append((ExpenseCategory.HOTEL, "", visit.rooms * visit.nights, None))
    if visit.services:
        lines.append((ExpenseCategory.CAR, "接送", 2, None))
    lines.append((ExpenseCategory.GIFTS, "伴手礼", visit.headcount, None))
    approver = next(iter(expense_approvers(visit)), None)
    for index, (category, occasion, quantity, count) in enumerate(lines):
        allowed = allowed_amount(standard, category, quantity, count)
        if allowed is None:  # gifts: no standard
            amount = Decimal(120 * quantity)
        elif allowed == 0:  # a car at a grade without one: a modest taxi fare
            amount = Decimal("180.00")
        else:
            amount = _spend(allowed, factor if index % 2 == 0 else 0.9)
        over = allowed is not None and amount > allowed
        state = ExpenseApprovalState.NOT_NEEDED
        if over:
            # most are approved; one in three rejected; the latest month's wait for a decision
            state = [
                ExpenseApprovalState.APPROVED,
                ExpenseApprovalState.APPROVED,
                ExpenseApprovalState.REJECTED,
            ][n % 3]
            if n > 10 or approver is None:
                state = ExpenseApprovalState.PENDING
        decided = state in (ExpenseApprovalState.APPROVED, ExpenseApprovalState.REJECTED)
        ExpenseLine.objects.create(
            visit=visit,
            category=category,
            occasion=occasion,
            quantity=quantity,
            people=count,
            amount=amount,
            standard_amount=allowed,
            over_standard=over,
            justification="客户临时增加陪同人员" if over else "",
            approval_state=state,
            decided_by=approver if decided else None,
            decided_at=visit.departure_at + timedelta(days=2) if decided else None,
            entered_by=receptionist,
        )
