"""Changing a visit's main host and customer receptionist."""

from collections.abc import Callable

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reception.accounts.roles import Role, has_role
from reception.models import ReceptionGrade, ReceptionPolicy, User
from reception.notifications.notify import Lines, Msg, notify
from reception.organisation.selectors import default_main_host as grade_main_host

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
        permissions.require(
            by,
            "visits.change_staff",
            visit,
            _("Only reception, approvers and the applicant change the staff."),
        )
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


def non_commercial_host() -> User | None:
    """Seed 001 十.2: guests other than business customers are received by the office (the
    policy's department for them); its head hosts them."""
    department = ReceptionPolicy.get().non_commercial_department
    head = department.head if department is not None else None
    return head if head is not None and head.is_active else None


def default_main_host(visit: VisitRequest, grade: ReceptionGrade | None = None) -> User | None:
    """The main host a request takes when it names none: for non-commercial guests the head of
    the department that receives them, otherwise the first holder of the role the grade's
    standard names."""
    if not visit.is_commercial and (head := non_commercial_host()) is not None:
        return head
    return grade_main_host(grade or visit.proposed_grade)


def _active(user: User | None) -> User | None:
    return user if user is not None and user.is_active else None


def default_sales_lead(visit: VisitRequest) -> User | None:
    """The client's account owner; else the applicant, if they are sales staff (the project
    marketing lead files the request, seed 001 四.1)."""
    owner = _active(visit.client.account_owner) if visit.client is not None else None
    if owner is not None:
        return owner
    return visit.applicant if has_role(visit.applicant, Role.SALES) else None


def default_project_engineer(visit: VisitRequest) -> User | None:
    """The client's project engineer; else the applicant, if they are a project engineer.
    Never anybody else: a technical visit filed by sales for a client without an engineer
    leaves the engineer's tasks with the technology department, unassigned."""
    engineer = _active(visit.client.project_engineer) if visit.client is not None else None
    if engineer is not None:
        return engineer
    return visit.applicant if has_role(visit.applicant, Role.PROJECT_ENGINEER) else None


def name_defaults(visit: VisitRequest) -> list[str]:
    """Fill the people the request leaves empty with their defaults (on submission, as the
    filing form says). Returns the fields set; the caller saves them."""
    filled = []
    defaults: dict[str, Callable[[VisitRequest], User | None]] = {
        "main_host": default_main_host,
        "sales_lead": default_sales_lead,
        "project_engineer": default_project_engineer,
    }
    for field, default in defaults.items():
        if getattr(visit, f"{field}_id") is None:
            person = default(visit)
            if person is not None:
                setattr(visit, field, person)
                filled.append(field)
    return filled


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
    Non-commercial guests stay with the office's head whatever their grade (seed 001 十.2).
    Runs inside the caller's transaction, on a locked visit."""
    if fits_standard(visit.main_host, grade):
        return None
    if not visit.is_commercial and non_commercial_host() is not None:
        return None
    host = default_main_host(visit, grade)
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
