"""The work summary that closes a visit: the visited department's part and HR's part.

The visit closes when both parts are in, or when HR closes it with the department's part
waived (with a reason). Follow-up actions named in a part go to their owners' task list
until done."""

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reception.models import User
from reception.notifications.messages import Msg

from ..models import (
    EventKind,
    FollowUpAction,
    SummarySide,
    VisitEvent,
    VisitRequest,
    VisitStatus,
    VisitSummary,
)
from . import notifications
from .lifecycle import VisitError, lock, transition

RULE: dict[str, str] = {
    SummarySide.DEPARTMENT: "visits.write_department_summary",
    SummarySide.HR: "visits.write_hr_summary",
}
REFUSED: dict[str, str | Promise] = {
    SummarySide.DEPARTMENT: _(
        "The head of the visited department, or one of its members named on the visit, "
        "writes the department's part."
    ),
    SummarySide.HR: _("HR writes HR's part of the work summary."),
}


def sides_of(user: User, visit: VisitRequest) -> list[str]:
    """The parts of the summary `user` may write on `visit` now."""
    return [side for side, rule in RULE.items() if user.has_perm(rule, visit)]


def _check_open(visit: VisitRequest, side: str) -> None:
    if visit.status != VisitStatus.COMPLETED:
        raise VisitError(_("A work summary is written once the guests have left."))
    if visit.summary_parts.filter(side=side).exists():
        raise VisitError(_("The %(side)s part is already in.") % {"side": SummarySide(side).label})


def _close_if_complete(visit: VisitRequest, by: User) -> bool:
    if visit.summary_parts.count() < len(SummarySide):
        return False
    transition(visit, to=VisitStatus.CLOSED, by=by)
    notifications.closed(visit, by)
    return True


def write_part(
    *,
    visit: VisitRequest,
    side: str,
    by: User,
    data: dict[str, Any],
    follow_ups: Sequence[dict[str, Any]] = (),
) -> VisitSummary:
    """One side writes its part; the second part in closes the visit."""
    with transaction.atomic():
        visit = lock(visit)
        if not by.has_perm(RULE[side], visit):
            if visit.status != VisitStatus.COMPLETED:
                raise VisitError(_("A work summary is written once the guests have left."))
            raise VisitError(REFUSED[side])
        _check_open(visit, side)
        outcome = (data.get("outcome") or "").strip()
        if not outcome:
            raise VisitError(_("Say what came of the visit."))
        part = VisitSummary.objects.create(
            visit=visit,
            side=side,
            written_by=by,
            outcome=outcome,
            lessons=(data.get("lessons") or "").strip(),
            improvements=(data.get("improvements") or "").strip(),
        )
        actions = [
            FollowUpAction.objects.create(
                summary=part,
                visit=visit,
                description=row["description"].strip(),
                owner=row["owner"],
                due_on=row["due_on"],
            )
            for row in follow_ups
        ]
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            kind=EventKind.SUMMARY,
            message=Msg(SummarySide(side).label).to_json(),
        )
        if actions:
            notifications.follow_ups_given(visit, actions, by)
        _close_if_complete(visit, by)
    return part


def waive_department_part(*, visit: VisitRequest, by: User, reason: str) -> VisitSummary:
    """HR closes the visit without the department's part; the reason is kept."""
    with transaction.atomic():
        visit = lock(visit)
        if not by.has_perm("visits.waive_department_summary", visit):
            raise VisitError(_("HR waives the department's part once the guests have left."))
        _check_open(visit, SummarySide.DEPARTMENT)
        reason = (reason or "").strip()
        if not reason:
            raise VisitError(_("Say why the department's part is waived."))
        part = VisitSummary.objects.create(
            visit=visit, side=SummarySide.DEPARTMENT, written_by=by, waived_reason=reason
        )
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            kind=EventKind.SUMMARY,
            message=Msg(_("The department's part was waived.")).to_json(),
            comment=reason,
        )
        _close_if_complete(visit, by)
    return part


def close_follow_up(*, action: FollowUpAction, by: User) -> FollowUpAction:
    with transaction.atomic():
        action = FollowUpAction.objects.select_for_update().get(pk=action.pk)
        if not by.has_perm("visits.close_follow_up", action):
            raise VisitError(_("Only its owner marks a follow-up action done."))
        if action.done_at is None:
            action.done_at = timezone.now()
            action.save(update_fields=["done_at"])
    return action
