"""Sites as data: the one site load_policy makes, the time zone check, the admin pages."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from reception.accounts.roles import Role
from reception.models import ReceptionPolicy, Site
from tests.factories import SiteFactory, user_with

pytestmark = pytest.mark.django_db


def test_load_policy_makes_one_site_named_after_the_company():
    ReceptionPolicy.objects.create(company_name="华东精密机械", company_name_en="East Precision")
    call_command("load_policy", "four-tier", stdout=StringIO())
    site = Site.objects.get()
    assert (site.code, site.name, site.name_en, site.is_active) == (
        "main",
        "华东精密机械",
        "East Precision",
        True,
    )
    assert site.time_zone == "Asia/Shanghai"


@override_settings(LANGUAGE_CODE="zh-hans")
def test_without_a_company_name_the_site_is_the_head_office():
    call_command("load_policy", "four-tier", stdout=StringIO())
    site = Site.objects.get()
    assert (site.name, site.name_en) == ("总部", "Head office")


def test_loading_again_or_with_sites_described_adds_none():
    SiteFactory(code="suzhou", name="苏州工厂")
    out = StringIO()
    call_command("load_policy", "four-tier", stdout=out)
    call_command("load_policy", "four-tier", stdout=out)
    assert list(Site.objects.values_list("code", flat=True)) == ["suzhou"]


def test_a_site_s_time_zone_must_be_one_zoneinfo_knows():
    site = SiteFactory.build(code="berlin", time_zone="Europe/Berlin")
    site.full_clean()
    site.time_zone = "Asia/Suzhou"
    with pytest.raises(ValidationError) as error:
        site.full_clean()
    assert error.value.error_dict["time_zone"][0].code == "invalid_time_zone"


def test_sites_are_listed_by_their_order_then_code():
    SiteFactory(code="b", ordering=1)
    SiteFactory(code="a", ordering=2)
    SiteFactory(code="c", ordering=1)
    assert list(Site.objects.values_list("code", flat=True)) == ["b", "c", "a"]


def test_names_addresses_and_directions_follow_the_language():
    site = SiteFactory(
        name="苏州工厂", name_en="Suzhou plant", directions="东门进", directions_en="East gate"
    )
    with translation.override("en"):
        assert (site.label, site.directions_label) == ("Suzhou plant", "East gate")
    with translation.override("zh-hans"):
        assert (site.label, site.address_label, site.directions_label) == (
            "苏州工厂",
            site.address,
            "东门进",
        )


def admin_in(client, language):
    admin = user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True, language=language)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["厂区", "地址", "时区", "苏州工厂", "来访者如何找到厂区"]),
        ("en", ["Sites", "Address", "Time zone", "Suzhou plant", "How visitors find the site"]),
    ],
)
def test_the_site_admin_speaks_both_languages(client, language, words):
    site = SiteFactory(name="苏州工厂", name_en="Suzhou plant")
    admin = admin_in(client, language)
    pages = [
        admin.get(reverse("admin:reception_site_changelist")),
        admin.get(reverse("admin:reception_site_change", args=[site.pk])),
        admin.get(reverse("admin:reception_site_add")),
    ]
    text = "".join(p.content.decode() for p in pages)
    assert all(p.status_code == 200 for p in pages)
    for word in words:
        assert word in text


def test_the_user_admin_sets_the_home_site_and_the_sites_worked_at(client):
    person = user_with(Role.FRONT_DESK)
    admin = admin_in(client, "zh-hans")
    text = admin.get(reverse("admin:reception_user_change", args=[person.pk])).content.decode()
    assert 'name="home_site"' in text and 'name="sites"' in text
    assert "所属厂区" in text and "工作厂区" in text
