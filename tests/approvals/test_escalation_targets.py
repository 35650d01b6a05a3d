"""Escalation never goes down (issue 22, item 13): each chain step names where it escalates —
its approvers' delegates, roles the policy ranks at or above its own, the administrators — as
policy data with the rulebook's defaults; a role ranked below the step is refused by
validation and never taken at run time."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import (
    ApprovalChainStep,
    Delegation,
    EscalationReason,
    EscalationTarget,
    EscalationTargetKind,
    StepState,
)
from approvals.services import authority, decide, sweep_steps
from demo.organisation import load_demo_organisation
from demo.visits import load_demo_desk
from reception.accounts.roles import Role
from reception.models import RoleRank, User
from reception.policy.loading import LoadReport
from tests.admin_forms import change_form_data
from tests.factories import file_visit, moment, user_with
from visits.models import EventKind
from visits.services.notifications import Kind

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 23)


def pending(visit):
    return visit.approval_steps.select_related("escalated_to", "role").get(state=StepState.PENDING)


def gm_step_waiting_since_monday(visit, grader):
    """The VIP request graded; its general manager's step pending since Monday 9:00."""
    decide(step=pending(visit), by=grader, decision=StepState.APPROVED)
    step = pending(visit)
    assert step.role.name == Role.GENERAL_MANAGER
    visit.approval_steps.filter(pk=step.pk).update(activated_at=moment(MONDAY, 9))
    return step


def chain_step(grade, role) -> ApprovalChainStep:
    return ApprovalChainStep.objects.get(chain__grade=grade, role__name=role)


# a grade whose chain has a step for the role
GRADE_OF = {
    Role.MARKETING: "vip",
    Role.GENERAL_MANAGER: "vip",
    Role.DEPUTY_GM: "guest",
    Role.MARKETING_HEAD: "routine",
}


def test_an_overdue_gm_step_of_the_demo_goes_to_the_administrators_not_the_marketing_head(
    four_tier,
):
    """The issue as the demo showed it: a VIP step waiting for the general manager escalated
    after 32 working hours to the marketing head (“总经理审批”已上报给您)."""
    load_demo_organisation(LoadReport())
    load_demo_desk(LoadReport())  # the demo's policy
    people = {u.username: u for u in User.objects.all()}
    visit = file_visit(people["sales"], four_tier["vip"])
    gm_step_waiting_since_monday(visit, people["marketing"])
    sweep_steps(now=moment(MONDAY + timedelta(days=4), 17))  # 32 working hours and more
    step = pending(visit)
    assert step.escalated_to.name == Role.ADMINISTRATOR
    assert step.escalation_reason == EscalationReason.OVERDUE
    head = people["marketing_head"]
    assert not head.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()
    assert authority(step, head) is None
    assert people["admin"].notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()


def test_an_overdue_gm_step_goes_to_the_gm_s_delegate_then_to_the_administrators(
    four_tier, sales, staff, login
):
    admin = user_with(Role.ADMINISTRATOR, username="admin")
    today = timezone.localdate()
    Delegation.objects.create(
        approver=staff.gm, delegate=staff.deputy_gm, starts_on=today, ends_on=today
    )
    visit = file_visit(sales, four_tier["vip"])
    gm_step_waiting_since_monday(visit, staff.marketing)
    tuesday = MONDAY + timedelta(days=1)
    assert sweep_steps(now=moment(tuesday, 16))["overdue"] == 1
    step = pending(visit)
    assert step.escalated_to is None and step.escalation_level == 1
    assert str(step.escalation_target_label) == "the approvers' delegates"
    assert staff.deputy_gm.notifications.filter(kind=Kind.APPROVAL_ESCALATED).count() == 1
    assert not admin.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()
    card = login(staff.deputy_gm).get(reverse("approvals:queue")).content.decode()
    assert "Escalated to the approvers&#x27; delegates: Pending too long." in card
    # 16 more working hours after the escalation (Tuesday 16:00 to Thursday 14:00)
    assert sweep_steps(now=moment(tuesday + timedelta(days=2), 13, 30))["overdue"] == 0
    assert sweep_steps(now=moment(tuesday + timedelta(days=2), 14))["overdue"] == 1
    step = pending(visit)
    assert step.escalated_to.name == Role.ADMINISTRATOR
    assert admin.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()
    assert sweep_steps(now=moment(tuesday + timedelta(days=9), 9))["overdue"] == 0  # the end


def test_a_deputy_gm_step_escalates_up_to_the_general_manager(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    decide(step=pending(visit), by=staff.marketing, decision=StepState.APPROVED)
    visit.approval_steps.filter(state=StepState.PENDING).update(activated_at=moment(MONDAY, 9))
    sweep_steps(now=moment(MONDAY + timedelta(days=2), 12))
    step = pending(visit)
    assert step.role.name == Role.DEPUTY_GM and step.escalated_to.name == Role.GENERAL_MANAGER
    decide(step=step, by=staff.gm, decision=StepState.APPROVED)


def test_a_downward_target_put_in_the_data_is_never_taken(four_tier, sales, staff):
    """Validation refuses it; a row written around validation (or a rank changed since) is
    skipped at run time."""
    user_with(Role.ADMINISTRATOR, username="admin")
    template = chain_step(four_tier["vip"], Role.GENERAL_MANAGER)
    template.escalation_targets.all().delete()
    EscalationTarget.objects.create(
        step=template,
        position=1,
        kind=EscalationTargetKind.ROLE,
        role=Group.objects.get(name=Role.MARKETING_HEAD),
    )
    visit = file_visit(sales, four_tier["vip"])
    gm_step_waiting_since_monday(visit, staff.marketing)
    sweep_steps(now=moment(MONDAY + timedelta(days=2), 12))
    assert pending(visit).escalated_to.name == Role.ADMINISTRATOR
    assert not staff.marketing_head.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()


def test_validation_refuses_a_target_ranked_below_the_step_or_not_ranked(four_tier):
    cases = [
        (Role.GENERAL_MANAGER, Role.MARKETING_HEAD, False),
        (Role.GENERAL_MANAGER, Role.DEPUTY_GM, False),
        (Role.MARKETING_HEAD, Role.MARKETING, False),
        (Role.MARKETING, Role.SALES, False),  # not ranked: receives no escalation
        (Role.DEPUTY_GM, Role.GENERAL_MANAGER, True),
        (Role.DEPUTY_GM, Role.DEPUTY_GM, True),  # at the step's rank
        (Role.MARKETING, Role.MARKETING_HEAD, True),
    ]
    for step_role, target_role, allowed in cases:
        target = EscalationTarget(
            step=chain_step(four_tier[GRADE_OF[step_role]], step_role),
            position=9,
            kind=EscalationTargetKind.ROLE,
            role=Group.objects.get(name=target_role),
        )
        if allowed:
            target.full_clean()
        else:
            with pytest.raises(ValidationError) as refused:
                target.full_clean()
            assert "role" in refused.value.message_dict, (step_role, target_role)


def test_a_rank_is_what_validation_reads(four_tier):
    """Rank the marketing head with the general manager, and it may take the GM's step."""
    template = chain_step(four_tier["vip"], Role.GENERAL_MANAGER)
    head = Group.objects.get(name=Role.MARKETING_HEAD)
    target = EscalationTarget(step=template, position=9, kind=EscalationTargetKind.ROLE, role=head)
    with pytest.raises(ValidationError):
        target.full_clean()
    RoleRank.objects.filter(role=head).update(rank=1)
    target.full_clean()


def test_a_step_s_role_cannot_be_raised_above_its_escalation_targets(four_tier):
    template = chain_step(four_tier["guest"], Role.DEPUTY_GM)  # escalates to the GM
    template.role = Group.objects.get(name=Role.GENERAL_MANAGER)
    template.full_clean()  # the GM at the GM's rank: not down
    template.role = Group.objects.get(name=Role.MARKETING)
    template.full_clean()  # up from marketing: fine
    template.refresh_from_db()
    EscalationTarget.objects.filter(step=template, kind=EscalationTargetKind.ROLE).update(
        role=Group.objects.get(name=Role.DEPUTY_GM)
    )
    template.role = Group.objects.get(name=Role.GENERAL_MANAGER)
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert "role" in refused.value.message_dict


@pytest.fixture
def admin_client(client, db):
    client.force_login(user_with(Role.ADMINISTRATOR, username="admin_t", is_staff=True))
    return client


def test_the_admin_edits_a_step_s_targets_and_refuses_one_ranked_below(four_tier, admin_client):
    template = chain_step(four_tier["vip"], Role.GENERAL_MANAGER)
    url = reverse("admin:approvals_approvalchainstep_change", args=[template.pk])
    data = change_form_data(admin_client.get(url))
    prefix = "escalation_targets"
    assert data[f"{prefix}-TOTAL_FORMS"] == "2"  # delegate, administrator
    head = Group.objects.get(name=Role.MARKETING_HEAD)
    data |= {f"{prefix}-1-kind": "role", f"{prefix}-1-role": str(head.pk)}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "escalation never goes down" in response.content.decode()
    assert template.escalation_targets.filter(role=head).count() == 0
    gm = Group.objects.get(name=Role.GENERAL_MANAGER)
    data |= {f"{prefix}-1-role": str(gm.pk)}  # the general manager: at the step's rank
    assert admin_client.post(url, data).status_code == 302
    assert path(template) == [("delegate", None), ("role", Role.GENERAL_MANAGER)]
    chain_page = admin_client.get(
        reverse("admin:approvals_approvalchain_change", args=[template.chain_id])
    )
    assert "The approvers&#x27; delegates (during an absence) → General manager" in (
        chain_page.content.decode()
    )
    ranks = admin_client.get(reverse("admin:reception_rolerank_changelist"))
    assert ranks.status_code == 200 and "General manager" in ranks.content.decode()


# ---- the rulebook's defaults, loaded without overwriting edits -----------------------------


def load(*args) -> str:
    out = StringIO()
    call_command("load_policy", "four-tier", *args, stdout=out)
    return out.getvalue()


def path(template):
    return [
        (t.kind, t.role.name if t.role else None)
        for t in template.escalation_targets.order_by("position")
    ]


def test_load_policy_gives_ranks_and_each_step_the_rulebook_s_targets(four_tier):
    ranks = dict(RoleRank.objects.values_list("role__name", "rank"))
    assert ranks[Role.GENERAL_MANAGER] < ranks[Role.DEPUTY_GM] < ranks[Role.MARKETING_HEAD]
    assert ranks[Role.MARKETING_HEAD] < ranks[Role.MARKETING]
    assert path(chain_step(four_tier["vip"], Role.GENERAL_MANAGER)) == [
        ("delegate", None),
        ("administrator", None),
    ]
    assert path(chain_step(four_tier["routine"], Role.MARKETING)) == [
        ("delegate", None),
        ("role", Role.MARKETING_HEAD),
        ("administrator", None),
    ]
    for target in EscalationTarget.objects.all():
        target.full_clean()  # the rulebook's own targets pass its validation


def test_load_policy_keeps_edited_ranks_and_targets(four_tier):
    gm_rank = RoleRank.objects.get(role__name=Role.GENERAL_MANAGER)
    gm_rank.rank = 7
    gm_rank.save()
    template = chain_step(four_tier["vip"], Role.GENERAL_MANAGER)
    template.escalation_targets.filter(kind=EscalationTargetKind.DELEGATE).delete()
    emptied = chain_step(four_tier["vip"], Role.PRODUCT_DIRECTOR)
    emptied.escalation_targets.all().delete()  # the company wants the default
    out = load()
    assert "edited row(s) kept" in out
    assert RoleRank.objects.get(role__name=Role.GENERAL_MANAGER).rank == 7
    assert path(template) == [("administrator", None)]
    assert path(emptied) == []
    load("--reset", "--yes")
    assert RoleRank.objects.get(role__name=Role.GENERAL_MANAGER).rank == 1
    assert path(template) == [("delegate", None), ("administrator", None)]


def test_a_chain_loaded_before_escalation_targets_existed_gets_them(four_tier):
    """A step that never had targets (a company upgrading) gets the rulebook's on the next
    load; the step's history of targets is what tells it from one emptied on purpose."""
    template = chain_step(four_tier["vip"], Role.GENERAL_MANAGER)
    template.escalation_targets.all().delete()
    EscalationTarget.history.filter(step_id=template.pk).delete()
    load()
    assert path(template) == [("delegate", None), ("administrator", None)]


def test_the_timeline_says_where_a_step_went_and_why(four_tier, sales, staff, login):
    user_with(Role.ADMINISTRATOR, username="admin")
    visit = file_visit(sales, four_tier["vip"])
    gm_step_waiting_since_monday(visit, staff.marketing)
    sweep_steps(now=moment(MONDAY + timedelta(days=2), 12))
    event = visit.events.get(kind=EventKind.APPROVAL_ESCALATED)
    with translation.override("zh-hans"):
        assert "总经理审批" in event.shown_message
    with translation.override("en"):
        assert event.shown_message == (
            "“General manager approves” escalated to Administrator: Pending too long."
        )
    sales.language = "zh-hans"
    sales.save()
    page = login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "“总经理审批”已上报至" in page
