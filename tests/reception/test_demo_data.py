from datetime import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from approvals.models import ApprovalChainStep
from demo.visits import today_arrival
from reception.accounts.roles import Role
from reception.models import Client, ClientCategory, Department, User
from visits.models import GuestKind, PrepStatus, PrepTask, VisitRequest, VisitStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policy(four_tier):
    return four_tier


def run_demo() -> str:
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_gives_every_role_a_login_and_every_category_a_client():
    run_demo()
    for role in Role:
        assert User.objects.filter(groups__name=role).exists(), f"no demo user for {role}"
    categories = set(Client.objects.values_list("category", flat=True))
    assert categories == {*ClientCategory.values, ""}  # "": the government body
    assert User.objects.get(username="sales").check_password("jiedai-demo")
    office = Department.objects.get(code="office")
    assert office.head.username == "office_head"
    statuses = set(VisitRequest.objects.values_list("status", flat=True))
    assert {VisitStatus.SUBMITTED, VisitStatus.APPROVED, VisitStatus.DRAFT} <= statuses
    # the open demo requests (JD-H… are the closed visits of the last six months)
    vip = VisitRequest.objects.exclude(reference__startswith="JD-H").get(
        proposed_grade__code="vip", status=VisitStatus.SUBMITTED
    )
    assert vip.visitors.count() == 3 and vip.status == VisitStatus.SUBMITTED


def test_demo_twice_changes_nothing():
    run_demo()

    def counts():
        return [m.objects.count() for m in (User, Client, Department, VisitRequest)]

    before = counts()
    assert "nothing changed" in run_demo()
    assert counts() == before


@override_settings(DEBUG=False)
def test_with_debug_off_the_demo_refuses_and_creates_no_login():
    with pytest.raises(CommandError, match="Refusing to load demo data with DEBUG off") as refusal:
        call_command("demo", stdout=StringIO())
    assert "--i-know-this-creates-demo-logins" in str(refusal.value)
    assert "jiedai-demo" in str(refusal.value)
    assert not User.objects.filter(username="sales").exists()
    assert not VisitRequest.objects.exists()


@override_settings(DEBUG=False)
def test_with_debug_off_the_demo_loads_when_told_it_creates_demo_logins():
    out = StringIO()
    call_command("demo", "--i-know-this-creates-demo-logins", stdout=out)
    assert "Demo data loaded" in out.getvalue()
    assert User.objects.get(username="sales").check_password("jiedai-demo")


def test_the_demo_includes_a_government_inspection_filed_by_the_office():
    run_demo()
    visit = VisitRequest.objects.get(guest_kind=GuestKind.GOVERNMENT)
    assert visit.applicant.username == "office" and visit.status == VisitStatus.APPROVED
    assert visit.client.category == ""
    codes = set(visit.prep_tasks.values_list("template__code", flat=True))
    assert codes and not codes & {"marketing-quotation", "supply-components"}


def test_the_demo_s_grading_escalates_to_the_marketing_head_and_the_gm_s_step_to_no_role():
    run_demo()
    grading = ApprovalChainStep.objects.get(chain__grade__code="vip", position=1)
    gm = ApprovalChainStep.objects.get(chain__grade__code="vip", position=2)
    assert [t.role.name for t in grading.escalation_targets.exclude(role=None)] == [
        Role.MARKETING_HEAD
    ]
    assert not gm.escalation_targets.exclude(role=None).exists()


def test_the_demo_prints_a_short_summary_without_emails(mailoutbox):
    out = run_demo()
    # the counts, the logins (and a line per site), a line per page to open, the API token
    assert len(out.splitlines()) <= 12
    assert "Subject:" not in out and "Content-Type" not in out
    assert "emails sent while loading" in out
    assert "Lobby welcome screen: http://" in out
    assert "manage.py api_token receptionist --name demo" in out  # docs/api.md


@override_settings(SITE_URL="http://127.0.0.1:8010")
def test_the_demo_urls_follow_site_url():
    out = run_demo()
    assert "http://127.0.0.1:8010/welcome/" in out
    assert "8000" not in out


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        ("2026-11-26 01:53", "2026-11-26 09:00"),  # night: the start of the working day
        ("2026-11-26 10:20", "2026-11-26 11:00"),  # working hours: the next round hour
        ("2026-11-26 16:59", "2026-11-26 17:00"),
        ("2026-11-26 17:01", "2026-11-27 10:00"),  # too late today: tomorrow morning
        ("2026-11-26 23:45", "2026-11-27 10:00"),
    ],
)
def test_the_demos_today_visit_arrives_in_working_hours(now, expected):
    moment = timezone.make_aware(datetime.strptime(now, "%Y-%m-%d %H:%M"))
    arrival = today_arrival(moment)
    assert f"{timezone.localtime(arrival):%Y-%m-%d %H:%M}" == expected


def test_a_fresh_demo_has_exactly_one_overdue_task():
    run_demo()
    overdue = PrepTask.objects.filter(status=PrepStatus.OPEN, due_date__lt=timezone.localdate())
    assert overdue.count() == 1


def test_the_demos_visits_are_all_in_working_hours():
    run_demo()
    for visit in VisitRequest.objects.all():
        arrival = timezone.localtime(visit.arrival_at)
        assert 9 <= arrival.hour <= 17, visit


def test_the_demo_prints_the_guest_invitation_and_the_kiosk_that_open(client):
    out = run_demo()
    lines = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in out.splitlines()
        if ":" in line
    }
    invitation, kiosk = lines["Guest invitation"], lines["Lobby kiosk"]
    assert client.get(invitation.removeprefix("http://127.0.0.1:8000")).status_code == 200
    assert client.get(kiosk.removeprefix("http://127.0.0.1:8000")).status_code == 200
