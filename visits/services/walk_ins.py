"""Walk-ins (seed 000 D, 未预约冒昧来访): the gate records them, the person they ask for accepts
(a fast-tracked walk-in request) or declines."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from reception.accounts.roles import Role
from reception.models import (
    Client,
    ClientCategory,
    ReceptionGrade,
    ReceptionPolicy,
    Site,
    User,
)
from reception.notifications.notify import GroupPost, Msg, notify
from reception.organisation.selectors import users_with_role
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
    mask_phone,
)
from . import watch_list
from .approval import start_approval
from .card_actions import walk_in_buttons
from .lifecycle import VisitError, transition
from .notifications import Kind, with_site
from .requests import assign_reference, default_site


def walk_in_contact() -> User | None:
    return ReceptionPolicy.get().walk_in_contact


def walk_in_audience() -> QuerySet[User]:
    """Who else hears of every walk-in as it is recorded: the holders of the policy's walk-in
    roles and the members and heads of its walk-in departments (seed 000 D: the front desk
    tells the marketing head's assistant)."""
    policy = ReceptionPolicy.get()
    departments = policy.walk_in_departments.values("pk")
    told = (
        Q(groups__name__in=[str(r) for r in policy.walk_in_roles or []])
        | Q(memberships__department__in=departments)
        | Q(headed_departments__in=departments)
    )
    return User.objects.filter(
        pk__in=User.objects.filter(told, is_active=True).values("pk")
    ).order_by("pk")


def hears_of_walk_ins(user: User) -> bool:
    return walk_in_audience().filter(pk=user.pk).exists()


# Who holds a Django permission is asked of Django's model backend (User.objects.with_perm
# needs it named when several backends are configured).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def hosts() -> QuerySet[User]:
    """Staff who may host visitors, so a walk-in may ask for them (visits.host_visitors)."""
    return User.objects.with_perm("visits.host_visitors", backend=MODEL_BACKEND).order_by(
        "full_name", "username"
    )


def front_desk(site_id: int | None = None) -> list[User]:
    """The front desk; with a site, the site's (and those working at every site)."""
    return list(users_with_role(Role.FRONT_DESK, site_id=site_id))


def waiting_at_the_gate(where: Q | None = None) -> QuerySet[WalkIn]:
    """Walk-ins nobody has answered yet, longest waiting first (the board's gate panel);
    where: the shown sites (a filter on the walk-in's site)."""
    since = timezone.now() - timedelta(hours=12)  # older ones went home; the list keeps them
    return (
        WalkIn.objects.filter(where or Q(), status=WalkInStatus.WAITING, recorded_at__gte=since)
        .select_related("wants_to_see", "recorded_by")
        .order_by("recorded_at", "pk")
    )


def record_walk_in(
    *,
    by: User,
    company: str,
    names: str,
    headcount: int,
    phone: str,
    wants_to_see: User,
    purpose: str,
    site: Site | None = None,
) -> WalkIn:
    """Security or the front desk records an unannounced visitor at their site's gate (site:
    the gate's; without one, the recorder's home site, else the first open site); the person
    they want to see and that site's front desk are told at once."""
    site = site or default_site(by)
    if site is None:
        raise VisitError(_("The company has no active site: an administrator adds one."))
    if wants_to_see.pk == by.pk:
        raise VisitError(_("Name the person the visitors asked for, not yourself."))
    if not hosts().filter(pk=wants_to_see.pk).exists():
        raise VisitError(_("%(person)s does not host visitors.") % {"person": wants_to_see})
    company = normalize_name(company)
    client = Client.objects.filter(name_key=name_key(company)).order_by("pk").first()
    walk_in = WalkIn.objects.create(
        site=site,
        recorded_by=by,
        company=company,
        client=client,
        names=names.strip(),
        headcount=max(headcount, 1),
        phone=phone.strip(),
        wants_to_see=wants_to_see,
        purpose=purpose.strip(),
    )
    url = reverse("visits:walk_in", args=[walk_in.pk])
    # Group robots post the walk-in once, worded for the group, the phone masked.
    group = GroupPost(
        key=f"walk_in:{walk_in.pk}",
        title=Msg(
            _("At the gate now: %(names)s from %(company)s, for %(person)s"),
            names=walk_in.names,
            company=company,
            person=wants_to_see,
        ),
        body=Msg(
            _("Purpose: %(purpose)s. Phone: %(phone)s. Recorded by %(user)s."),
            purpose=walk_in.purpose,
            phone=mask_phone(walk_in.phone),
            user=by,
        ),
        url=url,
    )
    watch_list.screen_walk_in(walk_in)  # a match tells security; accepting waits for them
    # The phone in full: the person asked for is the would-be host (visits.see_walk_in_phone).
    # They may accept on the card (declining needs a reason: the page).
    notify(
        [wants_to_see],
        kind=Kind.WALK_IN,
        title=Msg(
            _("At the gate now: %(names)s from %(company)s want to see you"),
            names=walk_in.names,
            company=company,
        ),
        body=with_site(
            site,
            Msg(
                _(
                    "Purpose: %(purpose)s. Phone: %(phone)s. Recorded by %(user)s. Accept or "
                    "decline."
                ),
                purpose=walk_in.purpose,
                phone=walk_in.phone,
                user=by,
            ),
        ),
        url=url,
        group=group,
        buttons=walk_in_buttons(walk_in),
    )
    desk = front_desk(site.pk)
    notify(
        desk,
        kind=Kind.WALK_IN,
        title=Msg(
            _("At the gate now: %(names)s from %(company)s, for %(person)s"),
            names=walk_in.names,
            company=company,
            person=wants_to_see,
        ),
        body=Msg(
            _("Purpose: %(purpose)s. Phone: %(phone)s. Recorded by %(user)s."),
            purpose=walk_in.purpose,
            phone=walk_in.phone,
            user=by,
        ),
        url=url,
        exclude=by,
        group=group,
    )
    told = {wants_to_see.pk, by.pk, *(u.pk for u in desk)}
    audience = [u for u in walk_in_audience() if u.pk not in told]
    notify(
        audience,
        kind=Kind.WALK_IN,
        title=Msg(
            _("At the gate now: %(names)s from %(company)s, for %(person)s"),
            names=walk_in.names,
            company=company,
            person=wants_to_see,
        ),
        body=with_site(
            site,
            Msg(_("Purpose: %(purpose)s. Recorded by %(user)s."), purpose=walk_in.purpose, user=by),
        ),
        url=url,
        group=group,
    )
    return walk_in


def chase_unanswered(*, now=None) -> int:
    """Run by the periodic sweep: walk-ins the person asked for has not answered within the
    policy's time are announced to the front desk and the walk-in contact (once each)."""
    now = now or timezone.now()
    minutes = ReceptionPolicy.get().walk_in_answer_minutes
    contact = walk_in_contact()
    due = WalkIn.objects.filter(
        status=WalkInStatus.WAITING,
        chased_at__isnull=True,
        recorded_at__lte=now - timedelta(minutes=minutes),
    ).values_list("pk", flat=True)
    chased = 0
    for pk in due:
        with transaction.atomic():
            walk_in = WalkIn.objects.select_for_update().select_related("wants_to_see").get(pk=pk)
            if walk_in.status != WalkInStatus.WAITING or walk_in.chased_at:
                continue
            walk_in.chased_at = now
            walk_in.save(update_fields=["chased_at"])
            notify(
                [*front_desk(walk_in.site_id), contact],
                kind=Kind.WALK_IN_UNANSWERED,
                title=Msg(
                    ngettext_lazy(
                        "No answer for %(minutes)s minute: %(company)s waits at the gate",
                        "No answer for %(minutes)s minutes: %(company)s waits at the gate",
                        "minutes",
                    ),
                    minutes=minutes,
                    company=walk_in.company,
                ),
                body=Msg(
                    _(
                        "%(person)s has not answered. The front desk may accept or decline on "
                        "their behalf."
                    ),
                    person=walk_in.wants_to_see,
                ),
                url=reverse("visits:walk_in", args=[walk_in.pk]),
            )
            chased += 1
    return chased


def _decided(walk_in: WalkIn, by: User) -> WalkIn:
    walk_in = WalkIn.objects.select_for_update().select_related("wants_to_see").get(pk=walk_in.pk)
    if walk_in.status != WalkInStatus.WAITING:
        raise VisitError(
            _("This walk-in was already %(status)s.") % {"status": walk_in.get_status_display()}
        )
    if watch_list.open_hits(walk_in_id=walk_in.pk):
        raise VisitError(_("Held: the visitors match the watch list; security decides first."))
    if not by.has_perm("visits.decide_walk_in", walk_in):
        raise VisitError(
            _(
                "Only the person the visitors asked for decides; the front desk may once they "
                "have not answered in time."
            )
        )
    walk_in.decided_by = by
    walk_in.decided_at = timezone.now()
    if walk_in.wants_to_see_id != by.pk:
        walk_in.on_behalf_of = walk_in.wants_to_see
    return walk_in


def walk_in_grade() -> ReceptionGrade | None:
    """The grade an accepted walk-in is filed at: the lowest of the scheme in use (业务级 in
    the four-tier scheme, C in A/B/C)."""
    return ReceptionGrade.objects.current().order_by("-rank").first()


def _routine_grade() -> ReceptionGrade:
    grade = walk_in_grade()
    if grade is None:
        raise VisitError(_("No grade is set up; ask an administrator to load the policy."))
    return grade


def accept_walk_in(*, walk_in: WalkIn, by: User) -> VisitRequest:
    """Receive them: a visit request of origin walk-in, the lowest (routine) grade, filled in
    from the gate's record and approved for arrival at once, so it is on today's board ready
    for check-in. Grading and approval follow after the fact (shown as "approved after
    arrival"); the person asked for is the applicant, so the chain routes past them."""
    with transaction.atomic():
        walk_in = _decided(walk_in, by)
        host = walk_in.wants_to_see
        client = (
            walk_in.client
            or Client.objects.filter(name_key=name_key(walk_in.company)).order_by("pk").first()
        )
        if client is None:  # a self-enquiry customer, created on the spot
            client = Client.objects.create(
                name=walk_in.company, category=ClientCategory.SELF_ENQUIRY
            )
        now = timezone.now().replace(second=0, microsecond=0)
        late_reason = Msg(_("Unannounced visitor at the gate.")).to_json()
        # The gate's site: where they were recorded (older records: the recorder's site).
        site = walk_in.site or default_site(walk_in.recorded_by)
        if site is None:
            raise VisitError(_("The company has no active site: an administrator adds one."))
        visit = VisitRequest.objects.create(
            applicant=host,
            site=site,
            client=client,
            origin=Origin.WALK_IN,
            purposes=[Purpose.OTHER],
            purpose_other=walk_in.purpose[:200],
            reason=walk_in.purpose,
            proposed_grade=_routine_grade(),
            arrival_at=now,
            departure_at=now + timedelta(hours=2),
            headcount=walk_in.headcount,
            main_host=host,
            late=True,
            late_reason=late_reason["text"],
            late_reason_message=late_reason,
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
        if walk_in.on_behalf_of_id:
            message = Msg(
                _(
                    "Walk-in accepted by %(user)s on behalf of %(person)s, who did not answer; "
                    "approved for arrival, grading and approval follow."
                ),
                user=str(by),
                person=str(host),
            )
        else:
            message = Msg(
                _(
                    "Walk-in accepted by %(user)s; approved for arrival, grading and approval "
                    "follow."
                ),
                user=str(by),
            )
        transition(visit, to=VisitStatus.APPROVED, by=by, message=message)
        start_approval(visit)
        walk_in.status = WalkInStatus.ACCEPTED
        walk_in.client = client
        walk_in.visit = visit
        walk_in.save()
        _tell_the_gate(walk_in)
        notify(
            front_desk(site.pk),
            kind=Kind.WALK_IN_DECIDED,
            title=Msg(
                _("%(company)s accepted: check them in now (%(ref)s)"),
                company=walk_in.company,
                ref=visit.reference,
            ),
            url=reverse("visits:desk", args=[visit.pk]),
            exclude=by,
        )
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
    people: list[User | None] = [walk_in.recorded_by]
    if walk_in.on_behalf_of_id:
        people.append(walk_in.on_behalf_of)
        # The gate and the person asked for read who decided for whom, as the timeline does.
        title = Msg(
            _("%(company)s: %(status)s by %(user)s on behalf of %(person)s"),
            company=walk_in.company,
            status=WalkInStatus(walk_in.status).label,
            user=walk_in.decided_by,
            person=walk_in.on_behalf_of,
        )
    else:
        title = Msg(
            _("%(company)s: %(status)s by %(user)s"),
            company=walk_in.company,
            status=WalkInStatus(walk_in.status).label,
            user=walk_in.decided_by,
        )
    notify(
        people,
        kind=Kind.WALK_IN_DECIDED,
        title=title,
        body=Msg(_("Reason: %(reason)s"), reason=walk_in.decline_reason)
        if walk_in.decline_reason
        else None,
        url=reverse("visits:walk_in", args=[walk_in.pk]),
        exclude=walk_in.decided_by,
    )


def split_names(names: str) -> list[str]:
    for separator in ("、", ",", ",", ";", ";", "\n"):
        names = names.replace(separator, "|")
    return [n.strip() for n in names.split("|") if n.strip()][:50]
