"""Unannounced visitors: recorded at the gate, accepted or declined by the person asked for."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import EscalationReason, StepState
from reception.accounts.roles import Role
from reception.models import Client, ClientCategory, ReceptionPolicy
from tests.factories import ClientFactory, approve_fully, user_with
from visits.models import MAX_HEADCOUNT, EventKind, Origin, VisitStatus, WalkIn, WalkInStatus
from visits.services.notifications import Kind
from visits.services.walk_ins import chase_unanswered

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard(db):
    return user_with(Role.SECURITY, username="guard")


@pytest.fixture
def assistant(db):
    person = user_with(Role.MARKETING, username="assistant", full_name="营销助理")
    policy = ReceptionPolicy.get()
    policy.walk_in_contact = person
    policy.save()
    return person


def record(browser, person, company="星河电子有限公司", names="王强、李明"):
    return browser.post(
        reverse("visits:walk_in_create"),
        {
            "company": company,
            "names": names,
            "headcount": 2,
            "phone": "13900001111",
            "wants_to_see": person.pk,
            "purpose": "了解产品,洽谈采购",
        },
    )


def test_the_gate_records_a_walk_in_and_the_person_is_told_at_once(
    four_tier, guard, assistant, login
):
    browser = login(guard)
    form = browser.get(reverse("visits:walk_in_create"))
    assert form.context["form"]["wants_to_see"].value() == assistant.pk  # preselected
    response = record(browser, assistant)
    assert response.status_code == 302
    walk_in = WalkIn.objects.get()
    assert walk_in.recorded_by == guard and walk_in.status == WalkInStatus.WAITING
    note = assistant.notifications.get(kind="walk_in")
    assert "星河电子有限公司" in note.title and note.url == reverse(
        "visits:walk_in", args=[walk_in.pk]
    )


def test_accepting_files_a_walk_in_request_approved_for_arrival_with_a_new_client(
    four_tier, guard, assistant, staff, login
):
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    response = login(assistant).post(
        reverse("visits:walk_in", args=[walk_in.pk]), {"action": "accept"}
    )
    walk_in.refresh_from_db()
    visit = walk_in.visit
    assert response.status_code == 302 and response["Location"] == reverse(
        "visits:detail", args=[visit.pk]
    )
    assert walk_in.status == WalkInStatus.ACCEPTED and walk_in.decided_by == assistant
    assert visit.origin == Origin.WALK_IN and visit.status == VisitStatus.APPROVED
    assert visit.proposed_grade == four_tier["routine"]
    assert [v.name for v in visit.visitors.all()] == ["王强", "李明"]
    client = Client.objects.get(name="星河电子有限公司")
    assert client.category == ClientCategory.SELF_ENQUIRY and visit.client == client
    queue = login(staff.marketing).get(reverse("approvals:queue")).context["object_list"]
    assert [s.subject_id for s in queue] == [visit.pk]
    assert guard.notifications.filter(kind="walk_in_decided").exists()
    assert visit.events.filter(kind="walk_in").exists()


def test_a_known_company_is_matched_to_its_client(four_tier, guard, assistant, login):
    known = ClientFactory(name="Acme Tools")
    record(login(guard), assistant, company="ACME tools")
    assert WalkIn.objects.get().client == known


def test_declining_needs_a_reason_and_tells_the_gate(four_tier, guard, assistant, login):
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    browser = login(assistant)
    response = browser.post(reverse("visits:walk_in", args=[walk_in.pk]), {"action": "decline"})
    assert response.status_code == 400
    browser.post(
        reverse("visits:walk_in", args=[walk_in.pk]),
        {"action": "decline", "reason": "今日不在公司"},
    )
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInStatus.DECLINED and walk_in.decline_reason == "今日不在公司"
    assert walk_in.visit is None
    assert "今日不在公司" in guard.notifications.get(kind="walk_in_decided").body


def test_only_the_person_asked_for_decides(four_tier, guard, assistant, login):
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    stranger = user_with(Role.SALES)
    assert login(stranger).get(reverse("visits:walk_in", args=[walk_in.pk])).status_code == 404
    response = login(guard).post(reverse("visits:walk_in", args=[walk_in.pk]), {"action": "accept"})
    assert response.status_code == 400  # the gate may look, not decide
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInStatus.WAITING


def test_a_walk_in_needs_company_names_phone_whom_and_why(guard, assistant, login):
    response = login(guard).post(reverse("visits:walk_in_create"), {"headcount": 1})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {
        "company",
        "names",
        "phone",
        "wants_to_see",
        "purpose",
    }


def test_a_company_written_another_way_is_matched_to_its_client(four_tier, guard, assistant, login):
    known = ClientFactory(name="星河(苏州)电子有限公司")
    record(login(guard), assistant, company="星河（苏州）电子")
    assert WalkIn.objects.get().client == known


def test_a_right_to_left_override_never_reaches_the_lobby_screen(
    four_tier, guard, assistant, login
):
    response = record(login(guard), assistant, company="星河\u202e电子")
    assert "U+202E" in response.context["form"].errors["company"][0]
    assert not WalkIn.objects.exists()


# ---- the rulebook's walk-in (seed 000 D): gate → front desk → the person asked for ----------


@pytest.fixture
def desk(db):
    return user_with(Role.FRONT_DESK, username="desk", full_name="前台小王")


def accept(browser, walk_in):
    return browser.post(reverse("visits:walk_in", args=[walk_in.pk]), {"action": "accept"})


def test_the_front_desk_is_told_at_once_with_a_link_it_may_open(
    four_tier, guard, assistant, desk, login
):
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    note = desk.notifications.get(kind=Kind.WALK_IN)
    assert "星河电子有限公司" in note.title and str(assistant) in note.title
    assert note.url == reverse("visits:walk_in", args=[walk_in.pk])
    assert login(desk).get(note.url).status_code == 200


def test_the_board_shows_who_waits_at_the_gate_and_for_how_long(
    four_tier, guard, assistant, desk, login
):
    record(login(guard), assistant)
    WalkIn.objects.update(recorded_at=timezone.now() - timedelta(minutes=7))
    response = login(desk).get(reverse("visits:board"))
    assert [w.company for w in response.context["at_the_gate"]] == ["星河电子有限公司"]
    panel = response.content.decode()
    assert 'id="gate-panel"' in panel and 'data-minutes="7"' in panel


def test_a_decided_walk_in_leaves_the_gate_panel(four_tier, guard, assistant, desk, login):
    record(login(guard), assistant)
    accept(login(assistant), WalkIn.objects.get())
    assert login(desk).get(reverse("visits:board")).context["at_the_gate"] == []


def test_an_unanswered_walk_in_is_announced_to_the_desk_and_the_contact_once(
    four_tier, guard, assistant, desk, staff, login
):
    record(login(guard), staff.marketing_head)
    walk_in = WalkIn.objects.get()
    assert chase_unanswered(now=walk_in.recorded_at + timedelta(minutes=9)) == 0
    later = walk_in.recorded_at + timedelta(minutes=10)
    assert chase_unanswered(now=later) == 1
    assert chase_unanswered(now=later + timedelta(minutes=5)) == 0
    assert desk.notifications.filter(kind=Kind.WALK_IN_UNANSWERED).count() == 1
    note = assistant.notifications.get(kind=Kind.WALK_IN_UNANSWERED)
    assert login(assistant).get(note.url).status_code == 200  # the contact may open it


def test_the_answer_time_is_policy(four_tier, guard, assistant, desk, login):
    policy = ReceptionPolicy.get()
    policy.walk_in_answer_minutes = 3
    policy.save()
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    assert chase_unanswered(now=walk_in.recorded_at + timedelta(minutes=3)) == 1


def test_the_front_desk_may_decide_on_behalf_only_once_the_answer_time_is_over(
    four_tier, guard, assistant, desk, staff, login
):
    record(login(guard), staff.deputy_gm)
    walk_in = WalkIn.objects.get()
    browser = login(desk)
    assert accept(browser, walk_in).status_code == 400  # too early: the person may answer
    WalkIn.objects.update(recorded_at=timezone.now() - timedelta(minutes=11))
    response = accept(browser, walk_in)
    walk_in.refresh_from_db()
    assert response.status_code == 302 and walk_in.status == WalkInStatus.ACCEPTED
    assert walk_in.decided_by == desk and walk_in.on_behalf_of == staff.deputy_gm
    visit = walk_in.visit
    assert visit.applicant == staff.deputy_gm and visit.main_host == staff.deputy_gm
    approved = visit.events.get(to_status=VisitStatus.APPROVED)
    assert str(desk) in approved.shown_message and str(staff.deputy_gm) in approved.shown_message
    assert staff.deputy_gm.notifications.filter(kind=Kind.WALK_IN_DECIDED).exists()


def test_the_gates_bell_says_the_desk_decided_on_behalf_of_the_person_asked_for(
    four_tier, guard, assistant, desk, staff, login
):
    """The timeline said "on behalf of"; the gate's and the person's bell said only "accepted
    by <desk>", as if the desk had been asked for."""
    record(login(guard), staff.deputy_gm)
    WalkIn.objects.update(recorded_at=timezone.now() - timedelta(minutes=11))
    accept(login(desk), WalkIn.objects.get())
    for reader in (guard, staff.deputy_gm):
        title = reader.notifications.get(kind=Kind.WALK_IN_DECIDED).shown_title
        assert str(desk) in title and str(staff.deputy_gm) in title, title


def test_an_accepted_walk_in_is_on_todays_board_and_checks_in_at_once(
    four_tier, guard, assistant, desk, staff, login
):
    record(login(guard), assistant)
    accept(login(assistant), WalkIn.objects.get())
    visit = WalkIn.objects.get().visit
    browser = login(desk)
    board = browser.get(reverse("visits:board"))
    assert [v.pk for v in board.context["visits"]] == [visit.pk]
    assert desk.notifications.filter(kind=Kind.WALK_IN_DECIDED).get().url == reverse(
        "visits:desk", args=[visit.pk]
    )
    response = browser.post(reverse("visits:check", args=[visit.pk, "in"]))
    visit.refresh_from_db()
    assert response.status_code == 302 and visit.status == VisitStatus.IN_PROGRESS
    assert visit.visitors.filter(checked_in_at__isnull=False).count() == 2


def test_grading_and_approval_after_arrival_show_on_the_timeline(
    four_tier, guard, assistant, desk, staff, login
):
    record(login(guard), assistant)
    accept(login(assistant), WalkIn.objects.get())
    visit = WalkIn.objects.get().visit
    login(desk).post(reverse("visits:check", args=[visit.pk, "in"]))
    approve_fully(visit)
    assert visit.status == VisitStatus.IN_PROGRESS
    assert visit.approval_steps.filter(state=StepState.PENDING).count() == 0
    event = visit.events.get(kind=EventKind.APPROVED_AFTER_ARRIVAL)
    assert event.actor is not None and event.actor != assistant
    assistant.language = "en"
    assistant.save()
    page = login(assistant).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Approved after arrival" in page


def test_a_walk_in_accepted_by_the_only_grader_is_escalated_not_stuck(
    four_tier, guard, desk, login
):
    """marketing is the policy's contact and the only holder of the grading role."""
    only_grader = user_with(Role.MARKETING, username="only_grader")
    head = user_with(Role.MARKETING_HEAD, username="head")
    policy = ReceptionPolicy.get()
    policy.walk_in_contact = only_grader
    policy.save()
    record(login(guard), only_grader)
    accept(login(only_grader), WalkIn.objects.get())
    step = WalkIn.objects.get().visit.approval_steps.get(state=StepState.PENDING)
    assert step.escalated_to.name == Role.MARKETING_HEAD
    assert step.escalation_reason == EscalationReason.STALLED
    assert [s.pk for s in login(head).get(reverse("approvals:queue")).context["object_list"]] == [
        step.pk
    ]
    assert head.notifications.filter(kind=Kind.APPROVAL_ESCALATED).exists()


def test_only_staff_who_host_can_be_named_and_never_the_recorder(
    four_tier, guard, assistant, desk, login
):
    other_guard = user_with(Role.SECURITY, username="guard2")
    browser = login(guard)
    choices = set(
        browser.get(reverse("visits:walk_in_create"))
        .context["form"]
        .fields["wants_to_see"]
        .queryset
    )
    assert assistant in choices and guard not in choices
    assert other_guard not in choices and desk not in choices
    for person in (guard, other_guard, desk):
        response = record(browser, person)
        assert response.status_code == 400 and "wants_to_see" in response.context["form"].errors
    assert not WalkIn.objects.exists()


def test_security_cannot_accept_even_when_the_person_does_not_answer(
    four_tier, guard, assistant, login
):
    record(login(guard), assistant)
    WalkIn.objects.update(recorded_at=timezone.now() - timedelta(hours=1))
    walk_in = WalkIn.objects.get()
    assert accept(login(guard), walk_in).status_code == 400
    walk_in.refresh_from_db()
    assert walk_in.status == WalkInStatus.WAITING and walk_in.visit is None


@pytest.mark.parametrize("headcount", [0, MAX_HEADCOUNT + 1, 30000])
def test_walk_in_headcount_has_the_filing_forms_limits(guard, assistant, login, headcount):
    response = login(guard).post(
        reverse("visits:walk_in_create"),
        {
            "company": "星河电子",
            "names": "王强",
            "headcount": headcount,
            "phone": "13900001111",
            "wants_to_see": assistant.pk,
            "purpose": "参观",
        },
    )
    assert response.status_code == 400 and "headcount" in response.context["form"].errors


def test_the_accept_card_names_the_grade_of_the_scheme_in_use(four_tier, guard, assistant, login):
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    page = login(assistant).get(
        reverse("visits:walk_in", args=[walk_in.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    text = page.content.decode()
    assert four_tier["routine"].name in text  # 业务级, the lowest grade of the four tiers
    assert "一般接待级别" not in text


def test_the_accept_card_shows_the_department_and_title_of_whom_they_asked_for(
    four_tier, guard, assistant, login
):
    from reception.models import Department, StaffMembership

    marketing = Department.objects.get(code="marketing")
    StaffMembership.objects.create(user=assistant, department=marketing, title="部长助理")
    record(login(guard), assistant)
    walk_in = WalkIn.objects.get()
    label = f"营销助理 · {marketing.name_en} · 部长助理"
    assert (
        label in login(assistant).get(reverse("visits:walk_in", args=[walk_in.pk])).content.decode()
    )
    assert label in login(guard).get(reverse("visits:walk_ins")).content.decode()


# ---- who else hears of walk-ins: policy data (seed 000 D) ----------------------------------


def test_the_marketing_heads_assistant_hears_of_every_walk_in_and_opens_it(four_tier, guard, login):
    """By default the marketing role (the marketing head's assistant, seed 000 D) is told as
    the walk-in is recorded, whoever the visitors asked for, and may open the walk-in."""
    host = user_with(Role.DEPUTY_GM, username="host")
    marketing = user_with(Role.MARKETING, username="mkt_assistant")
    assert ReceptionPolicy.get().walk_in_roles == [Role.MARKETING]
    record(login(guard), host)
    walk_in = WalkIn.objects.get()
    note = marketing.notifications.get(kind=Kind.WALK_IN)
    assert "星河电子有限公司" in note.title and note.url == reverse(
        "visits:walk_in", args=[walk_in.pk]
    )
    assert "13900001111" not in note.body  # the phone is for the person asked for
    assert login(marketing).get(note.url).status_code == 200


def test_who_hears_of_walk_ins_is_the_policys_roles_and_departments(four_tier, guard, login):
    from reception.models import Department

    host = user_with(Role.DEPUTY_GM, username="host")
    marketing = user_with(Role.MARKETING, username="mkt_assistant")
    office = Department.objects.get(code="office")
    clerk = user_with(Role.DEPARTMENT_MEMBER, username="office_clerk")
    office.memberships.create(user=clerk)
    policy = ReceptionPolicy.get()
    policy.walk_in_roles = []
    policy.save()
    policy.walk_in_departments.set([office])
    record(login(guard), host)
    walk_in = WalkIn.objects.get()
    assert not marketing.notifications.exists()
    assert login(marketing).get(reverse("visits:walk_in", args=[walk_in.pk])).status_code == 404
    assert clerk.notifications.get(kind=Kind.WALK_IN).url == reverse(
        "visits:walk_in", args=[walk_in.pk]
    )


# The gate's company: the same client however written, and a look-alike asked about ----------


def test_a_walk_in_from_a_client_written_in_traditional_characters_is_that_client(
    four_tier, guard, assistant, login
):
    client = ClientFactory(name="远航汽车零部件有限公司")
    assert record(login(guard), assistant, company="遠航汽車零部件有限公司。").status_code == 302
    assert WalkIn.objects.get().client == client


def test_a_walk_in_company_differing_by_a_bracketed_place_asks_did_you_mean(
    four_tier, guard, assistant, login
):
    ClientFactory(name="远航汽车零部件有限公司")
    browser = login(guard)
    response = record(browser, assistant, company="远航汽车零部件（苏州）有限公司")
    assert response.status_code == 400 and not WalkIn.objects.exists()
    (error,) = response.context["form"].errors["company"]
    assert "远航汽车零部件有限公司" in error and "Did you mean" in error
    assert 'type="checkbox" name="different_company"' in response.content.decode()
    data = {
        "company": "远航汽车零部件（苏州）有限公司",
        "names": "王强",
        "headcount": 1,
        "phone": "13900001111",
        "wants_to_see": assistant.pk,
        "purpose": "洽谈",
        "different_company": "on",
    }
    assert browser.post(reverse("visits:walk_in_create"), data).status_code == 302
    assert WalkIn.objects.get().client is None  # a new client once accepted
