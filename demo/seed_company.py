"""A company-sized history for measuring pages: `manage.py seed_company --visits N`.

Five years of a large plant's reception, written straight into the configured database with
bulk inserts (no services, no signals, no emails): staff over the departments with several
people per role, clients of every category, visit requests in every state with their
visitors, approval rounds, preparation tasks, timeline events, notifications and reminders,
and a normal "today" (a dozen arrivals, approvals waiting, open tasks).

The rows are built the way the services would leave them, in proportions taken from the
demo: most visits are closed history, a few weeks ahead are in approval or being prepared.
The generator is deterministic for a given size and seed.
"""

import io
import json
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, models, reset_queries, transaction
from django.urls import reverse
from django.utils import timezone

from approvals.models import ApprovalChain, ApprovalStep, StepState
from reception.accounts.roles import Role
from reception.models import (
    Client,
    ClientCategory,
    ClientContact,
    ClientScale,
    CooperationStatus,
    Department,
    Notification,
    ReceptionGrade,
    Site,
    StaffMembership,
    User,
)
from reception.organisation.pinyin import pinyin_key
from reception.policy.services import ensure_roles
from visits import links
from visits.models import (
    ArrivalMode,
    EventKind,
    Origin,
    PrepStatus,
    PrepTask,
    PrepTaskTemplate,
    Purpose,
    Reminder,
    ReminderKind,
    ReminderRule,
    ReminderStatus,
    Service,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
)
from visits.services.notifications import Kind

S = VisitStatus
BATCH = 5000
USERNAME_PREFIX = "co-"
DAYS_OF_HISTORY = 5 * 365
# The group's sites: the company's first one (load_policy's) and two plants; people are at
# home at one, in these proportions, and reception staff work at their home site.
SEED_SITES = [
    ("co-suzhou", "苏州工厂", "Suzhou plant", "苏州工业园区星湖街328号"),
    ("co-wuxi", "无锡工厂", "Wuxi plant", "无锡市新吴区长江路21号"),
]
SITE_WEIGHTS = (5, 3, 2)
RECEPTION_ROLES = (Role.RECEPTIONIST, Role.FRONT_DESK, Role.SECURITY)
# A visit is at its applicant's home site, else (this share) at another of the group's.
ELSEWHERE = 0.2
DAYS_AHEAD = 45

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强玉兰桂兰红梅海"
    "燕丹宇浩凯鹏飞晨辉欣怡子涵思远嘉怡文博俊杰雨轩浩然梓轩"
)
CITIES = [
    "上海",
    "北京",
    "苏州",
    "无锡",
    "宁波",
    "杭州",
    "南京",
    "常州",
    "合肥",
    "武汉",
    "长沙",
    "成都",
    "重庆",
    "西安",
    "青岛",
    "济南",
    "天津",
    "沈阳",
    "大连",
    "厦门",
    "福州",
    "广州",
    "深圳",
    "东莞",
    "佛山",
    "郑州",
    "昆明",
    "南昌",
    "太原",
]
WORDS = [
    "精密",
    "远航",
    "北辰",
    "华东",
    "恒通",
    "新锐",
    "博达",
    "启明",
    "宏远",
    "力拓",
    "瑞丰",
    "鼎盛",
    "汇金",
    "天成",
    "中科",
    "智造",
    "永安",
    "金桥",
    "安达",
    "华信",
    "隆基",
    "联创",
    "众合",
    "卓越",
    "东方",
    "盛世",
    "锦程",
    "九州",
    "海纳",
    "星河",
]
INDUSTRIES = [
    "汽车零部件",
    "机械制造",
    "新能源",
    "电子元器件",
    "轨道交通",
    "家电",
    "医疗器械",
    "航空航天",
    "工程机械",
    "化工",
    "食品机械",
    "船舶",
]
SUFFIXES = ["有限公司", "股份有限公司", "集团", "科技有限公司", "制造有限公司"]

# (role, share of the staff, department, title); at least one person each.
STAFF_PLAN = [
    ([Role.SALES], 0.22, "marketing", "营业员"),
    ([Role.PROJECT_ENGINEER], 0.07, "technology", "项目工程师"),
    ([Role.MARKETING], 0.02, "marketing", "营销专员"),
    ([Role.MARKETING_HEAD, Role.DEPARTMENT_HEAD], 0.0, "marketing", "营销部长"),
    ([Role.DEPUTY_GM], 0.01, "leadership", "主管副总经理"),
    ([Role.GENERAL_MANAGER], 0.0, "leadership", "总经理"),
    ([Role.PRODUCT_DIRECTOR], 0.005, "technology", "产品总监"),
    ([Role.RECEPTIONIST], 0.01, "marketing", "客户接待员"),
    # One person holds two roles: the receptionist who also covers the front desk.
    ([Role.RECEPTIONIST, Role.FRONT_DESK], 0.0, "office", "前台兼客户接待员"),
    ([Role.FRONT_DESK], 0.01, "office", "前台"),
    ([Role.SECURITY], 0.015, "logistics", "保安员"),
    ([Role.HR, Role.DEPARTMENT_MEMBER], 0.01, "hr", "人事专员"),
    ([Role.ADMINISTRATOR], 0.0, "office", "系统管理员"),
]
MEMBER_DEPARTMENTS = ["office", "technology", "production", "supply", "quality", "logistics"]
MEMBER_DEPARTMENTS += ["workshop", "marketing", "hr"]


@dataclass
class Sizes:
    visits: int
    staff: int
    clients: int
    today: int
    ahead: int

    @classmethod
    def for_visits(cls, visits: int) -> "Sizes":
        return cls(
            visits=visits,
            staff=max(40, visits * 3 // 1000),
            clients=max(20, visits // 20),
            today=min(12, max(2, visits // 20)),
            ahead=min(DAYS_AHEAD * 12, max(4, visits // 10)),
        )


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


@contextmanager
def _keep_given_times(*model_classes):
    """bulk_create would stamp auto_now(_add) fields with now; history keeps its own times."""
    saved = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _copy_line(row: tuple) -> str:
    return "\t".join(map(_copy_value, row)) + "\n"


class Table:
    """How to write one model's rows as plain tuples: its columns, defaults and adapters.
    Millions of rows through model instances and Django's INSERT compiler take most of an
    hour; tuples through executemany (SQLite) or COPY (PostgreSQL) take minutes."""

    def __init__(self, model):
        self.model = model
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.foreign = {f.name: f.attname for f in fields if f.is_relation}
        self.defaults = {
            f.attname: None if f.primary_key or not f.has_default() else f.get_default()
            for f in fields
        }
        for f in fields:
            if f.attname not in self.defaults or self.defaults[f.attname] is not None:
                continue
            if not f.null and isinstance(f, (models.CharField, models.TextField)):
                self.defaults[f.attname] = ""
        ops = connection.ops
        self.adapters = []
        for f in fields:
            if isinstance(f, models.JSONField):
                self.adapters.append(json.dumps)
            elif isinstance(f, models.DateTimeField):
                self.adapters.append(ops.adapt_datetimefield_value)
            elif isinstance(f, models.DateField):
                self.adapters.append(ops.adapt_datefield_value)
            else:
                self.adapters.append(None)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES "
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"

    def row(self, values: dict) -> tuple:
        for name, attname in self.foreign.items():
            if name in values:
                value = values.pop(name)
                values[attname] = value.pk if value is not None else None
        row = []
        for attname, adapt in zip(self.attnames, self.adapters, strict=True):
            value = values[attname] if attname in values else self.defaults[attname]
            row.append(adapt(value) if adapt and value is not None else value)
        return tuple(row)

    def insert(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY: no SQL text to build or parse per row, several times faster.
                data = io.StringIO("".join(_copy_line(row) for row in rows))
                cursor.cursor.copy_expert(self.copy_sql, data)
            else:
                marks = ", ".join(["%s"] * len(self.attnames))
                cursor.executemany(self.sql + f"({marks})", rows)


class Writer:
    """Buffers rows per model and writes them in batches, with ids given up front."""

    def __init__(self, report: Report):
        self.report = report
        self.buffers: dict[type, list] = {}
        self.ids: dict[type, int] = {}
        self.tables: dict[type, Table] = {}

    def new_id(self, model) -> int:
        if model not in self.ids:
            self.ids[model] = _next_id(model)
        value = self.ids[model]
        self.ids[model] = value + 1
        return value

    def add(self, model, **values) -> int:
        """Queue one row of `model` (foreign keys as objects or ids); returns its id."""
        table = self.tables.get(model) or self.tables.setdefault(model, Table(model))
        if values.get("id") is None:
            values["id"] = self.new_id(model)
        buffer = self.buffers.setdefault(model, [])
        buffer.append(table.row(values))
        if len(buffer) >= BATCH:
            self.flush(model)
        return values["id"]

    def flush(self, model=None) -> None:
        for m in [model] if model else list(self.buffers):
            rows = self.buffers.get(m) or []
            if rows:
                self.tables[m].insert(rows)
                self.report.add(m.__name__, len(rows))
                self.buffers[m] = []
        reset_queries()  # with DEBUG on, Django keeps every (huge) INSERT's text


def _name(rng: random.Random) -> str:
    given = GIVEN[rng.randrange(len(GIVEN))]
    if rng.random() < 0.6:
        given += GIVEN[rng.randrange(len(GIVEN))]
    return SURNAMES[rng.randrange(len(SURNAMES))] + given


def _phone(rng: random.Random) -> str:
    return f"13{rng.randrange(10)}{rng.randrange(10**8):08d}"


def _working_days_before(day, n: int):
    while n > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


class CompanySeeder:
    def __init__(self, sizes: Sizes, *, seed: int = 13, password: str | None = None):
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.report = Report()
        self.writer = Writer(self.report)
        self.password = make_password(password) if password else make_password(None)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.site_rng = random.Random(seed + 1)  # sites drawn apart: the rest stays as it was

    # ---- organisation ------------------------------------------------------------------------

    def sites(self) -> None:
        """The group's three sites: the first active one and two plants (made if missing)."""
        first = Site.objects.active().first()
        if first is None:
            raise ValueError("No active site: run load_policy first.")
        self.group_sites = [first]
        for index, (code, name, name_en, address) in enumerate(SEED_SITES, start=1):
            site, _created = Site.objects.get_or_create(
                code=code,
                defaults={"name": name, "name_en": name_en, "address": address, "ordering": index},
            )
            self.group_sites.append(site)
        self.site = first

    def staff(self) -> None:
        ensure_roles()
        self.sites()
        self.groups = {g.name: g for g in Group.objects.all()}
        self.departments = {d.code: d for d in Department.objects.all()}
        for code in ("leadership", "hr", *MEMBER_DEPARTMENTS):
            if code not in self.departments:
                self.departments[code] = Department.objects.create(code=code, name=code)
        self.by_role: dict[str, list[User]] = {r.value: [] for r in Role}
        self.members: dict[str, list[User]] = {code: [] for code in self.departments}
        self.heads: dict[str, User] = {}
        users, grants, memberships = [], [], []
        counter = {"n": 0}
        works_at: list[tuple[int, int]] = []  # (user, site): reception staff's desks
        group_wide: set[Role] = set()  # each reception role's first holder works at every site

        def person(roles, department, title, head=False):
            counter["n"] += 1
            key = roles[0].value.replace("_", "")
            name = _name(self.rng)
            user = User(
                pk=self.writer.new_id(User),
                username=f"{USERNAME_PREFIX}{key}-{counter['n']}",
                full_name=name,
                search_key=pinyin_key(name),  # bulk_create: no save() to fill it
                email=f"{key}{counter['n']}@company.example.com",
                password=self.password,
                is_active=True,
                date_joined=self.now - timedelta(days=DAYS_OF_HISTORY + 30),
                is_superuser=Role.ADMINISTRATOR in roles,
                is_staff=Role.ADMINISTRATOR in roles,
                home_site=self.site_rng.choices(self.group_sites, weights=SITE_WEIGHTS)[0],
            )
            users.append(user)
            reception = [r for r in roles if r in RECEPTION_ROLES]
            if reception and not set(reception) <= group_wide:
                group_wide.update(reception)
            elif reception:
                works_at.append((user.pk, user.home_site.pk))
            for role in roles:
                self.by_role[role.value].append(user)
                grants.append((user, self.groups[role.value]))
            memberships.append(
                StaffMembership(user=user, department=self.departments[department], title=title)
            )
            self.members[department].append(user)
            if head:
                self.heads[department] = user
            return user

        total = self.sizes.staff
        for roles, share, department, title in STAFF_PLAN:
            for _i in range(max(1, round(total * share))):
                person(roles, department, title, head=Role.DEPARTMENT_HEAD in roles)
        person([Role.GENERAL_MANAGER], "leadership", "总经理", head=True)
        for code in MEMBER_DEPARTMENTS:
            if code not in self.heads:
                person([Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER], code, "部长", head=True)
        rest = max(len(MEMBER_DEPARTMENTS), total - len(users))
        for i in range(rest):
            code = MEMBER_DEPARTMENTS[i % len(MEMBER_DEPARTMENTS)]
            person([Role.DEPARTMENT_MEMBER], code, "专员")
        User.objects.bulk_create(users, batch_size=BATCH)
        Through = User.groups.through
        Through.objects.bulk_create(
            [Through(user_id=u.pk, group_id=g.pk) for u, g in grants], batch_size=BATCH
        )
        StaffMembership.objects.bulk_create(memberships, batch_size=BATCH)
        Sites = User.sites.through
        Sites.objects.bulk_create(
            [Sites(user_id=u, site_id=s) for u, s in works_at], batch_size=BATCH
        )
        self.home_of = {u.pk: u.home_site for u in users}
        heads = [(code, user) for code, user in self.heads.items()]
        for code, user in heads:
            Department.objects.filter(pk=self.departments[code].pk).update(head=user)
        self.report.add("User", len(users))
        self.applicants = self.by_role[Role.SALES] + self.by_role[Role.PROJECT_ENGINEER]
        self.sales_ids = {u.pk for u in self.by_role[Role.SALES]}
        self.engineer_ids = {u.pk for u in self.by_role[Role.PROJECT_ENGINEER]}
        self.department_of = {m.user_id: m.department.code for m in memberships}

    def clients(self) -> None:
        categories = list(ClientCategory)
        scales = [s for s in ClientScale if s != ClientScale.UNKNOWN]
        self.client_rows = []
        for i in range(self.sizes.clients):
            category = categories[i % len(categories)]
            name = (
                f"{self.rng.choice(CITIES)}{self.rng.choice(WORDS)}"
                f"{self.rng.choice(INDUSTRIES)}{i + 1:05d}{self.rng.choice(SUFFIXES)}"
            )
            client = Client(
                pk=self.writer.new_id(Client),
                name=name,
                name_en=f"Client {i + 1:05d} Co., Ltd.",
                category=category,
                industry=self.rng.choice(INDUSTRIES),
                scale=self.rng.choice(scales),
                referred_by=_name(self.rng) if category == ClientCategory.REFERRED else "",
                account_owner=self.rng.choice(self.applicants),
                cooperation_status=self.rng.choice(list(CooperationStatus)),
                created_at=self.now - timedelta(days=DAYS_OF_HISTORY + 10),
                updated_at=self.now - timedelta(days=self.rng.randrange(DAYS_OF_HISTORY)),
            )
            self.client_rows.append(client)
        with _keep_given_times(Client):
            Client.objects.bulk_create(self.client_rows, batch_size=BATCH)
        self.report.add("Client", len(self.client_rows))
        contacts = []
        for client in self.client_rows:
            for _i in range(1 + (self.rng.random() < 0.5)):
                contacts.append(
                    ClientContact(
                        client=client,
                        name=_name(self.rng),
                        title="采购经理",
                        phone=_phone(self.rng),
                    )
                )
        ClientContact.objects.bulk_create(contacts, batch_size=BATCH)
        self.report.add("ClientContact", len(contacts))

    # ---- policy the visits follow ----------------------------------------------------------

    def policy(self) -> None:
        self.grades = list(ReceptionGrade.objects.current().select_related("scheme"))
        self.chains = {
            chain.grade_id: list(chain.steps.order_by("position"))
            for chain in ApprovalChain.objects.filter(
                grade__in=self.grades, site__isnull=True
            ).prefetch_related("steps")
        }
        self.templates = [
            (t, {g.pk for g in t.grades.all()})
            for t in PrepTaskTemplate.objects.filter(active=True)
            .select_related("department")
            .prefetch_related("grades")
        ]
        self.rules = {r.kind: r for r in ReminderRule.objects.filter(active=True)}
        self.group_by_id: dict[int | None, Group] = {g.pk: g for g in self.groups.values()}

    # ---- visits ----------------------------------------------------------------------------

    def _status(self, arrival, today: bool) -> str:
        r = self.rng.random()
        if today:
            return S.IN_PROGRESS if arrival <= self.now else S.APPROVED
        if arrival > self.now:
            for status, share in (
                (S.APPROVED, 0.55),
                (S.IN_APPROVAL, 0.2),
                (S.SUBMITTED, 0.08),
                (S.DRAFT, 0.07),
                (S.RETURNED, 0.04),
                (S.CANCELLED, 0.04),
            ):
                if r < share:
                    return status
                r -= share
            return S.REJECTED
        if arrival > self.now - timedelta(days=3):
            return S.COMPLETED if r < 0.7 else S.CLOSED
        for status, share in (
            (S.CLOSED, 0.80),
            (S.COMPLETED, 0.03),
            (S.CANCELLED, 0.08),
            (S.REJECTED, 0.05),
            (S.DRAFT, 0.02),
        ):
            if r < share:
                return status
            r -= share
        return S.RETURNED

    def _arrivals(self):
        """Arrival moments: history spread over five years, a few weeks ahead, and today."""
        sizes = self.sizes
        past = sizes.visits - sizes.ahead - sizes.today
        local_today = datetime.combine(self.today, time(0), tzinfo=timezone.get_current_timezone())
        for _i in range(past):
            day = local_today - timedelta(days=self.rng.randrange(1, DAYS_OF_HISTORY))
            yield (
                day + timedelta(hours=self.rng.randrange(8, 17), minutes=self.rng.choice((0, 30))),
                False,
            )
        for _i in range(sizes.ahead):
            day = local_today + timedelta(days=self.rng.randrange(1, DAYS_AHEAD))
            yield (
                day + timedelta(hours=self.rng.randrange(8, 17), minutes=self.rng.choice((0, 30))),
                False,
            )
        for i in range(sizes.today):
            yield local_today + timedelta(hours=8, minutes=40 * i), True

    def visits(self) -> None:
        arrivals = sorted(self._arrivals(), key=lambda a: a[0])
        chunk = []
        for arrival, today in arrivals:
            chunk.append((arrival, today))
            if len(chunk) >= BATCH // 2:
                self._visit_chunk(chunk)
                chunk = []
        if chunk:
            self._visit_chunk(chunk)
        self.writer.flush()

    def _site_for(self, applicant) -> Site:
        """The applicant's home site, or now and then another of the group's."""
        if self.site_rng.random() < ELSEWHERE:
            return self.site_rng.choice(self.group_sites)
        return self.home_of.get(applicant.pk) or self.site

    def _visit_chunk(self, chunk) -> None:
        rng, w = self.rng, self.writer
        visits = []
        for arrival, today in chunk:
            status = self._status(arrival, today)
            applicant = rng.choice(self.applicants)
            client = rng.choice(self.client_rows)
            grade = rng.choices(self.grades, weights=[1, 3, 6, 10][: len(self.grades)] or None)[0]
            days = rng.choice((0, 0, 0, 1, 1, 2))
            departure = arrival + timedelta(days=days, hours=rng.randrange(2, 8))
            filed = arrival - timedelta(days=rng.randrange(2, 20), hours=rng.randrange(8))
            headcount = rng.choices((1, 2, 3, 4, 5, 6, 8), weights=(10, 20, 25, 20, 12, 8, 5))[0]
            services = rng.sample(
                [s.value for s in Service if s != Service.OTHER], rng.randrange(0, 4)
            )
            banner = "热烈欢迎莅临指导" if Service.WELCOME_BANNER in services else ""
            reached_approval = status not in (S.DRAFT,)
            approved = status in (S.APPROVED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED)
            pk = w.new_id(VisitRequest)
            visit = VisitRequest(
                pk=pk,
                reference=f"JD-{filed.year}-{pk:05d}" if reached_approval else None,
                status=status,
                applicant=applicant,
                site=self._site_for(applicant),
                client=client,
                origin=rng.choice((Origin.INVITED, Origin.CUSTOMER_PROPOSED)),
                purposes=rng.sample(
                    [p.value for p in Purpose if p != Purpose.OTHER], rng.randrange(1, 3)
                ),
                reason="洽谈年度合作，参观生产线",
                proposed_grade=grade,
                final_grade=grade if status not in (S.DRAFT, S.SUBMITTED) else None,
                arrival_at=arrival,
                departure_at=departure,
                arrival_mode=rng.choice(list(ArrivalMode)),
                headcount=headcount,
                services=services,
                banner_text=banner,
                meals=rng.choice((0, 1, 1, 2)),
                meal_staff=rng.choice((0, 2, 3)),
                rooms=rng.choice((0, 0, 0, 2, 3)),
                nights=rng.choice((0, 1)),
                main_host=rng.choice(
                    self.by_role[Role.MARKETING_HEAD] + self.by_role[Role.DEPUTY_GM]
                ),
                # the applicant is the lead or the engineer their role says (no client names one)
                sales_lead=applicant if applicant.pk in self.sales_ids else None,
                project_engineer=applicant if applicant.pk in self.engineer_ids else None,
                receptionist=rng.choice(self.by_role[Role.RECEPTIONIST]) if approved else None,
                meeting_room=rng.choice(("一号会议室", "二号会议室", "贵宾室", "")),
                late=filed > arrival - timedelta(days=3),
                created_at=filed,
                updated_at=filed,
                submitted_at=filed if reached_approval else None,
                approved_at=filed + timedelta(days=1) if approved else None,
            )
            visits.append(visit)
        with _keep_given_times(VisitRequest):
            VisitRequest.objects.bulk_create(visits, batch_size=BATCH)
        self.report.add("VisitRequest", len(visits))
        Accompanying = VisitRequest.accompanying_staff.through
        extra = [
            Accompanying(visitrequest_id=v.pk, user_id=rng.choice(self.applicants).pk)
            for v in visits
            if rng.random() < 0.1
        ]
        Accompanying.objects.bulk_create(extra, batch_size=BATCH)
        for visit in visits:
            self._visit_rows(visit)
        self.writer.flush()

    def _visit_rows(self, visit: VisitRequest) -> None:
        rng, w, status = self.rng, self.writer, visit.status
        filed, arrival, departure = visit.created_at, visit.arrival_at, visit.departure_at
        assert arrival is not None and departure is not None  # every seeded visit has both
        on_site = status in (S.IN_PROGRESS, S.COMPLETED, S.CLOSED)
        for i in range(visit.headcount if rng.random() < 0.8 else max(1, visit.headcount - 1)):
            checked_in = checked_out = None
            if on_site:
                checked_in = arrival + timedelta(minutes=rng.randrange(0, 40))
                if status != S.IN_PROGRESS:
                    checked_out = departure
                elif rng.random() < 0.2 and i:
                    checked_in = None  # part of the group still on the way
            w.add(
                Visitor,
                visit=visit,
                name=_name(rng),
                title=rng.choice(("总经理", "采购经理", "质量工程师", "技术总监", "")),
                phone=_phone(rng),
                checked_in_at=checked_in,
                checked_out_at=checked_out,
            )
        events: list[tuple[datetime | None, str, str, str]] = []  # (at, kind, from, to)
        paths: dict[str, list[VisitStatus]] = {
            S.DRAFT: [],
            S.SUBMITTED: [S.SUBMITTED],
            S.IN_APPROVAL: [S.SUBMITTED, S.IN_APPROVAL],
            S.RETURNED: [S.SUBMITTED, S.IN_APPROVAL, S.RETURNED],
            S.REJECTED: [S.SUBMITTED, S.IN_APPROVAL, S.REJECTED],
            S.CANCELLED: [S.SUBMITTED, S.CANCELLED],
            S.APPROVED: [S.SUBMITTED, S.IN_APPROVAL, S.APPROVED],
            S.IN_PROGRESS: [S.SUBMITTED, S.IN_APPROVAL, S.APPROVED, S.IN_PROGRESS],
            S.COMPLETED: [S.SUBMITTED, S.IN_APPROVAL, S.APPROVED, S.IN_PROGRESS, S.COMPLETED],
            S.CLOSED: [
                S.SUBMITTED,
                S.IN_APPROVAL,
                S.APPROVED,
                S.IN_PROGRESS,
                S.COMPLETED,
                S.CLOSED,
            ],
        }
        path = paths[status]
        moments: dict[str, datetime | None] = {
            S.SUBMITTED: filed,
            S.IN_APPROVAL: filed + timedelta(hours=3),
            S.APPROVED: visit.approved_at,
            S.RETURNED: filed + timedelta(hours=20),
            S.REJECTED: filed + timedelta(hours=20),
            S.CANCELLED: filed + timedelta(days=1),
            S.IN_PROGRESS: arrival,
            S.COMPLETED: departure,
            S.CLOSED: departure + timedelta(days=1),
        }
        before: str = S.DRAFT
        for to in path:
            events.append((moments[to], EventKind.TRANSITION, before, to))
            before = to
        if status in (S.APPROVED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED) and rng.random() < 0.3:
            approved = visit.approved_at or filed
            events.append((approved + timedelta(hours=2), EventKind.CHANGE, "", ""))
        if on_site:
            events.append((arrival + timedelta(minutes=5), EventKind.CHECK_IN, "", ""))
        if status in (S.COMPLETED, S.CLOSED):
            events.append((departure, EventKind.CHECK_OUT, "", ""))
        for at, kind, from_status, to_status in events:
            w.add(
                VisitEvent,
                visit=visit,
                at=at,
                actor=visit.applicant,
                kind=kind,
                from_status=from_status,
                to_status=to_status,
                changes=[{"field": "headcount", "old": 2, "new": visit.headcount}]
                if kind == EventKind.CHANGE
                else [],
            )
        notices: list[tuple] = []  # (at, recipient, kind, title[, url])
        notices += self._steps(visit, path, moments)
        tasks = self._tasks(visit) if visit.approved_at else []
        for department in set(tasks):
            for user in [self.heads.get(department), *self.members[department][:2]]:
                if user is not None:
                    notices.append((visit.approved_at, user, Kind.TASKS, "新的准备任务"))
        if visit.approved_at:
            notices.append((visit.approved_at, visit.applicant, Kind.VISIT_APPROVED, "申请已批准"))
            for user in self.by_role[Role.RECEPTIONIST]:
                notices.append((visit.approved_at, user, Kind.VISIT_APPROVED, "申请已批准"))
        if on_site:
            notices.append((arrival, visit.applicant, Kind.GUESTS_ARRIVED, "客人已到达"))
            notices.append((arrival, visit.main_host, Kind.GUESTS_ARRIVED, "客人已到达"))
        if status == S.CLOSED:
            notices.append(
                (
                    departure + timedelta(days=1),
                    visit.applicant,
                    Kind.VISIT_CLOSED,
                    "工作小结已提交",
                )
            )
        if status == S.CANCELLED:
            notices.append(
                (moments[S.CANCELLED], visit.main_host, Kind.VISIT_CANCELLED, "申请已取消")
            )
        self._reminders(visit, tasks, notices)
        # where the services link them: the visit, its tasks (the departments' page filtered
        # to the visit), the step (approvals:step, which resolves to the card or the visit)
        urls = {
            Kind.TASKS: links.visit_tasks(visit.pk, held=False),
            Kind.for_reminder(ReminderKind.OPEN_TASKS): links.visit_tasks(visit.pk, held=False),
        }
        visit_url = f"/visits/{visit.pk}/"
        for at, recipient, kind, title, *step_url in notices:
            old = at < self.now - timedelta(days=10)
            w.add(
                Notification,
                recipient=recipient,
                kind=kind,
                title=f"{visit.reference or ''} {title}".strip(),
                url=step_url[0] if step_url else urls.get(kind, visit_url),
                created_at=at,
                read_at=at + timedelta(hours=1) if old or rng.random() < 0.5 else None,
                email_sent_at=at,
            )

    def _steps(self, visit, path, moments) -> list[tuple]:
        """The approval round as the services leave it, with the notices it sent."""
        chain = self.chains.get(visit.proposed_grade_id) or []
        if not chain or S.SUBMITTED not in path:
            return []
        rng, status = self.rng, visit.status
        notices: list[tuple] = []
        if status in (S.APPROVED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED):
            stop, final = len(chain), None
        elif status in (S.RETURNED, S.REJECTED):
            stop, final = rng.randrange(len(chain)), StepState(status)
        elif status == S.CANCELLED:
            stop, final = 0, None
        else:  # submitted / in approval: one step waits for a decision
            stop = 0 if status == S.SUBMITTED else rng.randrange(1, len(chain))
            final = StepState.PENDING
        at = moments[S.SUBMITTED]
        for position, template in enumerate(chain, start=1):
            index = position - 1
            role = self.group_by_id.get(template.role_id)
            people = self.by_role.get(role.name, []) if role else []
            decider = template.user or (rng.choice(people) if people else None)
            state, decided_by, decided_at, activated = StepState.WAITING, None, None, None
            step_id = self.writer.new_id(ApprovalStep)
            if index < stop:
                state, decided_by = StepState.APPROVED, decider
                activated, decided_at = at, at + timedelta(hours=rng.randrange(1, 8))
                at = decided_at
                notices.append((decided_at, visit.applicant, Kind.STEP_APPROVED, "审批通过"))
            elif index == stop and final is not None:
                activated = at
                if final == StepState.PENDING:
                    state = StepState.PENDING
                    url = reverse("approvals:step", args=[step_id])
                    for user in people or ([template.user] if template.user else []):
                        notices.append((at, user, Kind.APPROVAL_WAITING, "等待您的审批", url))
                else:
                    state, decided_by = final, decider
                    decided_at = at + timedelta(hours=5)
                    notices.append((decided_at, visit.applicant, Kind.for_step(final), "审批意见"))
            elif final is None and stop < len(chain):
                state = StepState.SKIPPED
            self.writer.add(
                ApprovalStep,
                id=step_id,
                subject=visit,
                round=1,
                position=position,
                name=template.name,
                name_en=template.name_en,
                role_id=template.role_id,
                user_id=template.user_id,
                grades_visit=template.grades_visit,
                template_id=template.pk,
                state=state,
                activated_at=activated,
                decided_by=decided_by,
                decided_at=decided_at,
                grade_after=visit.final_grade if template.grades_visit and decided_at else None,
            )
        return notices

    def _tasks(self, visit) -> list[str]:
        """The visit's preparation tasks; returns each task's department code."""
        rng, tasks = self.rng, []
        arrival_day = timezone.localtime(visit.arrival_at).date()
        for template, grade_ids in self.templates:
            if not template.matches(visit, grade_ids):
                continue
            due = _working_days_before(arrival_day, template.due_working_days)
            done = visit.status != S.APPROVED or rng.random() < (0.8 if due < self.today else 0.35)
            members: list[User | None] = [*self.members.get(template.department.code, [])] or [None]
            holder = template.holder(visit)
            assignee = holder if template.assign_to else rng.choice(members)
            cancelled = rng.random() < 0.03
            task = dict(
                visit=visit,
                template=template,
                department=template.department,
                name=template.name,
                name_en=template.name_en,
                due_date=due,
                assignee=assignee,
                status=PrepStatus.CANCELLED
                if cancelled
                else PrepStatus.DONE
                if done
                else PrepStatus.OPEN,
                needs_recheck=visit.status == S.APPROVED and rng.random() < 0.05,
                done_by=assignee if done and not cancelled else None,
                done_at=visit.approved_at + timedelta(days=1) if done and not cancelled else None,
                created_at=visit.approved_at,
                updated_at=visit.approved_at,
            )
            self.writer.add(PrepTask, **task)
            tasks.append(template.department.code)
        return tasks

    def _reminders(self, visit, tasks, notices) -> None:
        """The reminders the sweep sent (or will send) for this visit, and their notices."""
        due = visit.arrival_at - timedelta(days=2)
        if due > self.now:
            return
        rows = []
        rule = self.rules.get(ReminderKind.VISITOR_INFORMATION)
        if rule and visit.approved_at:
            rows.append((rule, visit.receptionist, None))
        rule = self.rules.get(ReminderKind.OPEN_TASKS)
        if rule and visit.approved_at:
            for department in set(tasks):
                head = self.heads.get(department)
                if head:
                    rows.append((rule, head, None))
        rule = self.rules.get(ReminderKind.WORK_SUMMARY)
        if rule and visit.status in (S.COMPLETED, S.CLOSED):
            rows.append((rule, self.by_role[Role.HR][0], None))
        seen = set()
        for rule, recipient, task in rows:
            if recipient is None or (rule.pk, recipient.pk) in seen:
                continue
            seen.add((rule.pk, recipient.pk))
            sent = self.rng.random() < 0.97 or visit.status != S.APPROVED
            self.writer.add(
                Reminder,
                rule=rule,
                recipient=recipient,
                visit=visit,
                task=task,
                due_at=due,
                status=ReminderStatus.SENT if sent else ReminderStatus.PENDING,
                attempts=1 if sent else 0,
                last_attempt_at=due if sent else None,
                sent_at=due if sent else None,
                created_at=due,
            )
            if sent:
                notices.append((due, recipient, Kind.for_reminder(rule.kind), rule.name))

    # ---- all of it ---------------------------------------------------------------------------

    def run(self) -> Report:
        with transaction.atomic():
            self.staff()
            self.clients()
            self.policy()
            self.visits()
        self.reset_sequences()
        return self.report

    def reset_sequences(self) -> None:
        sql = connection.ops.sequence_reset_sql(
            no_style(),
            [
                User,
                Client,
                VisitRequest,
                Visitor,
                ApprovalStep,
                PrepTask,
                VisitEvent,
                Notification,
                Reminder,
            ],
        )
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")  # plans as on a database that has lived: with statistics
