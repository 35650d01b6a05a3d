"""The one table of legal status changes, and the one function that applies them."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.errors import RuleError
from reception.models import User
from reception.notifications.messages import Msg

from ..models import EventKind, VisitEvent, VisitRequest
from ..models import VisitStatus as S

TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED, S.CANCELLED},
    # Submitted: waiting for marketing to grade it (the first step of every chain).
    S.SUBMITTED: {S.IN_APPROVAL, S.APPROVED, S.RETURNED, S.REJECTED, S.CANCELLED},
    S.IN_APPROVAL: {S.APPROVED, S.RETURNED, S.REJECTED, S.CANCELLED},
    S.RETURNED: {S.SUBMITTED, S.CANCELLED},
    # A grade change after approval sends the request back through approval.
    S.APPROVED: {S.IN_PROGRESS, S.IN_APPROVAL, S.CANCELLED},
    # Back one step only when the desk undoes, within its minute, the check-in that started
    # the visit or the check-out that completed it (services/desk.py).
    S.IN_PROGRESS: {S.COMPLETED, S.APPROVED},
    S.COMPLETED: {S.CLOSED, S.IN_PROGRESS},
    S.REJECTED: set(),
    S.CANCELLED: set(),
    S.CLOSED: set(),
}


# Every refused rule, in visits and in approvals, is one error type: pages catch one thing.
VisitError = RuleError


class IllegalTransition(VisitError):
    def __init__(self, visit: VisitRequest, to: str):
        super().__init__(
            _("A visit request that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(visit.status).label, "target": S(to).label}
        )


def lock(visit: VisitRequest) -> VisitRequest:
    """The visit's row, locked until the transaction ends: every write to a visit starts here."""
    return VisitRequest.objects.select_for_update().get(pk=visit.pk)


def transition(
    visit: VisitRequest,
    *,
    to: str,
    by: User | None,
    comment: str = "",
    message: Msg | None = None,
) -> VisitEvent:
    """Move `visit` to status `to`, or raise IllegalTransition. Call inside a transaction.

    `comment` is what a person typed; `message` what the system says about the move."""
    if to not in TRANSITIONS[visit.status]:
        raise IllegalTransition(visit, to)
    from_status = visit.status
    visit.status = to
    now = timezone.now()
    fields = ["status", "updated_at"]
    if to == S.SUBMITTED and visit.submitted_at is None:  # first filing counts for lateness
        visit.submitted_at = now
        fields.append("submitted_at")
    if to == S.APPROVED and from_status != S.IN_PROGRESS:  # an undone check-in approves nothing
        visit.approved_at = now
        fields.append("approved_at")
    visit.save(update_fields=fields)
    return VisitEvent.objects.create(
        visit=visit,
        at=now,
        actor=by,
        kind=EventKind.TRANSITION,
        from_status=from_status,
        to_status=to,
        comment=comment,
        message=message.to_json() if message else None,
    )
