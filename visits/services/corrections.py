"""Corrections an administrator makes to what the desk recorded. The audit trail is
append-only: the admin shows check-in and check-out times read-only, and a correction goes
through here, which keeps the old and new values and the reason on the visit's timeline."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from reception.models import User

from ..models import EventKind, VisitEvent, Visitor
from . import changes
from .lifecycle import VisitError, lock

CHECK_TIME_FIELDS = ("checked_in_at", "checked_out_at")


def correct_check_times(
    *,
    visitor: Visitor,
    by: User,
    checked_in_at: datetime | None,
    checked_out_at: datetime | None,
    reason: str,
) -> list[dict[str, Any]]:
    """Set a visitor's check-in and check-out times, recording the correction (old and new
    values, who, why) on the visit's timeline. Returns the changes."""
    reason = (reason or "").strip()
    if not reason:
        raise VisitError(_("Give the reason for the correction; it goes on the timeline."))
    if checked_out_at and not checked_in_at:
        raise VisitError(_("A visitor who checked out must have checked in."))
    if checked_in_at and checked_out_at and checked_out_at < checked_in_at:
        raise VisitError(_("The check-out time is before the check-in time."))
    with transaction.atomic():
        visit = lock(visitor.visit)
        visitor = Visitor.objects.select_for_update().get(pk=visitor.pk, visit=visit)
        new = {"checked_in_at": checked_in_at, "checked_out_at": checked_out_at}
        diff = [
            {
                "field": field,
                "old": changes.neutral(getattr(visitor, field)),
                "new": changes.neutral(new[field]),
                "visitor": visitor.name,
            }
            for field in CHECK_TIME_FIELDS
            if getattr(visitor, field) != new[field]
        ]
        if not diff:
            raise VisitError(_("Nothing to correct: the times are already these."))
        for field in CHECK_TIME_FIELDS:
            setattr(visitor, field, new[field])
        visitor.save(update_fields=list(CHECK_TIME_FIELDS))
        VisitEvent.objects.create(
            visit=visit, actor=by, kind=EventKind.CORRECTION, changes=diff, comment=reason
        )
    return diff
