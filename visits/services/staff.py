"""Changing a visit's main host and customer receptionist."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from reception.models import User

from .. import permissions
from ..models import (
    EventKind,
    VisitEvent,
    VisitRequest,
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
        if not permissions.may_change_staff(by, visit):
            raise VisitError(_("Only reception, approvers and the applicant change the staff."))
        if permissions.is_over(by, visit):
            raise VisitError(_("This visit is over; its staff can no longer change."))
        if permissions.guests_on_site(by, visit):
            if not permissions.is_approver(by):
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
