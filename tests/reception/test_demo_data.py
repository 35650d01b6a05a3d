from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from reception.models import Client, ClientCategory, Department, User
from reception.roles import Role

pytestmark = pytest.mark.django_db


def run_demo() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_gives_every_role_a_login_and_every_category_a_client():
    run_demo()
    for role in Role:
        assert User.objects.filter(groups__name=role).exists(), f"no demo user for {role}"
    assert set(Client.objects.values_list("category", flat=True)) == set(ClientCategory.values)
    assert User.objects.get(username="sales").check_password("jiedai-demo")
    office = Department.objects.get(code="office")
    assert office.head.username == "office_head"


def test_demo_twice_changes_nothing():
    run_demo()
    counts = (User.objects.count(), Client.objects.count(), Department.objects.count())
    assert "nothing changed" in run_demo()
    assert (User.objects.count(), Client.objects.count(), Department.objects.count()) == counts
