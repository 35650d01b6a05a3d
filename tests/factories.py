"""factory_boy factories for the whole suite."""

import factory
from django.contrib.auth.models import Group

from reception.models import Client, ClientCategory, ClientContact, Department, User
from reception.roles import Role


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
