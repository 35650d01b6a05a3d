"""Changing a visit's main host and customer receptionist."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reception.models import ReceptionGrade, User
from reception.notify import Lines, Msg, notify
from reception.selectors import default_main_host

from .. import permissions
from ..models import (
    EventKind,
    VisitEvent,
    VisitRequest,
)
from . import changes, notifications, preparation
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
            preparation.follow_holders(visit, by)
    return diff


def fits_standard(user: User | None, grade: ReceptionGrade | None) -> bool:
    """Holds the role the grade's standard names as main host (true when it names none)."""
    standard = getattr(grade, "standard", None) if grade else None
    if standard is None or standard.main_host_role_id is None:
        return True
    return user is not None and user.groups.filter(pk=standard.main_host_role_id).exists()


def repropose_main_host(*, visit: VisitRequest, grade: ReceptionGrade, by: User) -> User | None:
    """The grade changed: when the main host does not hold the role the new grade's standard
    names, propose its first holder instead, note it on the timeline, hand the host's tasks
    over, and tell the person who regraded. Returns the new host, or None when nothing moved.
    Runs inside the caller's transaction, on a locked visit."""
    if fits_standard(visit.main_host, grade):
        return None
    host = default_main_host(grade)
    if host is None or host.pk == visit.main_host_id:
        return None
    before = changes.snapshot(visit)
    visit.main_host = host
    visit.save(update_fields=["main_host", "updated_at"])
    diff = [
        c for c in changes.differences(before, changes.snapshot(visit)) if c["field"] == "main_host"
    ]
    note = Msg(
        _("The main host follows the standard of grade %(grade)s: %(host)s."),
        grade=lambda: grade.label,
        host=host,
    )
    VisitEvent.objects.create(
        visit=visit, actor=by, kind=EventKind.CHANGE, changes=diff, message=note.to_json()
    )
    notify(
        [by],
        kind=notifications.Kind.VISIT_CHANGED,
        title=Msg(
            _("%(ref)s: the main host is now %(host)s, as grade %(grade)s's standard says"),
            ref=visit.reference,
            host=host,
            grade=lambda: grade.label,
        ),
        body=Lines([changes.change_line(c) for c in diff]),
        url=reverse("visits:detail", args=[visit.pk]),
    )
    preparation.follow_holders(visit, by)
    return host
