"""Filing, editing, submitting and cancelling visit requests."""

import uuid
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals import services as approvals
from reception.accounts.roles import APPLICANT_ROLES, has_role
from reception.models import ReceptionPolicy, Site, User
from reception.notifications.messages import Msg

from .. import permissions
from ..models import (
    ANNOUNCED_CHANGE_STATUSES,
    CANCELLABLE_STATUSES,
    EventKind,
    Purpose,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
)
from ..models.requests import FILED_FIELDS
from . import changes, notifications, passes, preparation, watch_list
from .approval import start_approval
from .lifecycle import VisitError, lock, transition
from .staff import STAFF_LOCKED, name_defaults, repropose_main_host

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The people who hold tasks by name (PrepTaskTemplate.assign_to): their tasks follow them.
HOLDERS = {"main_host", "sales_lead", "project_engineer"}
REQUIRED_TO_SUBMIT = [
    "client",
    "proposed_grade",
    "arrival_at",
    "departure_at",
    "reason",
    "purposes",
]
VISITOR_FIELDS = ["name", "title", "phone", "id_number", "notes"]
# What is stored of an ID number (never the number itself): Visitor.set_id_number().
ID_NUMBER_FIELDS = ["id_number_masked", "id_number_hash"]


def days_ahead(visit: VisitRequest) -> int:
    """Calendar days between filing (first submission, or today) and arrival."""
    filed = timezone.localtime(visit.submitted_at).date() if visit.submitted_at else None
    return (timezone.localtime(visit.arrival_at).date() - (filed or timezone.localdate())).days


def is_late(visit: VisitRequest) -> bool:
    """Filed fewer than the policy's lead-time days before arrival (seed 001: three days)."""
    if visit.arrival_at is None:
        return False
    return days_ahead(visit) < ReceptionPolicy.get().lead_time_days


def submission_problems(visit: VisitRequest, *, visitor_count: int) -> "dict[str, StrOrPromise]":
    """What stops this request from being submitted, by field; empty when it can go."""
    problems: dict[str, StrOrPromise] = {}
    for field in REQUIRED_TO_SUBMIT:
        if not getattr(visit, field):
            problems[field] = _("Required before the request can be submitted.")
    if visitor_count < 1:
        problems["visitors"] = _("Name at least one visitor.")
    elif visit.headcount < visitor_count:
        problems["headcount"] = _("The number of visitors cannot be below the %(n)s named.") % {
            "n": visitor_count
        }
    if visit.arrival_at and visit.arrival_at <= timezone.now():
        problems["arrival_at"] = _("The arrival must be in the future.")
    if visit.is_commercial and not visit.applicant.has_perm("visits.file_commercial"):
        problems["guest_kind"] = _(
            "You file visits of non-commercial organisations only (government, association, "
            "school, media, other); sales file commercial customers' visits."
        )
    elif visit.is_commercial and visit.client is not None and not visit.client.category:
        problems["client"] = _(
            "A commercial customer needs a category: set it on the client's page, or choose a "
            "non-commercial kind of guest."
        )
    if Purpose.OTHER in visit.purposes and not visit.purpose_other.strip():
        problems["purpose_other"] = _("Describe the other purpose.")
    if "arrival_at" not in problems and is_late(visit) and not visit.late_reason.strip():
        problems["late_reason"] = ngettext_lazy(
            "Requests are due %(policy)s day before arrival; this one is %(days)s days "
            "ahead. Say why it is late.",
            "Requests are due %(policy)s days before arrival; this one is %(days)s days "
            "ahead. Say why it is late.",
            "policy",
        ) % {"policy": ReceptionPolicy.get().lead_time_days, "days": days_ahead(visit)}
    return problems


def _apply(visit: VisitRequest, data: dict) -> None:
    for field in FILED_FIELDS:
        if field in data and not (field == "site" and data[field] is None):
            setattr(visit, field, data[field])


def default_site(applicant: User) -> Site | None:
    """Where a new request is for when the form does not say: the applicant's home site, else
    the first active site (a one-site company's only one)."""
    home = applicant.home_site
    if home is not None and home.is_active:
        return home
    return Site.objects.active().first()


def _settle_site(visit: VisitRequest, *, was: int | None) -> None:
    """A new request without a site takes the default one; a request filed for, or moved to,
    a site must name an active one (a request already at a site closed since may stay)."""
    if visit.site_id is None:
        site = default_site(visit.applicant)
        if site is None:
            raise VisitError(_("The company has no active site: an administrator adds one."))
        visit.site = site
    if visit.site_id != was and not visit.site.is_active:
        raise VisitError(
            _("%(site)s no longer receives visitors: choose another site.")
            % {"site": visit.site.label}
        )


def _sync_related(visit: VisitRequest, data: dict, visitors: list[dict] | None) -> None:
    if "contacts" in data:
        allowed = [c for c in data["contacts"] if c.client_id == visit.client_id]
        visit.contacts.set(allowed)
    if "accompanying_staff" in data:
        visit.accompanying_staff.set(data["accompanying_staff"])
    if visitors is None:
        return
    existing = {v.pk: v for v in visit.visitors.all()}
    keep = set()
    for row in visitors:
        current = existing.get(row.get("id"))  # type: ignore[arg-type]  # None: a new row
        values = {f: (row.get(f) or "").strip() for f in VISITOR_FIELDS}
        id_number = values.pop("id_number")
        if current is None:
            visitor = Visitor(visit=visit, **values)
            visitor.set_id_number(id_number)
            visitor.save()
            continue
        keep.add(current.pk)
        before = {f: getattr(current, f) for f in (*values, *ID_NUMBER_FIELDS)}
        for f, v in values.items():
            setattr(current, f, v)
        if id_number:  # the form never shows the stored number: blank keeps it
            current.set_id_number(id_number)
        changed = [f for f, old in before.items() if getattr(current, f) != old]
        if changed:
            current.save(update_fields=changed)
    removed = [pk for pk in existing if pk not in keep]
    if removed:
        passes.revoke_passes(visitor_ids=removed)
    Visitor.objects.filter(visit=visit).exclude(pk__in=keep).filter(pk__in=existing).delete()


def assign_reference(visit: VisitRequest) -> None:
    """JD-<year filed>-<number>, e.g. JD-2026-00042: human-readable and unique (the pk)."""
    year = timezone.localtime(visit.created_at).year
    visit.reference = f"JD-{year}-{visit.pk:05d}"
    visit.save(update_fields=["reference"])


ONLY_THE_APPLICANT = _("Only the applicant can change this request.")


def _check_applicant(visit: VisitRequest, by: User) -> None:
    if not permissions.is_applicant(by, visit):
        raise VisitError(ONLY_THE_APPLICANT)


class AlreadyFiled(VisitError):
    """The filing form's token was used already: `visit` is the request it filed."""

    def __init__(self, visit: VisitRequest):
        super().__init__(
            _("Request %(ref)s was already filed with this form.") % {"ref": visit.reference}
        )
        self.visit = visit


def filed_with_token(applicant: User, token: uuid.UUID | None) -> VisitRequest | None:
    if token is None:
        return None
    return VisitRequest.objects.filter(applicant=applicant, submission_token=token).first()


def file_visit_request(
    *,
    applicant: User,
    data: dict,
    visitors: list[dict],
    submit: bool = False,
    token: uuid.UUID | None = None,
) -> VisitRequest:
    """Save a new request as a draft, and submit it straight away if asked.

    `token` is the filing form's one-time token: filing twice with it (a double click, a
    resent form) raises AlreadyFiled with the request the first one filed."""
    if not has_role(applicant, *APPLICANT_ROLES):
        raise VisitError(
            _(
                "Only sales staff and project engineers file visit requests (the office: "
                "for non-commercial guests)."
            )
        )
    if earlier := filed_with_token(applicant, token):
        raise AlreadyFiled(earlier)
    try:
        return _file(applicant=applicant, data=data, visitors=visitors, submit=submit, token=token)
    except IntegrityError:
        # Two submissions at once: the unique token let exactly one of them through.
        if earlier := filed_with_token(applicant, token):
            raise AlreadyFiled(earlier) from None
        raise


def _file(*, applicant, data, visitors, submit, token) -> VisitRequest:
    with transaction.atomic():
        visit = VisitRequest(applicant=applicant, submission_token=token)
        _apply(visit, data)
        _settle_site(visit, was=None)
        visit.save()
        assign_reference(visit)
        _sync_related(visit, data, visitors)
        VisitEvent.objects.create(
            visit=visit, actor=applicant, kind=EventKind.TRANSITION, to_status=VisitStatus.DRAFT
        )
        watch_list.screen_visit(visit)  # a match tells security (docs/gate.md)
        if submit:
            visit = submit_visit_request(visit=visit, by=applicant)
    return visit


def update_visit_request(
    *, visit: VisitRequest, by: User, data: dict, visitors: list[dict] | None
) -> list[dict]:
    """Change a request. After approval, each change is logged and reception is told; a new
    grade sends it back through approval. Returns the changes made."""
    with transaction.atomic():
        visit = lock(visit)
        _check_applicant(visit, by)
        if not permissions.is_editable(by, visit):
            raise VisitError(
                _("A request that is “%(status)s” cannot be edited; ask the approver to return it.")
                % {"status": visit.get_status_display()}
            )
        permissions.require(by, "visits.edit_visit", visit, ONLY_THE_APPLICANT)
        before = changes.snapshot(visit)
        old_grade, old_host = visit.proposed_grade_id, visit.main_host_id
        old_site = visit.site_id
        _apply(visit, data)
        _settle_site(visit, was=old_site)
        if visit.status == VisitStatus.IN_PROGRESS and visit.proposed_grade_id != old_grade:
            raise VisitError(_("The grade cannot change while the guests are on site."))
        if visit.status == VisitStatus.IN_PROGRESS and visit.main_host_id != old_host:
            raise VisitError(STAFF_LOCKED)
        visit.save()
        _sync_related(visit, data, visitors)
        diff = changes.differences(before, changes.snapshot(visit))
        # After approval every change is logged field by field and announced to reception.
        if visit.status in ANNOUNCED_CHANGE_STATUSES and diff:
            VisitEvent.objects.create(visit=visit, actor=by, kind=EventKind.CHANGE, changes=diff)
            if visit.proposed_grade_id != old_grade:
                if visit.main_host_id == old_host:  # not chosen in this same change
                    repropose_main_host(
                        visit=visit,
                        grade=visit.proposed_grade,  # type: ignore[arg-type]  # one was chosen
                        by=by,
                    )
                _send_back_for_approval(visit, by)
                preparation.propagate_changes(visit, diff, by, reconcile=False)
            else:
                notifications.changed(visit, by, [changes.change_line(c) for c in diff])
                preparation.propagate_changes(visit, diff, by)
            if HOLDERS & {c["field"] for c in diff}:
                preparation.follow_holders(visit, by)
    return diff


def _send_back_for_approval(visit: VisitRequest, by: User) -> None:
    visit.final_grade = None
    visit.save(update_fields=["final_grade"])
    approvals.skip_open_steps(visit)
    transition(visit, to=VisitStatus.IN_APPROVAL, by=by, message=Msg(_("The grade changed.")))
    start_approval(visit)


def submit_visit_request(*, visit: VisitRequest, by: User) -> VisitRequest:
    with transaction.atomic():
        visit = lock(visit)
        _check_applicant(visit, by)
        if not permissions.is_submittable(by, visit):
            raise VisitError(
                _("Only a draft or a returned request can be submitted; this one is “%(s)s”.")
                % {"s": visit.get_status_display()}
            )
        permissions.require(by, "visits.submit_visit", visit, ONLY_THE_APPLICANT)
        problems = submission_problems(visit, visitor_count=visit.visitors.count())
        if problems:
            raise VisitError(
                _("The request is not complete: %(fields)s.")
                % {"fields": ", ".join(str(changes.field_label(f)) for f in problems)}
            )
        visit.late = is_late(visit)
        visit.final_grade = None
        named = name_defaults(visit)
        visit.save(update_fields=["late", "final_grade", *named, "updated_at"])
        transition(visit, to=VisitStatus.SUBMITTED, by=by)
        start_approval(visit)
    return visit


def cancel_visit_request(*, visit: VisitRequest, by: User, reason: str) -> VisitRequest:
    reason = (reason or "").strip()
    with transaction.atomic():
        visit = lock(visit)
        _check_applicant(visit, by)
        if not reason:
            raise VisitError(_("Give a reason for cancelling: everyone involved will read it."))
        if visit.status not in CANCELLABLE_STATUSES:
            raise VisitError(
                _("A request that is “%(status)s” cannot be cancelled.")
                % {"status": visit.get_status_display()}
            )
        if visit.has_arrived:
            raise VisitError(_("The visit has started; it can no longer be cancelled."))
        permissions.require(by, "visits.cancel_visit", visit, ONLY_THE_APPLICANT)
        people = notifications.involved_in(visit)
        approvals.skip_open_steps(visit)
        transition(visit, to=VisitStatus.CANCELLED, by=by, comment=reason)
        notifications.cancelled(visit, people, by, reason)
        preparation.cancel_tasks(visit, by)
        passes.revoke_passes(visit=visit)
    return visit
