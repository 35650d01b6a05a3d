"""The work summary that closes a visit."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from reception.models import User
from reception.roles import Role, has_role

from ..models import (
    VisitRequest,
    VisitStatus,
    VisitSummary,
)
from . import notifications
from .lifecycle import VisitError, lock, transition


def close_with_summary(*, visit: VisitRequest, by: User, data: dict) -> VisitSummary:
    """The visited side and HR write the work summary; it closes the visit."""
    with transaction.atomic():
        visit = lock(visit)
        allowed = has_role(by, Role.HR) or by.pk in (visit.applicant_id, visit.main_host_id)
        if not allowed:
            raise VisitError(_("HR, the applicant or the main host writes the work summary."))
        if visit.status != VisitStatus.COMPLETED:
            raise VisitError(_("A work summary is written once the guests have left."))
        if not (data.get("outcome") or "").strip():
            raise VisitError(_("Say what came of the visit."))
        summary = VisitSummary.objects.create(
            visit=visit,
            written_by=by,
            outcome=data["outcome"].strip(),
            lessons=(data.get("lessons") or "").strip(),
            improvements=(data.get("improvements") or "").strip(),
            expenses=data.get("expenses"),
        )
        transition(visit, to=VisitStatus.CLOSED, by=by)
        notifications.closed(visit, by)
    return summary
