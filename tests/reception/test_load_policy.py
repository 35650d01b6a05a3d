from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from reception.models import ReceptionGrade, ReceptionPolicy, ReceptionStandard

pytestmark = pytest.mark.django_db


def load(scheme=None) -> str:
    out = StringIO()
    call_command("load_policy", *([scheme] if scheme else []), stdout=out)
    return out.getvalue()


def standards(scheme):
    return {
        s.grade.code: s
        for s in ReceptionStandard.objects.filter(grade__scheme__code=scheme).select_related(
            "grade", "main_host_role"
        )
    }


def test_four_tier_is_the_default_and_has_the_rulebook_values():
    output = load()
    assert "four-tier" in output
    grades = list(ReceptionGrade.objects.filter(scheme__code="four-tier").order_by("rank"))
    assert [(g.code, g.name, g.name_en) for g in grades] == [
        ("vip", "贵宾级", "VIP"),
        ("guest", "嘉宾级", "Guest"),
        ("business", "商务级", "Business"),
        ("routine", "业务级", "Routine"),
    ]
    s = standards("four-tier")
    money = {
        code: (st.meal_per_person, st.wine_per_bottle, st.cigarettes_per_pack)
        for code, st in s.items()
    }
    assert money == {
        "vip": (Decimal("150"), Decimal("500"), Decimal("40")),
        "guest": (Decimal("110"), Decimal("300"), Decimal("30")),
        "business": (Decimal("80"), Decimal("150"), Decimal("25")),
        "routine": (Decimal("60"), Decimal("50"), Decimal("15")),
    }
    assert s["vip"].hotel_class == "四星级" and s["vip"].car_class_en == "BMW class or above"
    assert s["guest"].car_class_en == s["business"].car_class_en == "Passat class or above"
    assert s["routine"].car_class == ""
    assert s["business"].hotel_class_en == "Superior business hotel"
    hosts = {code: st.main_host_role.name for code, st in s.items()}
    assert hosts == {
        "vip": "general_manager",
        "guest": "deputy_gm",
        "business": "deputy_gm",
        "routine": "marketing_head",
    }
    assert set(s["vip"].extras.values_list("code", flat=True)) == {
        "flowers",
        "table_name_cards",
        "leader_pickup",
    }
    assert not s["routine"].extras.exists()
    assert ReceptionPolicy.get().scheme.code == "four-tier"


def test_abc_loads_three_grades_mapped_to_gm_deputy_gm_and_marketing_head():
    load("abc")
    s = standards("abc")
    assert sorted(s) == ["a", "b", "c"]
    assert [s[c].main_host_role.name for c in "abc"] == [
        "general_manager",
        "deputy_gm",
        "marketing_head",
    ]
    assert ReceptionPolicy.get().scheme.code == "abc"
    assert "Appendix 1" in s["a"].notes_en  # says where the values came from


@pytest.mark.parametrize("scheme", ["four-tier", "abc"])
def test_loading_twice_changes_nothing(scheme):
    load(scheme)
    counts = (ReceptionGrade.objects.count(), ReceptionStandard.objects.count())
    second = load(scheme)
    assert "0 created, 0 updated" in second
    assert (ReceptionGrade.objects.count(), ReceptionStandard.objects.count()) == counts


def test_reloading_restores_an_edited_value_and_says_so():
    load()
    st = ReceptionStandard.objects.get(grade__code="vip", grade__scheme__code="four-tier")
    st.meal_per_person = Decimal("999")
    st.save()
    output = load()
    assert "updated reception standard" in output
    st.refresh_from_db()
    assert st.meal_per_person == Decimal("150")


def test_switching_scheme_changes_the_grades_offered():
    load()
    load("abc")
    assert [g.code for g in ReceptionGrade.objects.current()] == ["a", "b", "c"]
    load("four-tier")
    assert [g.code for g in ReceptionGrade.objects.current()] == [
        "vip",
        "guest",
        "business",
        "routine",
    ]
