"""Changing a visit's main host and customer receptionist."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from reception.models import User
from reception.roles import APPROVER_ROLES, Role, has_role

from ..models import (
    EventKind,
    VisitEvent,
    VisitRequest,
    VisitStatus,
)
from . import changes, notifications
from .lifecycle import VisitError, lock

STAFF_LOCKED = _(
    "The guests are on site: the reception staff stay the same until they leave. "
    "An approver can change them, with a reason."
)


def change_reception_staff(
    *,
    visit: VisitRequest,
    by: User,
    main_host: User | None,
    receptionist: User | None,
    reason: str = "",
) -> list[dict]:
    """Change the main host or the customer receptionist. Once the guests are on site only an
    approver may, with a reason on the timeline (seed 000: the reception staff stay the same
    until the customer leaves)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        visit = lock(visit)
        approver = by.is_superuser or has_role(by, *APPROVER_ROLES)
        if not (approver or has_role(by, Role.RECEPTIONIST) or visit.applicant_id == by.pk):
            raise VisitError(_("Only reception, approvers and the applicant change the staff."))
        if visit.is_terminal or visit.status == VisitStatus.COMPLETED:
            raise VisitError(_("This visit is over; its staff can no longer change."))
        if visit.status == VisitStatus.IN_PROGRESS:
            if not approver:
                raise VisitError(STAFF_LOCKED)
            if not reason:
                raise VisitError(_("Say why the staff change while the guests are on site."))
        before = changes.snapshot(visit)
        visit.main_host = main_host
        visit.receptionist = receptionist
        visit.save(update_fields=["main_host", "receptionist", "updated_at"])
        diff = [
            c
            for c in changes.differences(before, changes.snapshot(visit))
            if c["field"] in ("main_host", "receptionist")
        ]
        if diff:
            VisitEvent.objects.create(
                visit=visit, actor=by, kind=EventKind.CHANGE, changes=diff, comment=reason
            )
            notifications.changed(visit, by, [changes.change_line(c) for c in diff])
    return diff
