from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from approvals.models import ApprovalChain, ApprovalChainStep
from reception.models import ReceptionGrade, ReceptionPolicy, ReceptionStandard
from visits.models import PrepTaskTemplate, ReminderRule

pytestmark = pytest.mark.django_db


def load(scheme=None, *options) -> str:
    out = StringIO()
    call_command("load_policy", *([scheme] if scheme else []), *options, stdout=out)
    return out.getvalue()


def vip_standard():
    return ReceptionStandard.objects.get(grade__code="vip", grade__scheme__code="four-tier")


def vip_chain_steps():
    chain = ApprovalChain.objects.get(grade__code="vip", grade__scheme__code="four-tier")
    return list(chain.steps.order_by("position").values_list("position", "name"))


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


def test_an_edited_vip_meal_standard_survives_reloading_and_is_reported_as_kept():
    load()
    st = vip_standard()
    st.meal_per_person = Decimal("999")
    st.save()
    output = load()
    assert "0 created, 0 updated" in output
    assert "kept reception standard" in output and "meal_per_person: 999" in output
    assert vip_standard().meal_per_person == Decimal("999")


def test_an_approval_step_the_admin_added_survives_reloading():
    load()
    chain = ApprovalChain.objects.get(grade__code="vip", grade__scheme__code="four-tier")
    rulebook = vip_chain_steps()
    ApprovalChainStep.objects.create(
        chain=chain,
        position=len(rulebook) + 1,
        name="董事长确认",
        name_en="Chairman confirms",
        role=Group.objects.get(name="general_manager"),
    )
    load()
    assert vip_chain_steps() == [*rulebook, (len(rulebook) + 1, "董事长确认")]


def test_an_edited_task_template_and_reminder_rule_survive_reloading():
    load()
    PrepTaskTemplate.objects.filter(code="leader-vip-pickup").update(due_working_days=9)
    rule = ReminderRule.objects.get(code="task-overdue")
    rule.recipient_roles.set([Group.objects.get(name="administrator")])
    load()
    assert PrepTaskTemplate.objects.get(code="leader-vip-pickup").due_working_days == 9
    assert list(rule.recipient_roles.values_list("name", flat=True)) == ["administrator"]


def test_reset_without_yes_prints_the_differences_and_changes_nothing():
    load()
    st = vip_standard()
    st.meal_per_person = Decimal("999")
    st.save()
    output = load("four-tier", "--reset")
    assert "meal_per_person: 999.00 → 150" in output
    assert "NOT done" in output and "--reset --yes" in output
    assert vip_standard().meal_per_person == Decimal("999")


def test_reset_with_yes_restores_the_rulebook():
    load()
    rulebook = vip_chain_steps()
    st = vip_standard()
    st.meal_per_person = Decimal("999")
    st.save()
    st.extras.clear()
    chain = ApprovalChain.objects.get(grade__code="vip", grade__scheme__code="four-tier")
    ApprovalChainStep.objects.create(
        chain=chain, position=9, name="董事长确认", role=Group.objects.get(name="general_manager")
    )
    output = load("four-tier", "--reset", "--yes")
    assert "updated reception standard" in output
    assert vip_standard().meal_per_person == Decimal("150")
    assert vip_standard().extras.count() == 3
    assert vip_chain_steps() == rulebook
    assert "0 created, 0 updated" in load()


def test_yes_without_reset_is_refused():
    with pytest.raises(CommandError):
        load("four-tier", "--yes")


def test_reloading_keeps_the_scheme_the_company_uses():
    load()
    load("abc")  # a new scheme is put in use
    load("four-tier")
    assert ReceptionPolicy.get().scheme.code == "abc"


def test_use_switches_the_scheme_and_changes_the_grades_offered():
    load()
    load("abc")
    assert [g.code for g in ReceptionGrade.objects.current()] == ["a", "b", "c"]
    load("four-tier", "--use")
    assert [g.code for g in ReceptionGrade.objects.current()] == [
        "vip",
        "guest",
        "business",
        "routine",
    ]
