from django.db.models import F, Q, QuerySet

from .models import ApprovalStep, Delegation, StepState


def _addressed_to(user_id: int, group_ids: list[int]) -> Q:
    return Q(role_id__in=group_ids) | Q(user_id=user_id) | Q(escalated_to_id__in=group_ids)


def steps_of(user) -> QuerySet[ApprovalStep]:
    """Steps addressed to this user: to a role they hold, to them by name, escalated to a
    role they hold, or addressed to an approver they stand in for today (a delegation)."""
    group_ids = list(user.groups.values_list("pk", flat=True))
    q = _addressed_to(user.pk, group_ids)
    for delegation in Delegation.objects.active().filter(delegate=user).select_related("approver"):
        absent = delegation.approver
        absent_groups = list(absent.groups.values_list("pk", flat=True))
        # nobody decides their own request through a delegation, either way round
        q |= _addressed_to(absent.pk, absent_groups) & ~Q(visit__applicant_id=absent.pk)
    return ApprovalStep.objects.filter(pk__in=ApprovalStep.objects.filter(q).values("pk"))


def queue_for(user) -> QuerySet[ApprovalStep]:
    """The steps waiting for this user's decision, soonest arrival first. Their own requests
    are left out: nobody approves their own."""
    return (
        steps_of(user)
        .filter(state=StepState.PENDING)
        .exclude(visit__applicant=user)
        .select_related(
            "visit__client",
            "visit__applicant",
            "visit__proposed_grade",
            "visit__final_grade",
            "visit__main_host",
            "role",
            "user",
            "escalated_to",
        )
        .order_by(F("visit__arrival_at").asc(nulls_last=True), "activated_at")
    )
