"""Walk-ins (seed 000 D, 未预约冒昧来访): the gate records them, the person they ask for accepts
(a fast-tracked walk-in request) or declines."""

from datetime import timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import Client, ClientCategory, ReceptionGrade, ReceptionPolicy, User
from reception.notify import Msg, notify
from reception.validators import name_key, normalize_name

from ..models import (
    EventKind,
    Origin,
    Purpose,
    VisitEvent,
    Visitor,
    VisitRequest,
    VisitStatus,
    WalkIn,
    WalkInStatus,
)
from .approval import start_approval
from .lifecycle import VisitError, transition
from .notifications import Kind
from .requests import assign_reference


def walk_in_contact() -> User | None:
    return ReceptionPolicy.get().walk_in_contact


def record_walk_in(
    *,
    by: User,
    company: str,
    names: str,
    headcount: int,
    phone: str,
    wants_to_see: User,
    purpose: str,
) -> WalkIn:
    """Security or the front desk records an unannounced visitor; the person they want to see
    is told at once."""
    company = normalize_name(company)
    client = Client.objects.filter(name_key=name_key(company)).order_by("pk").first()
    walk_in = WalkIn.objects.create(
        recorded_by=by,
        company=company,
        client=client,
        names=names.strip(),
        headcount=max(headcount, 1),
        phone=phone.strip(),
        wants_to_see=wants_to_see,
        purpose=purpose.strip(),
    )
    # The phone in full: the person asked for is the would-be host (visits.see_walk_in_phone).
    notify(
        [wants_to_see],
        kind=Kind.WALK_IN,
        title=Msg(
            _("At the gate now: %(names)s from %(company)s want to see you"),
            names=walk_in.names,
            company=company,
        ),
        body=Msg(
            _("Purpose: %(purpose)s. Phone: %(phone)s. Recorded by %(user)s. Accept or decline."),
            purpose=walk_in.purpose,
            phone=walk_in.phone,
            user=by,
        ),
        url=reverse("visits:walk_in", args=[walk_in.pk]),
    )
    return walk_in


def _decided(walk_in: WalkIn, by: User) -> WalkIn:
    walk_in = WalkIn.objects.select_for_update().get(pk=walk_in.pk)
    if walk_in.wants_to_see_id != by.pk:
        raise VisitError(_("Only the person the visitors asked for decides."))
    if walk_in.status != WalkInStatus.WAITING:
        raise VisitError(
            _("This walk-in was already %(status)s.") % {"status": walk_in.get_status_display()}
        )
    walk_in.decided_by = by
    walk_in.decided_at = timezone.now()
    return walk_in


def _routine_grade() -> ReceptionGrade:
    grade = ReceptionGrade.objects.current().order_by("-rank").first()
    if grade is None:
        raise VisitError(_("No grade is set up; ask an administrator to load the policy."))
    return grade


def accept_walk_in(*, walk_in: WalkIn, by: User) -> VisitRequest:
    """Receive them: a visit request of origin walk-in, the lowest (routine) grade, filled in
    from the gate's record and submitted straight away, first in every approver's queue."""
    with transaction.atomic():
        walk_in = _decided(walk_in, by)
        client = (
            walk_in.client
            or Client.objects.filter(name_key=name_key(walk_in.company)).order_by("pk").first()
        )
        if client is None:  # a self-enquiry customer, created on the spot
            client = Client.objects.create(
                name=walk_in.company, category=ClientCategory.SELF_ENQUIRY
            )
        now = timezone.now().replace(second=0, microsecond=0)
        visit = VisitRequest.objects.create(
            applicant=by,
            client=client,
            origin=Origin.WALK_IN,
            purposes=[Purpose.OTHER],
            purpose_other=walk_in.purpose[:200],
            reason=walk_in.purpose,
            proposed_grade=_routine_grade(),
            arrival_at=now,
            departure_at=now + timedelta(hours=2),
            headcount=walk_in.headcount,
            main_host=by,
            late=True,
            late_reason=str(_("Unannounced visitor at the gate.")),
        )
        assign_reference(visit)
        for name in split_names(walk_in.names):
            Visitor.objects.create(visit=visit, name=name, phone=walk_in.phone)
        VisitEvent.objects.create(
            visit=visit,
            actor=walk_in.recorded_by,
            at=walk_in.recorded_at,
            kind=EventKind.WALK_IN,
            changes=[walk_in.company, walk_in.names],
        )
        transition(visit, to=VisitStatus.SUBMITTED, by=by)
        start_approval(visit)
        walk_in.status = WalkInStatus.ACCEPTED
        walk_in.client = client
        walk_in.visit = visit
        walk_in.save()
        _tell_the_gate(walk_in)
    return visit


def decline_walk_in(*, walk_in: WalkIn, by: User, reason: str) -> WalkIn:
    reason = (reason or "").strip()
    if not reason:
        raise VisitError(_("Give a reason: the gate tells the visitors."))
    with transaction.atomic():
        walk_in = _decided(walk_in, by)
        walk_in.status = WalkInStatus.DECLINED
        walk_in.decline_reason = reason[:300]
        walk_in.save()
        _tell_the_gate(walk_in)
    return walk_in


def _tell_the_gate(walk_in: WalkIn) -> None:
    notify(
        [walk_in.recorded_by],
        kind=Kind.WALK_IN_DECIDED,
        title=Msg(
            _("%(company)s: %(status)s by %(user)s"),
            company=walk_in.company,
            status=walk_in.get_status_display(),
            user=walk_in.decided_by,
        ),
        body=Msg(_("Reason: %(reason)s"), reason=walk_in.decline_reason)
        if walk_in.decline_reason
        else None,
        url=reverse("visits:walk_ins"),
    )


def split_names(names: str) -> list[str]:
    for separator in ("、", ",", ",", ";", ";", "\n"):
        names = names.replace(separator, "|")
    return [n.strip() for n in names.split("|") if n.strip()][:50]
