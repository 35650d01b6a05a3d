"""Unannounced visitors: recorded at the gate, accepted or declined by the person asked for."""

import pytest
from django.urls import reverse

from reception.models import Client, ClientCategory, ReceptionPolicy
from reception.roles import Role
from tests.factories import ClientFactory, user_with
from visits.models import Origin, VisitStatus, WalkIn, WalkInStatus

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


def test_accepting_files_a_fast_tracked_walk_in_request_with_a_new_self_enquiry_client(
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
    assert visit.origin == Origin.WALK_IN and visit.status == VisitStatus.SUBMITTED
    assert visit.proposed_grade == four_tier["routine"]
    assert [v.name for v in visit.visitors.all()] == ["王强", "李明"]
    client = Client.objects.get(name="星河电子有限公司")
    assert client.category == ClientCategory.SELF_ENQUIRY and visit.client == client
    queue = login(staff.marketing).get(reverse("approvals:queue")).context["object_list"]
    assert [s.visit_id for s in queue] == [visit.pk]
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
