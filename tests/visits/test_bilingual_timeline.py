"""What the system writes on a visit's timeline, and the reason it gives for a walk-in's late
filing, are shown in the reader's language; what a person typed is shown as typed."""

import pytest
from django.urls import reverse

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Notification, ReceptionPolicy
from reception.notifications.messages import render_stored
from tests.factories import approve_fully, file_visit, user_with, visit_data
from visits.models import EventKind, VisitEvent, VisitStatus, WalkIn
from visits.services import desk
from visits.services.notifications import Kind
from visits.services.requests import update_visit_request
from visits.services.spending import record_expense
from visits.services.summary import waive_department_part
from visits.services.walk_ins import accept_walk_in

pytestmark = pytest.mark.django_db


def page(login, user, visit, language) -> str:
    user.language = language
    user.save(update_fields=["language"])
    return login(user).get(reverse("visits:detail", args=[visit.pk])).content.decode()


@pytest.fixture
def regraded(four_tier, sales, staff):
    """An approved visit whose grade the applicant changed: it goes back through approval."""
    visit = approve_fully(file_visit(sales, four_tier["guest"]))
    data = visit_data(four_tier["vip"], client=visit.client)
    data |= {"arrival_at": visit.arrival_at, "departure_at": visit.departure_at}
    update_visit_request(visit=visit, by=sales, data=data, visitors=None)
    return visit


def test_a_grade_change_reads_in_each_readers_language_on_the_same_event(regraded, sales, login):
    event = regraded.events.get(to_status=VisitStatus.IN_APPROVAL, from_status=VisitStatus.APPROVED)
    assert event.comment == "" and event.message["msgid"] == "The grade changed."
    english = page(login, sales, regraded, "en")
    assert "The grade changed." in english and "接待等级已变更" not in english
    chinese = page(login, sales, regraded, "zh-hans")
    assert "接待等级已变更。" in chinese and "The grade changed." not in chinese


def test_a_typed_approval_comment_is_shown_as_typed_in_both_languages(
    four_tier, sales, staff, login
):
    visit = file_visit(sales, four_tier["routine"])
    step = visit.approval_steps.get(state=StepState.PENDING)
    decide(step=step, by=staff.marketing, decision=StepState.RETURNED, comment="Please add 行程")
    returned = visit.events.get(to_status=VisitStatus.RETURNED)
    assert returned.comment == "Please add 行程" and returned.message is None
    for language in ("en", "zh-hans"):
        assert "“Please add 行程”" in page(login, sales, visit, language)


def test_a_timeline_entry_from_before_messages_shows_its_text(four_tier, sales, login):
    visit = file_visit(sales, four_tier["routine"])
    VisitEvent.objects.create(visit=visit, kind=EventKind.SUMMARY, comment="部门部分已免除:出差")
    assert "“部门部分已免除:出差”" in page(login, sales, visit, "en")


@pytest.fixture
def walk_in_visit(four_tier, staff):
    contact = user_with(Role.MARKETING, username="assistant", full_name="营销助理")
    policy = ReceptionPolicy.get()
    policy.walk_in_contact = contact
    policy.save()
    contact.language = "zh-hans"
    contact.save()
    walk_in = WalkIn.objects.create(
        company="星河电子有限公司",
        names="王强",
        headcount=1,
        phone="13900001111",
        wants_to_see=contact,
        purpose="洽谈采购",
        recorded_by=user_with(Role.SECURITY),
    )
    return accept_walk_in(walk_in=walk_in, by=contact), contact


def test_a_walk_ins_late_reason_and_acceptance_read_in_the_readers_language(walk_in_visit, login):
    visit, contact = walk_in_visit
    # the text as written stays in the field, for exports and search
    assert visit.late_reason == visit.late_reason_message["text"] != ""
    english = page(login, contact, visit, "en")
    assert "Unannounced visitor at the gate." in english and "未预约来访" not in english
    assert "Walk-in accepted by 营销助理" in english
    chinese = page(login, contact, visit, "zh-hans")
    assert "未预约来访，人员已在门岗。" in chinese and "Unannounced visitor" not in chinese


def test_a_late_reason_a_person_rewrote_is_shown_as_typed(walk_in_visit):
    visit, _contact = walk_in_visit
    visit.late_reason = "客户临时到访"
    assert visit.shown_late_reason == "客户临时到访"
    assert visit.late_reason_param == "客户临时到访"


def test_the_approvers_notification_gives_a_walk_ins_late_reason_in_each_language(
    walk_in_visit,
):
    visit, _contact = walk_in_visit
    note = Notification.objects.filter(kind=Kind.APPROVAL_WAITING, url__contains="approvals").last()
    assert "Filed late: Unannounced visitor at the gate." in render_stored(
        note.body_message, language="en"
    )
    assert "迟报原因：未预约来访，人员已在门岗。" in render_stored(
        note.body_message, language="zh-hans"
    )


def test_a_waived_department_part_keeps_hrs_reason_apart_from_the_systems_words(four_tier, sales):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    waive_department_part(visit=visit, by=user_with(Role.HR), reason="部门负责人长期出差")
    event = visit.events.filter(kind=EventKind.SUMMARY).last()
    assert event.comment == "部门负责人长期出差"
    assert event.message["msgid"] == "The department's part was waived."


def test_an_expense_over_the_standard_keeps_the_justification_as_typed(four_tier, sales):
    visit = approve_fully(file_visit(sales, four_tier["guest"]))
    frontdesk = user_with(Role.FRONT_DESK)
    desk.check_in(visit=visit, by=frontdesk)
    desk.check_out(visit=visit, by=frontdesk)
    record_expense(
        visit=visit,
        by=user_with(Role.RECEPTIONIST),
        data={"category": "wine", "quantity": 1, "amount": 800, "justification": "客户指定酒款"},
    )
    event = visit.events.get(kind=EventKind.EXPENSE_OVER_STANDARD)
    assert event.comment == "客户指定酒款"
    assert event.message["params"]["category"] == {"message": {"msgid": "Wine"}}
    assert render_stored(event.message, language="en").startswith("Wine ¥800 > ¥300")
    assert render_stored(event.message, language="zh-hans").startswith("酒水 ¥800 > ¥300")
