"""The guest's side: the signed invitation, self-registration through the change handling, the
texts accepted, a pass per visitor, check-in by scan or at the kiosk, the badges' QR."""

import shutil
import subprocess
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import Notification
from tests.factories import SiteFactory, approve_fully, file_visit, user_with
from visits.models import (
    EventKind,
    GuestNotice,
    Invitation,
    LobbyKiosk,
    NoticeAcceptance,
    NoticeKind,
    PassOutcome,
    PassScan,
    VisitEvent,
    VisitorPass,
    VisitRequest,
    VisitStatus,
)
from visits.services import badges, invitations, passes
from visits.services.requests import cancel_visit_request, update_visit_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(sales, four_tier):
    return approve_fully(file_visit(sales, four_tier["guest"]))


def here_today(visit):
    """Move the visit to today (on site now), whatever the time of day the test runs."""
    now = timezone.now()
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=now - timedelta(minutes=30), departure_at=now + timedelta(hours=2)
    )
    visit.refresh_from_db()
    return visit


def invite(visit, email="buyer@example.com"):
    return invitations.send_invitation(visit=visit, by=visit.applicant, email=email)


def page(client, invitation):
    return client.get(reverse("visits:guest_invitation", args=[invitation.token]))


def rows(visit, *extra):
    current = [
        {"id": v.pk, "name": v.name, "title": v.title, "phone": v.phone}
        for v in visit.visitors.all()
    ]
    return [*current, *extra]


# ---- the invitation -------------------------------------------------------------------------


def test_the_invitation_opens_without_an_account_with_the_site_and_the_host(
    client, visit, django_capture_on_commit_callbacks
):
    visit.site.address, visit.site.directions = "苏州工业园区星湖街1号", "东门进，右转到接待楼"
    visit.site.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(visit)
    text = page(client, invitation).content.decode()
    assert "苏州工业园区星湖街1号" in text and "东门进" in text
    assert str(visit.main_host or visit.applicant) in text
    # the email carries the link and one QR pass per visitor
    (email,) = mail.outbox
    assert invitations.invitation_url(invitation) in email.body
    assert len(email.attachments) == visit.visitors.count()


def test_a_tampered_revoked_or_expired_link_answers_in_one_sentence(client, visit):
    invitation = invite(visit)
    bad = client.get(reverse("visits:guest_invitation", args=[invitation.token + "x"]))
    assert bad.status_code == 404 and "not valid" in bad.content.decode()

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    assert "expired" in page(client, invitation).content.decode()

    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitations.expiry(visit))
    invitations.revoke_invitation(invitation=invitation, by=visit.applicant)
    revoked = page(client, invitation)
    assert revoked.status_code == 404 and "withdrawn" in revoked.content.decode()


def test_the_link_expires_after_the_visits_last_day(visit):
    invitation = invite(visit)
    last_day = timezone.localtime(visit.departure_at).date()
    assert timezone.localtime(invitation.expires_at).date() == last_day + timedelta(days=1)


def test_only_the_applicant_invites_and_only_once_approved(sales, other_sales, four_tier):
    draft = file_visit(sales, four_tier["guest"], submit=False)
    with pytest.raises(invitations.VisitError):
        invitations.send_invitation(visit=draft, by=sales)
    approved = approve_fully(file_visit(sales, four_tier["guest"]))
    with pytest.raises(invitations.VisitError):
        invitations.send_invitation(visit=approved, by=other_sales)


# ---- self-registration ----------------------------------------------------------------------


def test_the_guest_adds_a_visitor_through_the_change_handling(client, visit):
    invitation = invite(visit)
    Notification.objects.all().delete()
    current = list(visit.visitors.all())
    data = {
        "visitors-TOTAL_FORMS": str(len(current) + 1),
        "visitors-INITIAL_FORMS": str(len(current)),
        "guest_name": "孙立群",
    }
    for i, v in enumerate(current):
        data |= {
            f"visitors-{i}-id": v.pk,
            f"visitors-{i}-name": v.name,
            f"visitors-{i}-phone": v.phone,
        }
    n = len(current)
    data |= {
        f"visitors-{n}-name": "钱多多",
        f"visitors-{n}-phone": "13900139009",
        f"visitors-{n}-id_type": "resident_id",
        f"visitors-{n}-id_number": "110101199001011234",
        f"visitors-{n}-arrival_mode": "station",
        f"visitors-{n}-arrival_number": "G7012",
        f"visitors-{n}-dietary": "素食",
    }
    response = client.post(reverse("visits:guest_invitation", args=[invitation.token]), data)
    assert response.status_code == 302
    added = visit.visitors.get(name="钱多多")
    assert added.id_number_masked == "110***********1234"
    assert "110101199001011234" not in str(added.__dict__)
    event = VisitEvent.objects.filter(visit=visit, kind=EventKind.CHANGE).latest("pk")
    assert event.guest == "孙立群" and event.actor is None
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert visit.applicant.username in told
    # the applicant reads it on the timeline as the guest's
    client.force_login(visit.applicant)
    detail = client.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "孙立群 (by the guest)" in detail or "孙立群（客人）" in detail


def test_bad_input_gets_the_staff_forms_messages(client, visit):
    invitation = invite(visit)
    data = {
        "visitors-TOTAL_FORMS": "1",
        "visitors-INITIAL_FORMS": "0",
        "visitors-0-name": "钱多多",
        "visitors-0-phone": "not a phone",
        "guest_name": "孙立群",
    }
    response = client.post(reverse("visits:guest_invitation", args=[invitation.token]), data)
    assert response.status_code == 400
    assert not visit.visitors.filter(name="钱多多").exists()


def test_the_guest_lists_no_more_visitors_than_the_policy_allows(visit):
    invitation = invite(visit)
    many = [{"name": f"访客{i}"} for i in range(invitations.visitor_limit(invitation) + 1)]
    with pytest.raises(invitations.VisitError):
        invitations.save_guest_visitors(invitation=invitation, rows=many, guest_name="x")


def test_the_invitation_page_is_rate_limited(client, visit, settings):
    invitation = invite(visit)
    from visits.views import guests as views

    limit = views.GUEST_OPENINGS_PER_MINUTE
    codes = {page(client, invitation).status_code for _ in range(limit + 1)}
    assert 429 in codes


def accept_all(visitor):
    invitations.accept_notices(visitor=visitor, notices=passes.current_notices(), name=visitor.name)


def test_the_policy_brings_the_safety_and_confidentiality_texts(visit):
    kinds = {n.kind: n for n in passes.current_notices()}
    assert set(kinds) == {NoticeKind.SAFETY, NoticeKind.CONFIDENTIALITY}
    assert kinds[NoticeKind.CONFIDENTIALITY].name == "保密承诺"


def test_a_visitor_accepts_the_texts_with_name_and_version(client, visit):
    notice = GuestNotice.objects.create(
        kind=NoticeKind.CONFIDENTIALITY, version=3, name="保守秘密", body="不得拍照"
    )
    invitation = invite(visit)
    visitor = visit.visitors.first()
    client.post(
        reverse("visits:guest_accept", args=[invitation.token]),
        {"visitor": visitor.pk, "name": visitor.name},
    )
    acceptance = NoticeAcceptance.objects.get(visitor=visitor, notice=notice)
    assert (acceptance.version, acceptance.name) == (3, visitor.name)
    assert NoticeAcceptance.objects.filter(visitor=visitor).count() == 2  # the current two


# ---- passes ----------------------------------------------------------------------------------


def test_a_pass_is_valid_only_on_the_visits_days_at_its_site(visit):
    accept_all(visit.visitors.first())
    visitor_pass = passes.pass_for(visit.visitors.first())
    site = visit.site
    assert passes.check_pass(code=visitor_pass.code, site=site).outcome == PassOutcome.TOO_EARLY
    here_today(visit)
    assert passes.check_pass(code=visitor_pass.code, site=site).outcome == PassOutcome.VALID
    assert passes.check_pass(code=visitor_pass.qr_text, site=site).ok  # as scanned
    later = timezone.now() + timedelta(days=3)
    assert passes.check_pass(code=visitor_pass.code, site=site, at=later).outcome == "expired"
    other = SiteFactory(code="wuxi", name="无锡工厂")
    assert passes.check_pass(code=visitor_pass.code, site=other).outcome == PassOutcome.WRONG_SITE
    assert passes.check_pass(code="ZZZZ2222", site=site).outcome == PassOutcome.UNKNOWN
    assert passes.check_pass(code="<script>", site=site).outcome == PassOutcome.UNKNOWN


def test_cancelling_the_visit_or_removing_a_visitor_revokes_the_pass(visit):
    first, second = list(visit.visitors.all())[:2]
    removed_pass, kept_pass = passes.pass_for(first), passes.pass_for(second)
    update_visit_request(visit=visit, by=visit.applicant, data={}, visitors=rows(visit)[1:])
    result = passes.check_pass(code=removed_pass.code, site=visit.site)
    assert result.outcome == PassOutcome.REVOKED and "revoked" in result.sentence
    cancel_visit_request(visit=visit, by=visit.applicant, reason="客户行程取消")
    kept_pass.refresh_from_db()
    assert kept_pass.revoked_at is not None


# ---- check-in by scan, at the kiosk ---------------------------------------------------------


def test_the_desk_scans_a_pass_and_the_visitor_is_checked_in(login, visit):
    here_today(visit)
    visitor = visit.visitors.first()
    accept_all(visitor)
    code = passes.pass_for(visitor).code
    desk = user_with(Role.FRONT_DESK, username="desk")
    response = login(desk).post(reverse("visits:scan"), {"code": code.lower()})
    assert "is checked in" in response.content.decode()
    visitor.refresh_from_db()
    assert visitor.checked_in_at is not None
    visit.refresh_from_db()
    assert visit.status == VisitStatus.IN_PROGRESS
    again = login(desk).post(reverse("visits:scan"), {"code": code})
    assert "already checked in" in again.content.decode()
    assert list(PassScan.objects.order_by("pk").values_list("outcome", flat=True)) == [
        PassOutcome.CHECKED_IN,
        PassOutcome.ALREADY_IN,
    ]


def test_a_wrong_code_at_the_desk_answers_in_one_sentence_and_is_logged(login, visit):
    desk = user_with(Role.FRONT_DESK, username="desk")
    response = login(desk).post(reverse("visits:scan"), {"code": "WRONG222"})
    assert "This is not a valid pass code" in response.content.decode()
    assert PassScan.objects.get().outcome == PassOutcome.UNKNOWN


def test_the_kiosk_checks_in_with_mobile_and_code(client, visit):
    here_today(visit)
    kiosk = LobbyKiosk.objects.create(name="大堂", site=visit.site)
    visitor = visit.visitors.exclude(phone="").first()
    accept_all(visitor)
    code = passes.pass_for(visitor).code
    url = reverse("visits:kiosk", args=[kiosk.token])
    wrong = client.post(url, {"code": code, "phone": "13000000000"}).content.decode()
    assert "not a valid pass code" in wrong
    right = client.post(url, {"code": code, "phone": visitor.phone}).content.decode()
    assert "is checked in" in right
    assert client.get(reverse("visits:kiosk", args=["no-such-kiosk"])).status_code == 404


def test_the_kiosk_lets_the_visitor_accept_the_texts_then_checks_them_in(client, visit):
    """Issue 27 item 3: at the kiosk, the same records as the invitation page."""
    here_today(visit)
    kiosk = LobbyKiosk.objects.create(name="大堂", site=visit.site)
    visitor = visit.visitors.exclude(phone="").first()
    code = passes.pass_for(visitor).code
    url = reverse("visits:kiosk", args=[kiosk.token])
    first = client.post(url, {"code": code, "phone": visitor.phone})
    assert "must accept" in first.content.decode()
    assert first.context["accept_form"] is not None
    # the wrong mobile proves nothing and accepts nothing
    wrong = client.post(
        url,
        {"code": code, "phone": "13000000000", "accept": "on", "name": "x", "accept_texts": "1"},
    )
    assert "not a valid pass code" in wrong.content.decode()
    assert not NoticeAcceptance.objects.filter(visitor=visitor).exists()
    unnamed = client.post(url, {"code": code, "phone": visitor.phone, "accept_texts": "1"})
    assert unnamed.status_code == 400
    done = client.post(
        url,
        {
            "code": code,
            "phone": visitor.phone,
            "accept": "on",
            "name": visitor.name,
            "accept_texts": "1",
        },
    )
    assert "is checked in" in done.content.decode()
    kept = NoticeAcceptance.objects.filter(visitor=visitor)
    assert {a.notice_id for a in kept} == {n.pk for n in passes.current_notices()}
    assert all(a.at_kiosk and a.name == visitor.name and a.version for a in kept)
    visitor.refresh_from_db()
    assert visitor.checked_in_at is not None


def test_a_required_text_not_accepted_stops_a_tour_check_in(visit):
    here_today(visit)
    visitor = visit.visitors.first()
    code = passes.pass_for(visitor).code
    result = passes.check_pass(code=code, site=visit.site)
    assert result.outcome == PassOutcome.NOTICES_MISSING
    assert "must accept" in result.sentence
    accept_all(visitor)
    assert passes.check_pass(code=code, site=visit.site).outcome == PassOutcome.VALID


def test_a_watch_list_match_at_registration_holds_that_visitors_check_in(visit):
    """Issue 28 item 2: the guest's registration is screened; security is told, and the
    visitor's check-in (pass, kiosk, desk) waits until security decides."""
    from visits.models import WatchHit
    from visits.services import desk, watch_list

    guard = user_with(Role.SECURITY, username="guard", full_name="保安老王")
    watch_list.save_entry(by=guard, kind="person", name="黑名單甲", reason="r")
    here_today(visit)
    invitation = invite(visit)
    Notification.objects.all().delete()
    invitations.save_guest_visitors(
        invitation=invitation,
        rows=rows(visit, {"name": "黑名单 甲", "phone": "13900139008"}),
        guest_name="孙立群",
    )
    held = visit.visitors.get(name="黑名单 甲")
    hit = WatchHit.objects.get()
    assert (hit.where, hit.visitor_id, hit.visit_id) == ("guest", held.pk, visit.pk)
    assert Notification.objects.filter(recipient=guard, kind=watch_list.NOTIFY_KIND).exists()
    accept_all(held)
    code = passes.pass_for(held).code
    result = passes.check_pass(code=code, site=visit.site)
    assert result.outcome == PassOutcome.HELD and "front desk" in result.sentence
    desk_user = user_with(Role.FRONT_DESK, username="desk")
    with pytest.raises(invitations.VisitError):
        desk.check_in(visit=visit, by=desk_user, visitor_ids=[held.pk])
    # the others are checked in; the held visitor waits
    desk.check_in(visit=visit, by=desk_user)
    held.refresh_from_db()
    assert held.checked_in_at is None
    assert visit.visitors.exclude(pk=held.pk).filter(checked_in_at__isnull=True).count() == 0
    watch_list.decide_hit(hit=hit, by=guard, let_in=True, note="经理确认")
    assert passes.check_pass(code=code, site=visit.site).outcome == PassOutcome.VALID


def test_the_board_marks_who_has_not_accepted_and_offers_the_badges_after_check_in(login, visit):
    """Issue 27 items 3 and 7: a marker per visitor without the texts; the badges from the
    board once someone is checked in."""
    from visits.services import desk

    here_today(visit)
    first, *others = list(visit.visitors.all())
    assert others
    accept_all(first)
    desk_user = user_with(Role.FRONT_DESK, username="desk")
    browser = login(desk_user)
    board = browser.get(reverse("visits:board")).content.decode()
    assert board.count("board-texts-missing") == len(others)
    badges_url = reverse("visits:badges", args=[visit.pk])
    assert badges_url not in board  # nobody checked in yet
    desk.check_in(visit=visit, by=desk_user, visitor_ids=[first.pk])
    board = browser.get(reverse("visits:board")).content.decode()
    assert badges_url in board
    assert browser.get(badges_url)["Content-Type"] == "application/pdf"


# ---- badges ----------------------------------------------------------------------------------


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"), reason="zbar")
def test_the_badge_pdf_carries_a_decodable_qr(login, visit, tmp_path):
    here_today(visit)
    visitor = visit.visitors.first()
    desk = user_with(Role.FRONT_DESK, username="desk")
    response = login(desk).get(reverse("visits:badges", args=[visit.pk]) + f"?visitor={visitor.pk}")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-r", "300", "-png", str(pdf), str(tmp_path / "p")], check=True)
    png = sorted(tmp_path.glob("p*.png"))[0]
    out = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
    assert out.stdout.strip() == VisitorPass.objects.get(visitor=visitor).qr_text
    assert badges.default_size().width_mm == 86


# ---- what the pages cost ---------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 5])
def test_the_invitation_page_costs_the_same_for_more_visitors(
    client, visit, extra, django_assert_num_queries
):
    for i in range(extra):
        visit.visitors.create(name=f"访客{i}")
    invitation = invite(visit)
    page(client, invitation)  # makes the passes, marks it opened
    with django_assert_num_queries(INVITATION_PAGE_QUERIES):
        assert page(client, invitation).status_code == 200


@pytest.mark.parametrize("extra", [0, 5])
def test_the_scan_answer_costs_the_same_for_bigger_visits(
    login, visit, extra, django_assert_num_queries
):
    for i in range(extra):
        visit.visitors.create(name=f"访客{i}")
    desk = login(user_with(Role.FRONT_DESK, username="desk"))
    desk.get(reverse("visits:scan"))
    with django_assert_num_queries(SCAN_QUERIES):
        desk.post(reverse("visits:scan"), {"code": "WRONG222"})


INVITATION_PAGE_QUERIES = 10
SCAN_QUERIES = 7


# ---- the applicant's side, and what retention takes away --------------------------------------


def test_the_applicant_sends_the_invitation_from_the_visit_page(login, visit):
    response = login(visit.applicant).post(
        reverse("visits:invite", args=[visit.pk]), {"email": "buyer@example.com"}, follow=True
    )
    invitation = Invitation.objects.get(visit=visit)
    assert invitation.sent_to == "buyer@example.com"
    assert invitations.invitation_url(invitation) in response.content.decode()
    login(visit.applicant).post(reverse("visits:invite", args=[visit.pk]), {"revoke": "1"})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_retention_takes_the_guests_entries_away(visit):
    from visits.services.retention import ANONYMISED, _anonymise_visit

    invitation = invite(visit)
    invitations.save_guest_visitors(
        invitation=invitation,
        rows=[*rows(visit), {"name": "钱多多", "car_plate": "苏E12345", "dietary": "素食"}],
        guest_name="孙立群",
    )
    accept_all(visit.visitors.get(name="钱多多"))
    _anonymise_visit(visit.pk, now=timezone.now())
    added = visit.visitors.get(
        car_plate="", dietary="", name=ANONYMISED, pk=visit.visitors.last().pk
    )
    assert not NoticeAcceptance.objects.filter(visitor=added).exclude(name=ANONYMISED).exists()
    assert not VisitEvent.objects.filter(visit=visit, guest="孙立群").exists()
    invitation.refresh_from_db()
    assert invitation.sent_to == ""
