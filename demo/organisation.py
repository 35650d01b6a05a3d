"""Demo organisation: departments, one login per role, clients of every category.

Only creates what is missing, so running it again changes nothing.
"""

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from reception.accounts.roles import Role
from reception.models import (
    Client,
    ClientCategory,
    ClientContact,
    CooperationStatus,
    Department,
    User,
)
from reception.policy.loading import LoadReport
from reception.policy.services import ensure_roles

DEMO_PASSWORD = "jiedai-demo"

# code, Chinese, English (seed 001, sections 3 and 7, plus HR from seed 000)
DEPARTMENTS = [
    ("leadership", "公司领导", "Company leadership"),
    ("marketing", "营销部", "Marketing"),
    ("technology", "技术部", "Technology"),
    ("production", "生产部", "Production"),
    ("supply", "供应部", "Supply"),
    ("quality", "品质保障部", "Quality assurance"),
    ("office", "办公室", "Office"),
    ("logistics", "后勤保障部", "Logistics"),
    ("workshop", "车间", "Workshop"),
    ("hr", "人力资源中心", "HR centre"),
]

# username, full name, roles, department code, title, heads the department
USERS = [
    ("sales", "张伟", [Role.SALES], "marketing", "项目营销负责人", False),
    ("sales2", "李娜", [Role.SALES], "marketing", "营业员", False),
    ("engineer", "王强", [Role.PROJECT_ENGINEER], "technology", "项目工程师", False),
    ("marketing", "刘洋", [Role.MARKETING], "marketing", "营销专员", False),
    (
        "marketing_head",
        "陈静",
        [Role.MARKETING_HEAD, Role.DEPARTMENT_HEAD],
        "marketing",
        "营销部长",
        True,
    ),
    ("deputy_gm", "杨军", [Role.DEPUTY_GM], "leadership", "主管副总经理", False),
    ("gm", "赵敏", [Role.GENERAL_MANAGER], "leadership", "总经理", True),
    ("director", "黄磊", [Role.PRODUCT_DIRECTOR], "technology", "产品总监", False),
    ("receptionist", "周婷", [Role.RECEPTIONIST], "marketing", "客户接待员", False),
    ("frontdesk", "吴倩", [Role.FRONT_DESK], "office", "前台", False),
    ("security", "徐刚", [Role.SECURITY], "logistics", "保安员", False),
    ("office", "孙丽", [Role.DEPARTMENT_MEMBER, Role.OFFICE], "office", "行政专员", False),
    (
        "office_head",
        "马超",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "office",
        "办公室主任",
        True,
    ),
    ("hr", "朱红", [Role.HR, Role.DEPARTMENT_MEMBER], "hr", "人事专员", False),
    ("admin", "系统管理员", [Role.ADMINISTRATOR], "office", "系统管理员", False),
    # Heads and members of the other departments that prepare visits.
    (
        "tech_head",
        "郑浩",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "technology",
        "技术部部长",
        True,
    ),
    (
        "production_head",
        "冯涛",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "production",
        "生产部部长",
        True,
    ),
    (
        "supply_head",
        "何平",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "supply",
        "供应部部长",
        True,
    ),
    (
        "quality_head",
        "高峰",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "quality",
        "品质保障部部长",
        True,
    ),
    (
        "logistics_head",
        "林芳",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "logistics",
        "后勤保障部部长",
        True,
    ),
    (
        "workshop_head",
        "罗斌",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "workshop",
        "车间主任",
        True,
    ),
    (
        "hr_head",
        "梁雪",
        [Role.DEPARTMENT_HEAD, Role.DEPARTMENT_MEMBER],
        "hr",
        "人力资源中心主任",
        True,
    ),
]

CLIENTS: list[dict[str, Any]] = [
    {
        # a non-commercial organisation (seed 001 十.2): no customer category
        "name": "市市场监督管理局",
        "name_en": "Municipal Market Supervision Administration",
        "category": "",
        "industry": "政府机关",
        "scale": "unknown",
        "owner": "office",
        "status": CooperationStatus.PROSPECT,
        "contacts": [("郑科长", "质量监督科科长", "13100131001", "")],
    },
    {
        "name": "华东精密机械有限公司",
        "name_en": "East China Precision Machinery Co., Ltd.",
        "category": ClientCategory.EXISTING_TECHNICAL,
        "industry": "机械制造",
        "scale": "large",
        "owner": "engineer",
        "engineer": "engineer",  # its technical visits' preparation is his, whoever files them
        "status": CooperationStatus.ACTIVE,
        "contacts": [("钱志远", "技术总监", "13800138001", "qian@ecpm.example.com")],
    },
    {
        "name": "远航汽车零部件集团",
        "name_en": "Yuanhang Auto Parts Group",
        "category": ClientCategory.EXISTING_COMMERCIAL,
        "industry": "汽车零部件",
        "scale": "enterprise",
        "owner": "sales",
        "status": CooperationStatus.ACTIVE,
        "contacts": [
            ("孙立群", "采购副总裁", "13900139002", "sun@yuanhang.example.com"),
            ("赵晓彤", "供应商质量经理", "13900139003", "zhao@yuanhang.example.com"),
        ],
    },
    {
        "name": "北辰新能源科技有限公司",
        "name_en": "Beichen New Energy Technology Co., Ltd.",
        "category": ClientCategory.NEWLY_DEVELOPED,
        "industry": "新能源",
        "scale": "medium",
        "owner": "sales",
        "status": CooperationStatus.PROSPECT,
        "contacts": [("周敏", "总经理", "13700137004", "zhou@beichen.example.com")],
    },
    {
        "name": "青禾智能装备有限公司",
        "name_en": "Qinghe Intelligent Equipment Co., Ltd.",
        "category": ClientCategory.SELF_ENQUIRY,
        "industry": "智能装备",
        "scale": "small",
        "owner": "sales2",
        "status": CooperationStatus.PROSPECT,
        "contacts": [("吴凡", "采购经理", "13600136005", "")],
    },
    {
        "name": "德森工业自动化(苏州)有限公司",
        "name_en": "Desen Industrial Automation (Suzhou) Co., Ltd.",
        "category": ClientCategory.REFERRED,
        "industry": "工业自动化",
        "scale": "large",
        "owner": "sales",
        "status": CooperationStatus.PROSPECT,
        "referred_by": "王董事长的朋友 李先生",
        "contacts": [("Klaus Weber", "Managing Director", "+49 30 1234567", "weber@desen.example")],
    },
    {
        "name": "南方电网设备采购中心",
        "name_en": "Southern Grid Equipment Procurement Centre",
        "category": ClientCategory.EXISTING_COMMERCIAL,
        "industry": "电力",
        "scale": "enterprise",
        "owner": "sales2",
        "status": CooperationStatus.ACTIVE,
        "contacts": [("陈国华", "采购主管", "13500135006", "chen@grid.example.com")],
    },
]


@transaction.atomic
def load_demo_organisation(report: LoadReport) -> None:
    ensure_roles()
    departments = {}
    for code, name, name_en in DEPARTMENTS:
        dept, created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en}
        )
        departments[code] = dept
        if created:
            report.record("created", dept)

    for username, full_name, roles, dept_code, title, heads in USERS:
        user = User.objects.filter(username=username).first()
        if user is not None:
            continue
        is_admin = Role.ADMINISTRATOR in roles
        user = User(
            username=username,
            full_name=full_name,
            email=f"{username}@jiedai.example.com",
            is_staff=is_admin,
            is_superuser=is_admin,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(*Group.objects.filter(name__in=[str(r) for r in roles]))
        dept = departments[dept_code]
        dept.memberships.create(user=user, title=title)
        if heads and dept.head_id is None:
            dept.head = user
            dept.save(update_fields=["head"])
        report.record("created", user)

    people = {c["owner"] for c in CLIENTS} | {c["engineer"] for c in CLIENTS if "engineer" in c}
    owners = {u.username: u for u in User.objects.filter(username__in=people)}
    for data in CLIENTS:
        if Client.objects.filter(name__iexact=data["name"]).exists():
            continue
        client = Client.objects.create(
            name=data["name"],
            name_en=data["name_en"],
            category=data["category"],
            industry=data["industry"],
            scale=data["scale"],
            account_owner=owners.get(data["owner"]),
            project_engineer=owners.get(data.get("engineer", "")),
            cooperation_status=data["status"],
            referred_by=data.get("referred_by", ""),
        )
        for name, title, phone, email in data["contacts"]:
            ClientContact.objects.create(
                client=client, name=name, title=title, phone=phone, email=email
            )
        report.record("created", client)
