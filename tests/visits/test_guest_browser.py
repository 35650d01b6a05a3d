"""In headless Chromium at phone size (issue 27, "Done when"): the client's contact opens the
invitation, adds a visitor and accepts the texts; the applicant sees the change on the timeline
as the guest's; the front desk reads the new visitor's pass from a photo (html5-qrcode,
vendored) and the visitor is checked in; the badge prints with a QR that decodes.

With JIEDAI_SHOTS=<folder> it keeps phone-size screenshots of the invitation, the kiosk and
the badge there."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from tests.factories import approve_fully, file_visit, user_with
from tests.test_browser import browser, csp_violations, log_in  # noqa: F401 (fixtures)
from tests.visits.test_guests import here_today
from visits.models import GuestNotice, LobbyKiosk, Visitor
from visits.services import invitations, passes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = os.environ.get("JIEDAI_SHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"guest-{name}.png"), full_page=False)


@pytest.mark.skipif(not shutil.which("zbarimg") or not shutil.which("pdftoppm"), reason="zbar")
def test_the_guest_walk_at_phone_size(
    browser,  # noqa: F811
    live_server,
    four_tier,
    sales,
    csp_violations,  # noqa: F811
    tmp_path,
):
    assert GuestNotice.objects.filter(required_for_tours=True).count() == 2  # load_policy's
    visit = here_today(approve_fully(file_visit(sales, four_tier["guest"])))
    site = visit.site
    site.address, site.directions = "苏州工业园区星湖街1号", "东门进，右转到接待楼"
    site.save()
    invitation = invitations.send_invitation(visit=visit, by=sales, email="buyer@example.com")

    # the contact, on a phone, without an account
    guest = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True).new_page()
    guest.goto(live_server.url + reverse("visits:guest_invitation", args=[invitation.token]))
    assert "苏州工业园区星湖街1号" in guest.content()
    shot(guest, "invitation")
    rows = guest.locator("fieldset.guest-visitor")
    new = rows.nth(rows.count() - 1)
    new.locator("input[name$='-name']").fill("钱多多")
    new.locator("input[name$='-phone']").fill("13900139009")
    new.locator("select[name$='-arrival_mode']").select_option("station")
    new.locator("input[name$='-arrival_number']").fill("G7012")
    guest.fill("input[name=guest_name]", "孙立群")
    guest.click("button:has-text('Save the visitors')")
    guest.locator(".alert-success").wait_for()
    added = Visitor.objects.get(visit=visit, name="钱多多")
    guest.fill(f"#accept-{added.pk}", "钱多多")
    guest.click(f"form:has(#accept-{added.pk}) button")
    guest.locator(".alert-success").wait_for()
    assert added.acceptances.count() == 2

    # the applicant reads it on the timeline, as the guest's
    applicant = log_in(browser, live_server, sales.username, csp_violations)
    applicant.goto(f"{live_server.url}/visits/{visit.pk}/")
    assert "孙立群 (by the guest)" in applicant.locator(".timeline").inner_text()

    # the front desk reads the pass from a photo and the visitor is checked in
    user_with(Role.FRONT_DESK, username="desk")
    desk = log_in(browser, live_server, "desk", csp_violations)
    desk.set_viewport_size(PHONE)
    desk.goto(f"{live_server.url}/desk/scan/")
    photo = tmp_path / "pass.png"
    photo.write_bytes(passes.qr_png(passes.pass_for(added), scale=10))
    desk.set_input_files("#scan-file", str(photo))
    answer = desk.locator(".scan-answer")
    answer.wait_for()
    assert "钱多多 is checked in" in answer.inner_text()
    added.refresh_from_db()
    assert added.checked_in_at is not None

    # the badge prints, with a QR that decodes to the pass
    response = desk.request.get(
        f"{live_server.url}/desk/visits/{visit.pk}/badges.pdf?visitor={added.pk}"
    )
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "badge.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", str(pdf), str(tmp_path / "badge")],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "-q", "--raw", str(tmp_path / "badge.png")], capture_output=True, text=True
    )
    assert decoded.stdout.strip() == passes.pass_for(added).qr_text
    if SHOTS:
        shutil.copy(tmp_path / "badge.png", Path(SHOTS) / "guest-badge.png")

    # the lobby kiosk, at phone size
    kiosk = LobbyKiosk.objects.create(name="大堂", site=site)
    lobby = browser.new_context(locale="en-US", viewport=PHONE).new_page()
    lobby.goto(f"{live_server.url}/kiosk/{kiosk.token}/")
    assert "No pass?" in lobby.content()
    shot(lobby, "kiosk")
    assert csp_violations == []
