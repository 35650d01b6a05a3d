"""The visit page keeps its preparation tasks and timeline entries rendered ({% cache %}): a
second render reads them from the cache, and each thing a kept row shows (the task's own
version, its status and re-check flag changed in bulk, its due date, overdue, who holds it and
who did it; an entry's guest, its changes and its actor; the language) shows on the next
render when it changes. The preparation card is kept whole too, under its rows' keys and its
departments' names."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import ApprovalStep, StepState
from reception.accounts.roles import Role
from reception.models import Client, ClientCategory, ClientContact, Site, User
from tests.factories import approve_fully, file_visit, user_with
from visits.models import EventKind, PrepStatus, PrepTask, VisitEvent, VisitRequest

pytestmark = pytest.mark.django_db


def _kept(name: str) -> int:
    """How many fragments of this name the cache holds (LocMem: keys name the fragment)."""
    return sum(f".{name}." in key for key in caches["template_fragments"]._cache)


def _section(response, start: str, end: str) -> str:
    page = response.content.decode()
    return page[page.index(start) : page.index(end, page.index(start))]


def _tasks(response) -> str:
    return _section(response, 'id="preparation"', "\n    </div></div>")


def _timeline(response) -> str:
    return _section(response, '<ul class="timeline', "</ul>\n    </div></div>")


@pytest.fixture
def visit(sales, four_tier, staff):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    assert visit.prep_tasks.exists()
    return visit


@pytest.fixture
def page(login, sales, visit):
    browser = login(sales)
    url = reverse("visits:detail", args=[visit.pk])
    return lambda **headers: browser.get(url, **headers)


def test_the_visit_page_keeps_its_task_rows_and_timeline_entries(page, visit):
    first = page()
    tasks = visit.prep_tasks.count()
    events = visit.events.count()
    assert _kept("visit_task_row") == tasks
    assert _kept("visit_event_row") == events
    second = page()
    assert _tasks(second) == _tasks(first)
    assert _timeline(second) == _timeline(first)
    assert _kept("visit_task_row") == tasks
    assert _kept("visit_event_row") == events


def _task(visit) -> PrepTask:
    return visit.prep_tasks.exclude(status=PrepStatus.CANCELLED).order_by("pk").first()


def test_a_task_row_shows_a_change_of_its_own(page, visit):
    page()
    task = _task(visit)
    task.name = task.name_en = "Polish the brass plate"
    task.save()  # its version moves
    assert "Polish the brass plate" in _tasks(page())


def test_a_task_row_shows_a_status_changed_in_bulk(page, visit):
    page()
    task = _task(visit)
    PrepTask.objects.filter(pk=task.pk).update(status=PrepStatus.CANCELLED)
    assert "text-decoration-line-through" in _tasks(page())


def test_a_task_row_shows_a_recheck_flag_set_in_bulk(page, visit):
    assert "re-check" not in _tasks(page())
    PrepTask.objects.filter(pk=_task(visit).pk).update(needs_recheck=True)
    assert "re-check" in _tasks(page())


def test_a_task_row_shows_a_due_date_changed_in_bulk(page, visit):
    page()
    day = timezone.localdate() + timedelta(days=40)
    PrepTask.objects.filter(pk=_task(visit).pk).update(due_date=day)
    assert day.strftime("%m-%d") in _tasks(page())


def test_a_task_row_turns_overdue_when_its_day_passes(page, visit):
    task = _task(visit)
    PrepTask.objects.filter(pk=task.pk).update(due_date=timezone.localdate())
    assert "text-danger fw-semibold" not in _tasks(page())
    PrepTask.objects.filter(pk=task.pk).update(due_date=timezone.localdate() - timedelta(days=1))
    # only the overdue flag moves: the date itself is covered by the same update
    task.refresh_from_db()
    assert task.is_overdue
    assert "text-danger fw-semibold" in _tasks(page())


def test_a_task_row_shows_its_holder_and_doer_renamed(page, visit, sales):
    task = _task(visit)
    PrepTask.objects.filter(pk=task.pk).update(assignee=sales)
    page()
    sales.full_name = "改名的负责人"
    sales.save()
    assert "改名的负责人" in _tasks(page())

    PrepTask.objects.filter(pk=task.pk).update(
        status=PrepStatus.DONE, done_by=sales, done_at=timezone.now()
    )
    page()
    sales.full_name = "改名的完成人"
    sales.save()
    assert '<span class="text-nowrap">改名的完成人 ' in _tasks(page())  # who did it


def test_a_task_row_follows_the_language(page):
    english = _tasks(page())
    chinese = _tasks(page(HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert "due " in english and "due " not in chinese


def _event(visit) -> VisitEvent:
    return VisitEvent.objects.create(
        visit=visit, kind=EventKind.CHECK_IN, changes=["王先生"], guest="", actor=None
    )


def test_a_timeline_entry_shows_changes_rewritten(page, visit):
    event = _event(visit)
    assert "王先生" in _timeline(page())
    VisitEvent.objects.filter(pk=event.pk).update(changes=["(anonymised)"])
    timeline = _timeline(page())
    assert "王先生" not in timeline and "(anonymised)" in timeline


def test_a_timeline_entry_shows_its_guest_rewritten(page, visit):
    event = _event(visit)
    VisitEvent.objects.filter(pk=event.pk).update(guest="李女士")
    assert "李女士" in _timeline(page())
    VisitEvent.objects.filter(pk=event.pk).update(guest="(anonymised)")
    timeline = _timeline(page())
    assert "李女士" not in timeline and "(anonymised)" in timeline


def test_a_timeline_entry_shows_its_actor_renamed(page, visit, sales):
    event = _event(visit)
    VisitEvent.objects.filter(pk=event.pk).update(actor=sales)
    page()
    sales.full_name = "改名的操作人"
    sales.save()
    assert "改名的操作人" in _timeline(page())


def test_a_timeline_entry_follows_the_language(page, visit):
    event = _event(visit)
    english = _timeline(page())
    with translation.override("zh-hans"):
        kind = str(event.get_kind_display())
    chinese = _timeline(page(HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert kind in chinese and kind not in english


def test_the_preparation_card_is_kept_whole_and_shows_its_department_renamed(page, visit):
    first = page()
    assert _kept("visit_preparation") == 1
    assert _tasks(page()) == _tasks(first)
    department = _task(visit).department
    department.name = department.name_en = "Renamed department"
    department.save()
    assert "Renamed department" in _tasks(page())
    assert _kept("visit_preparation") == 2  # a new key; the old card is simply not asked for


def test_the_preparation_card_counts_a_task_done_in_bulk(page, visit):
    live = visit.prep_tasks.exclude(status=PrepStatus.CANCELLED).count()
    assert not visit.prep_tasks.filter(status=PrepStatus.DONE).exists()
    before = _tasks(page())
    PrepTask.objects.filter(pk=_task(visit).pk).update(status=PrepStatus.DONE)
    after = _tasks(page())
    assert f"{round(100 / live)}%" in after and after != before


# ---- the request card: the visit's facts, kept under request_key ------------------------------


def _request(response) -> str:
    return _section(response, '<dl class="row mb-0">', "</dl>")


def _fresh(visit) -> VisitRequest:
    return VisitRequest.objects.select_related("client", "site", "final_grade").get(pk=visit.pk)


def test_the_request_card_is_kept(page):
    first = page()
    assert _kept("visit_request") == 1
    assert _request(page()) == _request(first)
    assert _kept("visit_request") == 1


def test_the_request_card_shows_a_change_of_the_visit(page, visit):
    page()
    visit = _fresh(visit)
    visit.meeting_room = "Room Peony"
    visit.save()  # its version moves
    assert "Room Peony" in _request(page())


def test_the_request_card_shows_late_set_in_bulk(page, visit):
    assert "text-danger" not in _request(page())
    VisitRequest.objects.filter(pk=visit.pk).update(late=True, late_reason="A sudden trip")
    assert "A sudden trip" in _request(page())


def test_the_request_card_shows_the_grade_fixed_in_bulk(page, visit, four_tier):
    page()
    VisitRequest.objects.filter(pk=visit.pk).update(final_grade=four_tier["vip"])
    assert four_tier["vip"].label in _request(page())


def test_the_request_card_shows_its_grade_renamed(page, visit):
    page()
    grade = _fresh(visit).grade
    grade.name = grade.name_en = "Renamed grade"
    grade.save()
    assert "Renamed grade" in _request(page())


def test_the_request_card_shows_its_client_renamed_and_recategorised(page, visit):
    page()
    client = _fresh(visit).client
    client.name = client.name_en = "Renamed Client Ltd"
    client.save()
    assert "Renamed Client Ltd" in _request(page())
    other = next(c for c in ClientCategory if c != client.category)
    Client.objects.filter(pk=client.pk).update(category=other)
    assert str(other.label) in _request(page())


def test_the_request_card_shows_its_contacts_changed(page, visit):
    client = _fresh(visit).client
    contact = ClientContact.objects.create(client=client, name="赵经理", title="采购")
    page()
    visit.contacts.add(contact)  # a many-to-many row: the visit's version stays
    assert "赵经理" in _request(page())
    ClientContact.objects.filter(pk=contact.pk).update(name="赵总")
    assert "赵总" in _request(page())


def test_the_request_card_shows_its_site_renamed(page, visit):
    page()
    site = _fresh(visit).site
    Site.objects.filter(pk=site.pk).update(
        name="改名的园区", name_en="Renamed campus", address="新地址", address_en="New address"
    )
    request = _request(page())
    assert "Renamed campus" in request and "New address" in request


def test_the_request_card_shows_its_people_renamed_and_accompanying_added(page, visit, staff):
    VisitRequest.objects.filter(pk=visit.pk).update(main_host=staff.marketing)
    page()
    staff.marketing.full_name = "改名的主陪"
    staff.marketing.save()
    assert "改名的主陪" in _request(page())
    visit.accompanying_staff.add(staff.gm)  # a many-to-many row: the visit's version stays
    assert str(staff.gm) in _request(page())


def test_the_request_card_follows_the_language(page):
    english = _request(page())
    chinese = _request(page(HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert english != chinese


# ---- the reception staff form's fields, kept under staff_key (its token is not) --------------


def _staff(response) -> str:
    return _section(response, 'name="main_host"', 'name="reason"')


def test_the_staff_fields_are_kept_but_not_the_token(page):
    first = page()
    assert _kept("visit_staff_fields") == 1
    assert _staff(page()) == _staff(first)
    assert 'name="csrfmiddlewaretoken"' in _section(first, 'action="/visits/', "</form>")


def test_the_staff_fields_show_the_main_host_renamed_and_deactivated(page, visit, staff):
    VisitRequest.objects.filter(pk=visit.pk).update(main_host=staff.marketing)
    assert "刘洋" in _staff(page())
    staff.marketing.full_name = "改名的主陪"
    staff.marketing.save()
    assert "改名的主陪" in _staff(page())
    staff.marketing.is_active = False
    staff.marketing.save()
    assert "改名的主陪" not in _staff(page())  # no longer offered


def test_the_staff_fields_show_the_receptionist_and_the_receptionists(page, visit):
    receptionist = user_with(Role.RECEPTIONIST, username="desk1", full_name="孙前台")
    assert "孙前台" in _staff(page())
    assert f'value="{receptionist.pk}" selected' not in _staff(page())
    VisitRequest.objects.filter(pk=visit.pk).update(receptionist=receptionist)
    assert f'value="{receptionist.pk}" selected' in _staff(page())
    newcomer = user_with(Role.RECEPTIONIST, username="desk2", full_name="周前台")
    assert "周前台" in _staff(page())
    User.objects.filter(pk=newcomer.pk).update(full_name="周接待")
    assert "周接待" in _staff(page())


def test_the_staff_fields_follow_the_language(page):
    assert _staff(page()) != _staff(page(HTTP_ACCEPT_LANGUAGE="zh-hans"))


# ---- the approval card: the latest round's steps, kept under approval_key --------------------


def _approval(response) -> str:
    return _section(response, '<ol class="list-group list-group-numbered">', "</ol>")


def _step(visit) -> ApprovalStep:
    return visit.approval_steps.order_by("round", "position").last()


def test_the_approval_card_is_kept(page):
    first = page()
    assert _kept("visit_approval") == 1
    assert _approval(page()) == _approval(first)
    assert _kept("visit_approval") == 1


def test_the_approval_card_shows_a_state_and_comment_changed_in_bulk(page, visit):
    page()
    ApprovalStep.objects.filter(pk=_step(visit).pk).update(comment="Mind the budget")
    assert "Mind the budget" in _approval(page())
    ApprovalStep.objects.filter(pk=_step(visit).pk).update(state=StepState.SKIPPED)
    assert "text-decoration-line-through" in _approval(page())


def test_the_approval_card_shows_its_decider_renamed(page, visit):
    page()
    decider = _step(visit).decided_by
    decider.full_name = "改名的审批人"
    decider.save()
    assert "改名的审批人" in _approval(page())


def test_the_approval_card_shows_an_escalation(page, visit):
    page()
    ApprovalStep.objects.filter(pk=_step(visit).pk).update(
        decided_by=None, decided_at=None, escalated_at=timezone.now()
    )
    assert "escalated to" in _approval(page())


def test_the_approval_card_follows_the_language(page):
    assert _approval(page()) != _approval(page(HTTP_ACCEPT_LANGUAGE="zh-hans"))
