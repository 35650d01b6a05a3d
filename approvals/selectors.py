from django.db.models import F, Q, QuerySet

from .models import ApprovalStep, StepState


def steps_of(user) -> QuerySet[ApprovalStep]:
    """Steps addressed to this user: to a role they hold, or to them by name."""
    group_ids = list(user.groups.values_list("pk", flat=True))
    return ApprovalStep.objects.filter(Q(role_id__in=group_ids) | Q(user=user))


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
        )
        .order_by(F("visit__arrival_at").asc(nulls_last=True), "activated_at")
    )
