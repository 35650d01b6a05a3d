"""Deciding an approval step on its card in the IM apps (reception/notifications/channels/
actions.py): "Approve" acts through the same decide() as the page, with the same rules (only the
step's approvers, one decision per person, never one's own request); "Return…" and "Reject…"
need a comment and open the step's page instead."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reception.notifications.channels.actions import Button, Outcome

from .links import step_link
from .models import ApprovalStep, StepState
from .services import decide

ACTION = "approval_step"


def buttons_for(step: ApprovalStep) -> list[Button]:
    """The buttons of the card that tells an approver a step waits for them."""
    return [
        Button(
            gettext_lazy("Approve"),
            action=ACTION,
            target=step.pk,
            choice=StepState.APPROVED,
            primary=True,
        ),
        Button(gettext_lazy("Return or reject…"), url=step_link(step)),
    ]


def decide_from_card(*, user, target: int, choice: str) -> Outcome:
    step = ApprovalStep.objects.filter(pk=target).first()
    if step is None:
        return Outcome(text=_("This approval step no longer exists."))
    title = f"{step.subject.short_name} · {step.label}"
    if choice != StepState.APPROVED:
        return Outcome(
            text=_("Returning or rejecting needs a comment: open the page."),
            title=title,
            url=step_link(step),
        )
    step = decide(step=step, by=user, decision=StepState.APPROVED)
    return Outcome(
        done=True,
        title=title,
        text=_("Approved by %(user)s at %(time)s.")
        % {"user": user, "time": timezone.localtime(step.decided_at).strftime("%H:%M")},
        url=step_link(step),
    )
