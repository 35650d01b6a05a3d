"""The demo's two sites: the headquarters (the company's first site, renamed) and a plant,
each with its own customer receptionist, front desk and gate logins and a lobby screen.

The demo's original reception logins (receptionist, frontdesk, security) have no site
assigned: they work at every site, as in a one-site company."""

from django.contrib.auth.models import Group
from django.db import transaction

from reception.accounts.roles import Role
from reception.models import Department, Site, User
from reception.policy.loading import LoadReport
from visits.models import WelcomeDisplay

from .organisation import DEMO_PASSWORD

HQ, PLANT = "main", "suzhou"

# code, name, English name, address, English address, directions, English directions
SITES = [
    (
        HQ,
        "上海总部",
        "Shanghai HQ",
        "上海市闵行区紫星路588号",
        "588 Zixing Road, Minhang, Shanghai",
        "从1号门进入，访客停车场在右侧；接待处在行政楼一楼大厅。",
        "Enter by gate 1; visitor parking on the right; reception in the lobby of the office "
        "building.",
    ),
    (
        PLANT,
        "苏州工厂",
        "Suzhou plant",
        "苏州工业园区星湖街328号",
        "328 Xinghu Street, Suzhou Industrial Park",
        "南门门卫登记后，沿黄线步行至二号楼接待室。",
        "Register at the south gate, then follow the yellow line to the reception room in "
        "building 2.",
    ),
]

# username, full name, role, department, title, site code
SITE_USERS = [
    ("receptionist_sh", "钱晓燕", Role.RECEPTIONIST, "marketing", "客户接待员（上海）", HQ),
    ("frontdesk_sh", "蒋欣", Role.FRONT_DESK, "office", "前台（上海）", HQ),
    ("security_sh", "韩勇", Role.SECURITY, "logistics", "保安员（上海）", HQ),
    ("receptionist_sz", "沈佳", Role.RECEPTIONIST, "marketing", "客户接待员（苏州）", PLANT),
    ("frontdesk_sz", "陆萍", Role.FRONT_DESK, "office", "前台（苏州）", PLANT),
    ("security_sz", "曹磊", Role.SECURITY, "logistics", "保安员（苏州）", PLANT),
]

# Where the demo's people are at home (the rest: the headquarters).
PLANT_PEOPLE = ["engineer", "production_head", "workshop_head", "quality_head"]


def _first_site() -> Site:
    site = Site.objects.order_by("ordering", "code").first()
    return site if site is not None else Site.objects.create(code=HQ, name="总部")


@transaction.atomic
def load_demo_sites(report: LoadReport) -> dict[str, Site]:
    """The two sites (the first one takes the headquarters' name), their reception logins,
    home sites, and a lobby screen at the plant. Only creates what is missing."""
    sites = {}
    for index, (code, name, name_en, address, address_en, directions, directions_en) in enumerate(
        SITES
    ):
        site = _first_site() if index == 0 else Site.objects.filter(code=code).first()
        facts = {
            "name": name,
            "name_en": name_en,
            "address": address,
            "address_en": address_en,
            "directions": directions,
            "directions_en": directions_en,
            "ordering": index,
        }
        if site is None:
            site = Site.objects.create(code=code, **facts)
            report.record("created", site)
        elif not site.address:  # load_policy's site: named after the company, no address
            for field, value in facts.items():
                setattr(site, field, value)
            site.save()
            report.record("updated", site)
        sites[code if index else HQ] = site
    departments = {d.code: d for d in Department.objects.all()}
    for username, full_name, role, dept_code, title, code in SITE_USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = User(
            username=username,
            full_name=full_name,
            email=f"{username}@jiedai.example.com",
            home_site=sites[code],
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.add(*Group.objects.filter(name=str(role)))
        user.sites.add(sites[code])
        departments[dept_code].memberships.create(user=user, title=title)
        report.record("created", user)
    plant = sites[PLANT]
    User.objects.filter(username__in=PLANT_PEOPLE, home_site__isnull=True).update(home_site=plant)
    User.objects.filter(home_site__isnull=True).update(home_site=sites[HQ])
    return sites


def load_site_displays(report: LoadReport) -> WelcomeDisplay:
    """A lobby screen per site (the headquarters' is the demo's first one); returns the
    headquarters' screen."""
    hq, plant = _first_site(), Site.objects.filter(code=PLANT).first()
    display = WelcomeDisplay.objects.order_by("pk").first()
    if display is None:
        display = WelcomeDisplay.objects.create(name="大堂欢迎屏", site=hq)
        report.record("created", display)
    if plant is not None and not WelcomeDisplay.objects.filter(site=plant).exists():
        report.record(
            "created", WelcomeDisplay.objects.create(name="苏州工厂接待室欢迎屏", site=plant)
        )
    return display


def site_logins() -> list[tuple[str, str, str]]:
    """(site, role, username) of each site's reception logins, for the demo's summary."""
    names = {code: name for code, name, *_rest in SITES}
    return [(names[code], str(role.label), u) for u, _n, role, _d, _t, code in SITE_USERS]
