"""Visitor passes: one per visitor, a QR and a short code, valid on the visit's days at its
site. `check_pass` answers what a code is worth (a later REST API calls it too);
`check_in_by_pass` checks its visitor in, from the desk, the gate or a lobby kiosk. Every
code given is logged (PassScan) with its answer."""

import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import segno
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.accounts import throttle
from reception.models import Site, User

from .. import permissions
from ..models import (
    CHECK_IN_STATUSES,
    GuestNotice,
    LobbyKiosk,
    NoticeAcceptance,
    PassOutcome,
    PassScan,
    Purpose,
    Visitor,
    VisitorPass,
    VisitRequest,
)
from ..models.guests import PASS_ALPHABET, PASS_QR_PREFIX
from . import watch_list
from .desk import record_arrival
from .lifecycle import VisitError, lock

log = logging.getLogger("jiedai.passes")

# One clear sentence per answer: what the desk, the gate or the kiosk reads out.
SENTENCES = {
    PassOutcome.CHECKED_IN: _("%(name)s is checked in. Welcome!"),
    PassOutcome.VALID: _("Valid pass: %(name)s, %(client)s."),
    PassOutcome.UNKNOWN: _("This is not a valid pass code: check it and try again."),
    PassOutcome.REVOKED: _("This pass has been revoked: please see the front desk."),
    PassOutcome.TOO_EARLY: _("This pass is valid from %(day)s, not today."),
    PassOutcome.EXPIRED: _("This pass expired on %(day)s."),
    PassOutcome.WRONG_SITE: _("This pass is for %(site)s, not this site."),
    PassOutcome.NOT_OPEN: _("This visit is not open for check-in: please see the front desk."),
    PassOutcome.ALREADY_IN: _("%(name)s is already checked in."),
    PassOutcome.NOTICES_MISSING: _(
        "%(name)s must accept the safety and confidentiality texts before the tour."
    ),
    PassOutcome.THROTTLED: _("Too many tries: wait a few minutes, or see the front desk."),
    PassOutcome.HELD: _("%(name)s cannot be checked in here: please see the front desk."),
}
GOOD = frozenset({PassOutcome.CHECKED_IN, PassOutcome.VALID, PassOutcome.ALREADY_IN})
# Kiosk tries per kiosk and per 10 minutes before it pauses (codes are not to be guessed).
KIOSK_TRIES = 30


@dataclass(frozen=True)
class PassResult:
    outcome: PassOutcome
    sentence: str
    visitor_pass: VisitorPass | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in GOOD

    @property
    def visitor(self) -> Visitor | None:
        return self.visitor_pass.visitor if self.visitor_pass else None


def normalise_code(code: str) -> str:
    """What was scanned or typed, as a short code: the QR's prefix, spaces and dashes off,
    upper case, O read as 0 is not in the alphabet so it stays wrong."""
    text = (code or "").strip()
    if text.upper().startswith(PASS_QR_PREFIX):
        text = text[len(PASS_QR_PREFIX) :]
    return "".join(ch for ch in text.upper() if ch not in " -")[:20]


def visit_days(visit: VisitRequest) -> tuple[date | None, date | None]:
    """The first and last day (in the site's calendar) a pass of the visit opens."""
    zone = ZoneInfo(visit.site.time_zone)
    first = timezone.localtime(visit.arrival_at, zone).date() if visit.arrival_at else None
    last = timezone.localtime(visit.departure_at, zone).date() if visit.departure_at else first
    return first, last


def _result(outcome: PassOutcome, found: VisitorPass | None = None, **params) -> PassResult:
    sentence = SENTENCES[outcome]
    if found is not None and found.visitor is not None:
        client = found.visit.client
        params.setdefault("name", found.visitor.name)
        params.setdefault("client", client.label if client else "—")
    try:
        text = str(sentence) % params if params else str(sentence)
    except (KeyError, TypeError):
        text = str(sentence)
    return PassResult(outcome, text, found)


def _find(code: str) -> VisitorPass | None:
    if not code or any(ch not in PASS_ALPHABET for ch in code):
        return None
    return (
        VisitorPass.objects.filter(code=code)
        .select_related("visit__site", "visit__client", "visitor")
        .first()
    )


def check_pass(*, code: str, site: Site, at: datetime | None = None) -> PassResult:
    """What the pass with `code` is worth at `site` at `at` (now): valid, or why not. Reads
    only; logs nothing (check_in_by_pass logs)."""
    at = at or timezone.now()
    found = _find(normalise_code(code))
    if found is None:
        return _result(PassOutcome.UNKNOWN)
    if found.revoked_at is not None or found.visitor is None:
        return _result(PassOutcome.REVOKED, found)
    visit = found.visit
    if visit.site_id != site.pk:
        return _result(PassOutcome.WRONG_SITE, found, site=visit.site.label)
    first, last = visit_days(visit)
    today = timezone.localtime(at, ZoneInfo(visit.site.time_zone)).date()
    if first is None or today < first:
        return _result(PassOutcome.TOO_EARLY, found, day=first or "—")
    if last is not None and today > last:
        return _result(PassOutcome.EXPIRED, found, day=last)
    if visit.status not in CHECK_IN_STATUSES:
        return _result(PassOutcome.NOT_OPEN, found)
    if found.visitor.checked_in_at is not None:
        return _result(PassOutcome.ALREADY_IN, found)
    if watch_list.held_visitors([found.visitor.pk]):
        return _result(PassOutcome.HELD, found)  # security decides (docs/gate.md)
    if missing_notices(found.visitor):
        return _result(PassOutcome.NOTICES_MISSING, found)
    return _result(PassOutcome.VALID, found)


def missing_notices(visitor: Visitor) -> list[GuestNotice]:
    """The texts in force this visitor must accept before check-in and has not: those the
    policy requires before a factory tour, when the visit has one."""
    if Purpose.TOUR not in visitor.visit.purposes:
        return []
    required = GuestNotice.objects.filter(active=True, required_for_tours=True)
    accepted = set(
        NoticeAcceptance.objects.filter(visitor=visitor).values_list("notice_id", flat=True)
    )
    return [n for n in current_notices(required) if n.pk not in accepted]


def current_notices(queryset=None) -> list[GuestNotice]:
    """The latest version in force of each kind of text."""
    rows = (queryset if queryset is not None else GuestNotice.objects.filter(active=True)).order_by(
        "kind", "-version"
    )
    latest: dict[str, GuestNotice] = {}
    for notice in rows:
        latest.setdefault(notice.kind, notice)
    return list(latest.values())


def _log(code: str, site: Site | None, by, kiosk, result: PassResult) -> None:
    PassScan.objects.create(
        code=(code or "")[:40],
        site=site,
        by=by,
        kiosk=kiosk,
        visitor_pass=result.visitor_pass,
        outcome=result.outcome,
    )
    level = logging.INFO if result.ok else logging.WARNING
    log.log(
        level, "pass %s at %s: %s", (code or "")[:40], site.code if site else "-", result.outcome
    )


def check_in_by_pass(
    *,
    code: str,
    site: Site,
    by: User | None = None,
    kiosk: LobbyKiosk | None = None,
    phone: str | None = None,
    at: datetime | None = None,
    gate: str = "",
) -> PassResult:
    """Check in the pass's visitor: from the desk or the gate (`by`, who may check guests in)
    or from a lobby kiosk (`kiosk`, no user; the visitor types their mobile number with the
    code, or scans the pass). Logged, whatever the answer. `gate` names the turnstile that
    reported the visitor through (the API's passage): it goes on the timeline."""
    if by is None and kiosk is None:
        raise ValueError("check_in_by_pass needs the desk user or the kiosk")
    if kiosk is not None and not throttle.within(
        f"kiosk:{kiosk.pk}", limit=KIOSK_TRIES, seconds=600
    ):
        result = _result(PassOutcome.THROTTLED)
        _log(code, site, by, kiosk, result)
        return result
    with transaction.atomic():
        result = check_pass(code=code, site=site, at=at)
        typed_wrong = phone is not None and not _phone_matches(result.visitor, phone)
        if result.outcome == PassOutcome.VALID and typed_wrong:
            result = _result(PassOutcome.UNKNOWN)
        if result.outcome == PassOutcome.VALID and result.visitor_pass is not None:
            found = result.visitor_pass
            visit = lock(found.visit)
            if by is not None:
                permissions.require(
                    by, "visits.check_in_by_pass", visit, _("The desk or the gate scans passes.")
                )
            visitor = Visitor.objects.select_for_update().filter(pk=found.visitor_id or 0).first()
            if visitor is None:  # removed since the check
                result = _result(PassOutcome.REVOKED, found)
            elif visitor.checked_in_at is not None:
                result = _result(PassOutcome.ALREADY_IN, found)
            else:
                record_arrival(
                    visit, [visitor], by=by, where=kiosk.name if kiosk else "", gate=gate[:100]
                )
                result = _result(PassOutcome.CHECKED_IN, found)
        _log(code, site, by, kiosk, result)
    return result


def _phone_matches(visitor: Visitor | None, phone: str) -> bool:
    typed = "".join(ch for ch in phone if ch.isdigit())
    mine = "".join(ch for ch in (visitor.phone if visitor else "") if ch.isdigit())
    return bool(typed and mine and len(typed) >= 8 and mine.endswith(typed[-8:]))


def notices_to_accept(result: PassResult) -> list[GuestNotice]:
    """After a kiosk answer: the texts in force its visitor has not accepted yet (offered
    there before or after check-in), none for a code that proved nothing."""
    if result.outcome not in (PassOutcome.CHECKED_IN, PassOutcome.NOTICES_MISSING):
        return []
    visitor = result.visitor
    if visitor is None:
        return []
    accepted = set(
        NoticeAcceptance.objects.filter(visitor=visitor).values_list("notice_id", flat=True)
    )
    return [n for n in current_notices() if n.pk not in accepted]


def accept_at_kiosk(*, kiosk: LobbyKiosk, code: str, phone: str | None, name: str) -> PassResult:
    """At the kiosk, the pass's visitor (the code scanned, or typed with their mobile) accepts
    the texts in force under their typed name (the same records as the invitation page), then
    is checked in when not yet."""
    if not throttle.within(f"kiosk:{kiosk.pk}", limit=KIOSK_TRIES, seconds=600):
        result = _result(PassOutcome.THROTTLED)
        _log(code, kiosk.site, None, kiosk, result)
        return result
    result = check_pass(code=code, site=kiosk.site)
    usable = (PassOutcome.VALID, PassOutcome.NOTICES_MISSING, PassOutcome.ALREADY_IN)
    if result.outcome in usable and phone is not None and not _phone_matches(result.visitor, phone):
        result = _result(PassOutcome.UNKNOWN)
    if result.outcome not in usable or result.visitor is None:
        _log(code, kiosk.site, None, kiosk, result)
        return result
    from .invitations import accept_notices  # local: invitations imports this module

    accept_notices(visitor=result.visitor, notices=current_notices(), name=name, at_kiosk=True)
    if result.outcome == PassOutcome.ALREADY_IN:
        return result
    return check_in_by_pass(code=code, site=kiosk.site, kiosk=kiosk, phone=phone)


# ---- issuing and revoking ------------------------------------------------------------------


def pass_for(visitor: Visitor) -> VisitorPass:
    """The visitor's live pass, made on first asking."""
    live = VisitorPass.objects.filter(visitor=visitor, revoked_at__isnull=True).first()
    if live is not None:
        return live
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return VisitorPass.objects.create(visit_id=visitor.visit_id, visitor=visitor)
        except IntegrityError:  # a code drawn twice, or made at the same moment
            live = VisitorPass.objects.filter(visitor=visitor, revoked_at__isnull=True).first()
            if live is not None:
                return live
    raise VisitError(_("No pass could be made: try again."))


def passes_for(visit: VisitRequest) -> dict[int, VisitorPass]:
    """Every visitor's live pass, by visitor id (made for those who have none)."""
    live = {
        p.visitor_id: p
        for p in VisitorPass.objects.filter(visit=visit, revoked_at__isnull=True)
        if p.visitor_id
    }
    for visitor in visit.visitors.all():
        if visitor.pk not in live:
            live[visitor.pk] = pass_for(visitor)
    return live


def revoke_passes(*, visit: VisitRequest | None = None, visitor_ids=None) -> int:
    """Revoke the live passes of a visit (cancelled) or of some visitors (removed); each is
    told to the webhooks' subscribers (pass.revoked)."""
    from .webhooks import passes_revoked  # it reads the passes' days from here

    query = Q(revoked_at__isnull=True)
    if visit is not None:
        query &= Q(visit=visit)
    if visitor_ids is not None:
        query &= Q(visitor_id__in=list(visitor_ids))
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            VisitorPass.objects.filter(query).select_for_update().values_list("pk", flat=True)
        )
        count = VisitorPass.objects.filter(pk__in=ids).update(revoked_at=now)
        passes_revoked(ids=ids, at=now)
    return count


# ---- the QR --------------------------------------------------------------------------------


def qr_svg(visitor_pass: VisitorPass, *, scale: int = 4) -> str:
    """The pass's QR as inline SVG, made here (segno), no network."""
    return segno.make_qr(visitor_pass.qr_text, error="m").svg_inline(scale=scale, border=2)


def qr_png(visitor_pass: VisitorPass, *, scale: int = 6) -> bytes:
    out = io.BytesIO()
    segno.make_qr(visitor_pass.qr_text, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_data_uri(visitor_pass: VisitorPass, *, scale: int = 6) -> str:
    return segno.make_qr(visitor_pass.qr_text, error="m").png_data_uri(scale=scale, border=2)
