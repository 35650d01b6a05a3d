"""Where a link about one approval step sends its reader (a notification's link, an email's):
to the decision card while the step waits for them, otherwise to the page of what the step
approves, with a sentence on what became of the step.

Approvals knows no page of what it approves (its subject, approvals.subject): the app that owns
it registers one (register_subject_page, from its AppConfig.ready()), as it connects to
approvals.signals.
"""

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reception.accounts.roles import role_label
from reception.models import User

from .models import ApprovalStep, DecidedAs, StepState

SubjectPage = Callable[[ApprovalStep, User], str | None]

_subject_pages: list[SubjectPage] = []


def register_subject_page(page: SubjectPage) -> None:
    """`page(step, user)`: the URL of the step's subject for that user, or None if they may
    not open it. Registering the same function twice keeps one."""
    if page not in _subject_pages:
        _subject_pages.append(page)


def subject_page(step: ApprovalStep, user: User) -> str | None:
    for page in _subject_pages:
        url = page(step, user)
        if url:
            return url
    return None


def step_link(step: ApprovalStep) -> str:
    """The one link for every message about this step: it resolves when followed."""
    return reverse("approvals:step", args=[step.pk])


def focused(name: str, step: ApprovalStep) -> str:
    """A list page (the queue, oversight) showing only this step's card, scrolled to it."""
    return f"{reverse(name)}?step={step.pk}#step-{step.pk}"


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment else "—"


def _waits_for(step: ApprovalStep) -> str:
    approvers = step.approver_label
    if step.escalated_to_id:
        approvers = _("%(approvers)s or %(role)s (escalated)") % {
            "approvers": approvers,
            "role": role_label(step.escalated_to.name if step.escalated_to else ""),
        }
    return approvers


def step_status(step: ApprovalStep, user: User) -> str:
    """What became of the step, said to `user` (who followed a link about it)."""
    names: dict[str, Any] = {"step": step.label, "ref": step.subject.short_name}
    if step.is_decided:
        names |= {
            "decision": step.get_state_display(),
            "user": step.decided_by or _("someone else"),
            "when": _when(step.decided_at),
        }
        if step.decided_by_id == user.pk:
            if step.on_behalf_of_id:
                names["absent"] = step.on_behalf_of
                return (
                    _(
                        "You already decided “%(step)s” of %(ref)s (%(decision)s) on behalf of "
                        "%(absent)s at %(when)s."
                    )
                    % names
                )
            return (
                _("You already decided “%(step)s” of %(ref)s (%(decision)s) at %(when)s.") % names
            )
        if step.decided_as == DecidedAs.DELEGATE and step.on_behalf_of_id:
            names["absent"] = step.on_behalf_of
            return (
                _(
                    "“%(step)s” of %(ref)s was already decided (%(decision)s) by %(user)s on "
                    "behalf of %(absent)s at %(when)s."
                )
                % names
            )
        if step.decided_as == DecidedAs.ESCALATION and step.escalated_to_id:
            names["role"] = role_label(step.escalated_to.name if step.escalated_to else "")
            return (
                _(
                    "“%(step)s” of %(ref)s was already decided (%(decision)s) by %(user)s "
                    "(%(role)s, after escalation) at %(when)s."
                )
                % names
            )
        if step.decided_as == DecidedAs.ADMINISTRATOR:
            return (
                _(
                    "“%(step)s” of %(ref)s was already decided (%(decision)s) by %(user)s as "
                    "administrator at %(when)s."
                )
                % names
            )
        return (
            _("“%(step)s” of %(ref)s was already decided (%(decision)s) by %(user)s at %(when)s.")
            % names
        )
    if step.state == StepState.SKIPPED:
        return (
            _(
                "“%(step)s” of %(ref)s no longer needs a decision: the request was returned, "
                "rejected, withdrawn or took another route."
            )
            % names
        )
    if step.state == StepState.WAITING:
        return _("“%(step)s” of %(ref)s waits for the steps before it.") % names
    names["approvers"] = _waits_for(step)
    if step.subject.requested_by_id == user.pk:
        return (
            _("“%(step)s” of %(ref)s waits for %(approvers)s: nobody decides their own request.")
            % names
        )
    return _("“%(step)s” of %(ref)s no longer waits for you: it waits for %(approvers)s.") % names
