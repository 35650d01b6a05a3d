"""factory_boy factories for the whole suite."""

import factory
from django.contrib.auth.models import Group

from reception.accounts.roles import Role
from reception.models import Client, ClientCategory, ClientContact, Department, Site, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[str(r) for r in extracted]))


def user_with(*roles: Role, **kwargs) -> User:
    return UserFactory(roles=roles, **kwargs)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"site{n}")
    name = factory.Sequence(lambda n: f"第{n}工厂")
    name_en = factory.Sequence(lambda n: f"Plant {n}")
    address = factory.Sequence(lambda n: f"苏州工业园区星湖街{n}号")
    address_en = factory.Sequence(lambda n: f"{n} Xinghu Street, Suzhou Industrial Park")


def first_site() -> Site:
    """The company's first active site: load_policy's default one, made here when a test
    has loaded no policy."""
    from reception.policy.loading import LoadReport
    from reception.policy.services import load_sites

    load_sites(report=LoadReport())
    return Site.objects.active().first() or SiteFactory()


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"部门{n}")
    name_en = factory.Sequence(lambda n: f"Department {n}")


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"客户公司{n}号有限公司")
    name_en = factory.Sequence(lambda n: f"Client Company {n} Ltd.")
    category = ClientCategory.EXISTING_COMMERCIAL
    industry = "机械制造"


class ClientContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientContact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name", locale="zh_CN")
    title = "采购经理"
    phone = "13800138000"


# ---- visit requests, made the way the product makes them -----------------------------------


def visit_data(grade, client=None, **overrides) -> dict:
    from datetime import timedelta

    from django.utils import timezone

    arrival = (timezone.localtime() + timedelta(days=10)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    data = {
        "client": client or ClientFactory(),
        "origin": "invited",
        "guest_kind": "commercial",
        "purposes": ["inspection", "tour"],
        "reason": "考察生产线,洽谈年度采购框架协议",
        "proposed_grade": grade,
        "arrival_at": arrival,
        "departure_at": arrival + timedelta(hours=30),
        "arrival_mode": "airport",
        "arrival_point": "浦东机场T2 MU5101",
        "headcount": 3,
        "services": ["car", "guided_tour", "welcome_banner"],
        "banner_text": "热烈欢迎贵宾莅临指导",
        "meals": 2,
        "meal_staff": 3,
        "rooms": 3,
        "nights": 1,
        "meeting_room": "一号会议室",
    }
    data.update(overrides)
    return data


VISITORS = [
    {
        "name": "孙立群",
        "title": "采购副总裁",
        "phone": "13900139002",
        "id_number": "110101198001011234",
    },
    {"name": "赵晓彤", "title": "供应商质量经理", "phone": "13900139003"},
    {"name": "Peter Lee", "title": "Engineer", "phone": "+86 21 5555 0101"},
]


def file_visit(by, grade, *, submit=True, visitors=None, **overrides):
    """File (and by default submit) a request through the service, like the filing page."""
    from visits.services.requests import file_visit_request

    return file_visit_request(
        applicant=by,
        data=visit_data(grade, **overrides),
        visitors=[dict(v) for v in (VISITORS if visitors is None else visitors)],
        submit=submit,
    )


def approve_fully(visit):
    """Approve every pending step through the service, each by a holder of its role."""
    from approvals.models import StepState
    from approvals.services import approvers_of, decide

    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        by = next(iter(approvers_of(step)), None) or user_with(step.role.name)
        decide(step=step, by=by, decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


def moment(day, hour: int, minute: int = 0):
    """An aware datetime on `day` at local time hour:minute."""
    from datetime import datetime, time

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def t_minus(visit, n: int = 2):
    """The day n working days before the visit's arrival, by the company calendar."""
    from django.utils import timezone

    from reception.policy.calendar import working_days_before

    return working_days_before(timezone.localtime(visit.arrival_at).date(), n)


def sixteen_reminders_due(sales, grade):
    """Three office members and four approved visits: their T−2 reminders (the receptionist's
    sheet, each office member's task list) make sixteen. The moment they are due."""
    from django.core import mail

    from reception.models import StaffMembership

    office = Department.objects.get(code="office")
    for n in range(3):
        StaffMembership.objects.create(
            user=user_with(Role.DEPARTMENT_MEMBER, username=f"office{n}"), department=office
        )
    visits = [approve_fully(file_visit(sales, grade)) for _ in range(4)]
    mail.outbox.clear()
    return moment(t_minus(visits[0], 2), 8, 31)
