"""Invitations: the applicant sends the client's contact a signed link; the contact completes
the visitors on a phone (the same change handling as a staff edit, marked "by the guest") and
each visitor accepts the texts in force."""

import logging
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from reception.accounts import throttle
from reception.models import ClientContact, User
from reception.notifications.notify import Lines, Msg, notify

from .. import permissions
from ..models import (
    ANNOUNCED_CHANGE_STATUSES,
    EDITABLE_STATUSES,
    TERMINAL_STATUSES,
    EventKind,
    GuestNotice,
    GuestPolicy,
    Invitation,
    NoticeAcceptance,
    VisitEvent,
    Visitor,
    VisitRequest,
)
from ..models.guests import INVITATION_SALT
from . import changes, passes, preparation, watch_list
from .lifecycle import VisitError, lock
from .notifications import Kind, receptionists_of

log = logging.getLogger("jiedai.invitations")

# The fields of a visitor the guest fills in (besides the ID number, kept masked and hashed).
GUEST_FIELDS = [
    "name",
    "title",
    "phone",
    "id_type",
    "car_plate",
    "arrival_mode",
    "arrival_number",
    "arrival_time",
    "dietary",
]


class InvitationClosed(VisitError):
    """The link does not open (anymore): bad signature, revoked, expired, visit closed."""


def expiry(visit: VisitRequest) -> datetime:
    """The end of the visit's last day at its site: the link closes then."""
    zone = ZoneInfo(visit.site.time_zone)
    end = visit.departure_at or visit.arrival_at or timezone.now()
    last_day = timezone.localtime(end, zone).date()
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("visits:guest_invitation", args=[invitation.token])
    return settings.SITE_URL.rstrip("/") + path


def live_invitation(visit: VisitRequest) -> Invitation | None:
    return (
        visit.invitations.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by("-created_at")
        .first()
    )


def send_invitation(
    *, visit: VisitRequest, by: User, email: str = "", contact: ClientContact | None = None
) -> Invitation:
    """The visit's live invitation (made on first sending), emailed to `email` or the contact's
    address when given; the link works on its own too (pasted into WeChat)."""
    with transaction.atomic():
        visit = lock(visit)
        permissions.require(
            by,
            "visits.invite_guests",
            visit,
            _("The applicant invites the guests, once the policy allows it for this request."),
        )
        invitation = live_invitation(visit)
        if contact is not None and contact.client_id != visit.client_id:
            contact = None
        address = (email or (contact.email if contact else "") or "").strip()
        if invitation is None:
            invitation = Invitation.objects.create(
                visit=visit,
                contact=contact,
                sent_to=address,
                created_by=by,
                expires_at=expiry(visit),
                base_headcount=max(visit.headcount, visit.visitors.count()),
            )
        elif address and address != invitation.sent_to:
            invitation.sent_to = address
            invitation.save(update_fields=["sent_to"])
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            kind=EventKind.NOTE,
            message=Msg(_("Invitation sent to %(to)s"), to=address or "—").to_json(),
        )
        if address:
            invitation_id = invitation.pk
            transaction.on_commit(lambda: email_invitation(invitation_id))
    return invitation


def email_invitation(invitation_id: int) -> None:
    """The invitation in both languages, with each visitor's pass as a PNG attached."""
    invitation = Invitation.objects.select_related("visit__site", "visit__client").get(
        pk=invitation_id
    )
    visit = invitation.visit
    with translation.override("zh-hans"):
        context = {
            "invitation": invitation,
            "visit": visit,
            "url": invitation_url(invitation),
            "visitors": list(visit.visitors.all()),
        }
        body = render_to_string("visits/guest/invitation_email.txt", context)
        subject = str(_("Invitation: %(company)s") % {"company": _company_name()})
    message = EmailMultiAlternatives(subject=subject, body=body, to=[invitation.sent_to])
    for visitor_id, visitor_pass in passes.passes_for(visit).items():
        message.attach(f"pass-{visitor_pass.code}.png", passes.qr_png(visitor_pass), "image/png")
        del visitor_id
    message.send()


def _company_name() -> str:
    from reception.models import ReceptionPolicy

    return ReceptionPolicy.get().company_name or "Jiedai"


def revoke_invitation(*, invitation: Invitation, by: User) -> Invitation:
    with transaction.atomic():
        visit = lock(invitation.visit)
        permissions.require(
            by, "visits.edit_visit", visit, _("Only the applicant revokes the invitation.")
        )
        Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=by
        )
        VisitEvent.objects.create(
            visit=visit,
            actor=by,
            kind=EventKind.NOTE,
            message=Msg(_("Invitation revoked")).to_json(),
        )
    invitation.refresh_from_db()
    return invitation


def open_invitation(token: str) -> Invitation:
    """The invitation the token opens, or InvitationClosed with one sentence why not."""
    try:
        pk, nonce = signing.Signer(salt=INVITATION_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvitationClosed(_("This invitation link is not valid.")) from None
    invitation = (
        Invitation.objects.filter(pk=pk, nonce=nonce)
        .select_related("visit__site", "visit__client", "visit__applicant", "visit__main_host")
        .first()
    )
    if invitation is None:
        raise InvitationClosed(_("This invitation link is not valid."))
    if invitation.revoked_at is not None:
        raise InvitationClosed(
            _("This invitation has been withdrawn: ask your host for a new one.")
        )
    if invitation.expires_at <= timezone.now():
        raise InvitationClosed(_("This invitation has expired: the visit is over."))
    if invitation.visit.status in TERMINAL_STATUSES:
        raise InvitationClosed(_("This visit is no longer planned: ask your host."))
    if invitation.opened_at is None:
        Invitation.objects.filter(pk=invitation.pk).update(opened_at=timezone.now())
    return invitation


def visitor_limit(invitation: Invitation) -> int:
    return invitation.base_headcount + GuestPolicy.get().extra_visitors


def guest_may_change(visit: VisitRequest) -> bool:
    """The guest changes the visitors while the applicant could: before submission, after a
    return, and once approved (changes announced); not while approvers decide."""
    return visit.status in EDITABLE_STATUSES


def save_guest_visitors(*, invitation: Invitation, rows: list[dict], guest_name: str) -> list[dict]:
    """The guest's list of visitors: rows with `id` (an existing visitor) or without (a new
    one); visitors of the invitation's visit missing from the rows are removed. Goes through
    the same handling as a staff edit: logged field by field after approval (by the guest),
    preparation re-checks flagged, the applicant, the receptionist and the main host told."""
    guest_name = (guest_name or "").strip()[:100] or str(_("the guest"))
    if not throttle.within(
        f"guest:{invitation.pk}", limit=GuestPolicy.get().changes_per_hour, seconds=3600
    ):
        raise VisitError(_("Too many changes in an hour: try again later."))
    with transaction.atomic():
        visit = lock(invitation.visit)
        invitation = Invitation.objects.get(pk=invitation.pk)
        if invitation.revoked_at is not None or invitation.expires_at <= timezone.now():
            raise InvitationClosed(_("This invitation is no longer valid."))
        if not guest_may_change(visit):
            raise VisitError(
                _("The request is being approved: changes are possible again after the decision.")
            )
        limit = visitor_limit(invitation)
        if len(rows) > limit:
            raise VisitError(
                _("At most %(n)s visitors for this visit: ask your host for more.") % {"n": limit}
            )
        if not rows:
            raise VisitError(_("Name at least one visitor."))
        before = changes.snapshot(visit)
        removed = _sync_guest_visitors(visit, rows)
        if removed:
            passes.revoke_passes(visitor_ids=removed)
        count = visit.visitors.count()
        if visit.headcount < count:
            visit.headcount = count
            visit.save(update_fields=["headcount", "updated_at"])
        diff = changes.differences(before, changes.snapshot(visit))
        if diff and visit.status in ANNOUNCED_CHANGE_STATUSES:
            VisitEvent.objects.create(
                visit=visit, kind=EventKind.CHANGE, changes=diff, guest=guest_name
            )
            preparation.propagate_changes(visit, diff, visit.applicant)
        if diff:
            _tell_of_guest_change(visit, guest_name, diff)
    return diff


def _sync_guest_visitors(visit: VisitRequest, rows: list[dict]) -> list[int]:
    existing = {v.pk: v for v in visit.visitors.all()}
    keep = set()
    for row in rows:
        current = existing.get(row.get("id") or 0)
        values = {f: (row.get(f) or "").strip() for f in GUEST_FIELDS if f != "arrival_time"}
        values["arrival_time"] = row.get("arrival_time") or None
        id_number = (row.get("id_number") or "").strip()
        if current is None:
            visitor = Visitor(visit=visit, **values)
            visitor.set_id_number(id_number)
            visitor.save()
            watch_list.screen_guest_visitor(visitor)  # a match holds their check-in
            continue
        keep.add(current.pk)
        before = {f: getattr(current, f) for f in (*values, "id_number_masked", "id_number_hash")}
        for field, value in values.items():
            setattr(current, field, value)
        if id_number:  # never shown again: blank keeps the stored one
            current.set_id_number(id_number)
        changed = [f for f, old in before.items() if getattr(current, f) != old]
        if changed:
            current.save(update_fields=changed)
            if set(changed) & {"name", "phone", "id_number_hash"}:
                watch_list.screen_guest_visitor(current)
    removed = [pk for pk in existing if pk not in keep]
    Visitor.objects.filter(pk__in=removed).delete()
    return removed


def _tell_of_guest_change(visit: VisitRequest, guest_name: str, diff: list[dict]) -> None:
    notify(
        [visit.applicant, *receptionists_of(visit), visit.main_host],
        kind=Kind.VISIT_CHANGED,
        title=Msg(_("%(ref)s changed by the guest %(name)s"), ref=visit.reference, name=guest_name),
        body=Lines([changes.change_line(c) for c in diff]),
        url=reverse("visits:detail", args=[visit.pk]),
    )


def accept_notices(
    *, visitor: Visitor, notices: list[GuestNotice], name: str, at_kiosk: bool = False
) -> list[NoticeAcceptance]:
    """The visitor accepts these texts (their current versions), as `name`, now; a text
    accepted already keeps its first acceptance."""
    name = (name or "").strip()[:100]
    if not name:
        raise VisitError(_("Type your name to accept."))
    made = []
    with transaction.atomic():
        for notice in notices:
            acceptance, created = NoticeAcceptance.objects.get_or_create(
                visitor=visitor,
                notice=notice,
                defaults={"version": notice.version, "name": name, "at_kiosk": at_kiosk},
            )
            if created:
                made.append(acceptance)
    return made


def acceptance_by_visitor(visit: VisitRequest) -> dict[int, set[int]]:
    """The texts each visitor of the visit accepted: {visitor id: {notice id}} (one query)."""
    accepted: dict[int, set[int]] = {}
    for visitor_id, notice_id in NoticeAcceptance.objects.filter(visitor__visit=visit).values_list(
        "visitor_id", "notice_id"
    ):
        accepted.setdefault(visitor_id, set()).add(notice_id)
    return accepted


def log_refused(token: str, reason: str) -> None:
    log.warning("invitation refused (%s): %s", reason, token[:12])
