"""The admin reads as Chinese for a Chinese administrator: django-axes' sections, the policy's
change history, and roles by their names rather than their codes."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from approvals.models import ApprovalChainStep
from reception.accounts.roles import Role
from reception.models import ReceptionPolicy, ReceptionStandard
from tests.admin_forms import change_form_data
from tests.factories import user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_zh(client, db):
    admin = user_with(Role.ADMINISTRATOR, username="admin_zh", is_staff=True, is_superuser=True)
    admin.language = "zh-hans"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    return client


def text_of(response) -> str:
    """The page's visible words: tags and scripts out."""
    html = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_log_in_attempt_sections_are_in_chinese(admin_zh):
    page = text_of(admin_zh.get(reverse("admin:index")))
    with translation.override("zh-hans"):
        for english in ["access attempts", "access failures", "access logs", "Log-in attempts"]:
            assert translation.gettext(english) in page
    assert "Access attempts" not in page and "Axes" not in page and "Access logs" not in page
    assert "Model name" not in page and "Change or view list link" not in page


def test_the_access_attempt_list_is_in_chinese(admin_zh):
    AccessAttempt.objects.create(
        username="wang",
        ip_address="10.0.0.9",
        user_agent="Firefox",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=3,
    )
    page = text_of(admin_zh.get(reverse("admin:axes_accessattempt_changelist")))
    assert "IP 地址" in page and "IP Address" not in page


def test_a_policy_change_without_a_reason_shows_a_dash_not_none(admin_zh):
    policy = ReceptionPolicy.get()
    url = reverse("admin:reception_receptionpolicy_change", args=[policy.pk])
    data = change_form_data(admin_zh.get(url)) | {"lead_time_days": "5", "company_name": "江南精工"}
    assert admin_zh.post(url, data).status_code == 302

    history = admin_zh.get(reverse("admin:reception_receptionpolicy_history", args=[policy.pk]))
    cells = re.findall(r"<td>\s*(.*?)\s*</td>", history.content.decode(), flags=re.S)
    assert "None" not in cells and "—" in cells


def test_the_standards_list_names_the_main_hosts_role(four_tier, admin_zh):
    gm = Group.objects.get(name=Role.GENERAL_MANAGER)
    assert ReceptionStandard.objects.filter(main_host_role=gm).exists()
    page = text_of(admin_zh.get(reverse("admin:reception_receptionstandard_changelist")))
    assert "总经理" in page
    assert "general_manager" not in page and "deputy_gm" not in page  # neither column nor filter


def test_the_chain_steps_list_and_its_form_name_roles(four_tier, admin_zh):
    page = text_of(admin_zh.get(reverse("admin:approvals_approvalchainstep_changelist")))
    assert "营销部" in page or "总经理" in page
    assert not re.search(r"\b(marketing|general_manager|deputy_gm)\b", page)
    step = ApprovalChainStep.objects.filter(role__isnull=False).first()
    form = admin_zh.get(reverse("admin:approvals_approvalchainstep_change", args=[step.pk]))
    assert "general_manager</option>" not in form.content.decode()
    with translation.override("zh-hans"):
        assert f">{Role.GENERAL_MANAGER.label}</option>" in form.content.decode()


def test_reception_keeps_its_own_app_config_beside_the_one_for_axes():
    """Two app configs in reception/apps.py made Django fall back to a bare one for
    reception, whose ready() (signals, access) then never ran."""
    from django.apps import apps as registry

    from reception.apps import ReceptionConfig

    assert type(registry.get_app_config("reception")) is ReceptionConfig
    with translation.override("en"):
        assert str(registry.get_app_config("axes").verbose_name) == "Log-in attempts"
