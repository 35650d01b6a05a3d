"""One permission vocabulary: every "may X" is one rule (visits/permissions.py), and the page
that offers the action, the view that takes it and the service that does it all agree with
it, for every status of the visit and every kind of user. A view or a service that asked its
own question (a role permission alone, a status list of its own) fails here."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import rules
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role, is_administrator
from tests.factories import file_visit, user_with
from tests.visits.test_reception_desk import approve_through, arriving
from visits.models import BOARD_STATUSES, Visitor, VisitRequest, VisitStatus
from visits.services import desk, itinerary, staff
from visits.services.lifecycle import VisitError

pytestmark = pytest.mark.django_db


def test_no_rule_is_named_like_a_django_permission():
    """A rule shadows nothing: `visits.check_in` (the rule) and `visits.check_in_visitors`
    (the role's permission it wraps) are different names."""
    django_perms = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    names = set(rules.permissions.permissions)
    assert names and not names & django_perms


def test_nothing_asks_rules_own_rule_set():
    """The rules live in django-rules' permission set (`add_perm`), asked through `has_perm`.
    `rules.test_rule` / `{% test_rule %}` ask the other set, where they are not: they would
    answer "no" to everyone, silently."""
    root = Path(__file__).resolve().parents[2]
    old = re.compile(r"test_rule|add_rule|permissions import may\b|\bmay\(")
    found = [
        f"{path.relative_to(root)}:{number}"
        for pattern in (
            "reception/**/*.py",
            "approvals/**/*.py",
            "visits/**/*.py",
            "templates/**/*.html",
        )
        for path in root.glob(pattern)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if old.search(line)
    ]
    assert not found


def test_a_superuser_meets_the_rules_state_but_keeps_every_django_permission(
    four_tier, sales, staff
):
    root = user_with(username="root", is_superuser=True)
    visit = file_visit(sales, four_tier["guest"])  # submitted
    assert root.has_perm("visits.check_in_visitors")  # Django's answer for a superuser
    assert not root.has_perm("visits.check_in", visit)  # not approved: nobody checks it in
    assert not root.has_perm("visits.edit_visit", visit)  # not theirs, and with the approvers
    visit = approve_through(visit)
    assert root.has_perm("visits.check_in", visit)
    root.is_active = False
    assert not root.has_perm("visits.check_in", visit)


def test_is_administrator_is_asked_in_one_place(make_user):
    import approvals.services
    import visits.permissions

    assert approvals.services.is_administrator is is_administrator
    assert visits.permissions.is_administrator(make_user(Role.ADMINISTRATOR, username="adm"))
    assert not visits.permissions.is_administrator(make_user(Role.SALES, username="s"))


def test_hosts_are_who_holds_the_host_permission(make_user):
    host = make_user(Role.SALES, username="host")
    make_user(Role.SECURITY, username="gate")
    root = make_user(username="root", is_superuser=True)
    make_user(Role.SALES, username="gone", is_active=False)
    from visits.services.walk_ins import hosts

    assert set(hosts()) == {host, root}


# ---- the desk -----------------------------------------------------------------------------


@pytest.fixture
def desk_people(sales, staff):
    return {
        "front desk": user_with(Role.FRONT_DESK, username="fd"),
        "receptionist": staff.receptionist,
        "gate": user_with(Role.SECURITY, username="gate"),
        "applicant": sales,
        "superuser": user_with(username="root", is_superuser=True),
    }


def put(visit: VisitRequest, status: str) -> VisitRequest:
    """The visit in `status`, with one visitor on site and one still to come."""
    VisitRequest.objects.filter(pk=visit.pk).update(status=status)
    first, second = visit.visitors.order_by("pk")[:2]
    now = timezone.now() - timedelta(minutes=5)
    Visitor.objects.filter(pk=first.pk).update(checked_in_at=now, checked_out_at=None)
    Visitor.objects.filter(pk=second.pk).update(checked_in_at=None, checked_out_at=None)
    return VisitRequest.objects.get(pk=visit.pk)


# rule -> the view's URL name and arguments, what it posts, and the service it calls
DESK = {
    "visits.check_in": (
        ("visits:check", {"direction": "in"}, {}),
        lambda visit, by: desk.check_in(visit=visit, by=by),
    ),
    "visits.check_out": (
        ("visits:check", {"direction": "out"}, {}),
        lambda visit, by: desk.check_out(visit=visit, by=by),
    ),
    "visits.make_arrangements": (
        ("visits:arrangements", {}, {"meeting_room": "A1"}),
        lambda visit, by: desk.update_arrangements(visit=visit, by=by, data={"meeting_room": "A2"}),
    ),
}


@pytest.fixture
def desk_visit(four_tier, sales, staff):
    visit = approve_through(file_visit(sales, four_tier["guest"], late_reason="急", **arriving(1)))
    while visit.visitors.count() < 2:
        Visitor.objects.create(visit=visit, name=f"访客{visit.visitors.count()}")
    return visit


@pytest.mark.parametrize("status", list(VisitStatus))
def test_the_desk_page_its_views_and_its_services_agree_with_each_rule(
    status, desk_visit, desk_people
):
    for who, user in desk_people.items():
        browser = Client()
        browser.force_login(user)
        visit = put(desk_visit, status)
        allowed = {rule: user.has_perm(rule, visit) for rule in DESK}
        page = browser.get(reverse("visits:desk", args=[visit.pk]))
        for rule, ((name, kwargs, data), service) in DESK.items():
            where = f"{rule}, {who}, {status}"
            url = reverse(name, kwargs={"pk": visit.pk, **kwargs})
            if page.status_code == 200:  # the page offers the action exactly when allowed
                assert (f'"{url}"' in page.content.decode()) is allowed[rule], where
            put(desk_visit, status)  # as the page showed it
            response = browser.post(url, data)
            if allowed[rule]:
                assert response.status_code == 302, where
            elif status in BOARD_STATUSES:
                assert response.status_code == 403, where
            else:  # not on the board: the desk does not find it, or the role is not the desk's
                assert response.status_code in (403, 404), where
            try:
                service(put(desk_visit, status), user)
            except VisitError:
                done = False
            else:
                done = True
            assert done is allowed[rule], where


# ---- the visit page -----------------------------------------------------------------------


@pytest.fixture
def visit_people(sales, other_sales, staff):
    return {
        "applicant": sales,
        "colleague": other_sales,
        "receptionist": staff.receptionist,
        "approver": staff.marketing,
        "superuser": user_with(username="root", is_superuser=True),
    }


VISIT_PAGE = {
    "visits.change_staff": (
        "visits:staff",
        lambda visit, by: staff.change_reception_staff(
            visit=visit, by=by, main_host=visit.main_host, receptionist=by, reason="因为"
        ),
    ),
    "visits.edit_itinerary": (
        "visits:itinerary",
        lambda visit, by: itinerary.save_itinerary(visit=visit, by=by, rows=[]),
    ),
}


@pytest.mark.parametrize("status", list(VisitStatus))
def test_the_visit_page_its_views_and_its_services_agree_with_each_rule(
    status, desk_visit, visit_people
):
    for who, user in visit_people.items():
        browser = Client()
        browser.force_login(user)
        visit = put(desk_visit, status)
        page = browser.get(reverse("visits:detail", args=[visit.pk]))
        for rule, (name, service) in VISIT_PAGE.items():
            where = f"{rule}, {who}, {status}"
            allowed = user.has_perm(rule, visit)
            url = reverse(name, args=[visit.pk])
            if page.status_code == 200:
                assert (f'"{url}"' in page.content.decode()) is allowed, where
            put(desk_visit, status)  # as the page showed it
            response = browser.post(url, {"main_host": "", "receptionist": "", "reason": ""})
            if page.status_code == 404:  # out of their scope: the action too
                assert response.status_code == 404, where
            elif allowed:
                assert response.status_code in (302, 400), where  # taken (the form may refuse)
            else:
                assert response.status_code == 403, where
            try:
                service(put(desk_visit, status), user)
            except VisitError:
                done = False
            else:
                done = True
            assert done is allowed, where


@pytest.mark.parametrize("status", list(VisitStatus))
def test_the_applicant_is_offered_editing_exactly_when_the_rule_allows_it(
    status, desk_visit, sales
):
    browser = Client()
    browser.force_login(sales)
    visit = put(desk_visit, status)
    page = browser.get(reverse("visits:detail", args=[visit.pk])).content.decode()
    for rule, name in (
        ("visits.edit_visit", "visits:edit"),
        ("visits.submit_visit", "visits:submit"),
        ("visits.cancel_visit", "visits:cancel"),
    ):
        allowed = sales.has_perm(rule, visit)
        assert (f'"{reverse(name, args=[visit.pk])}"' in page) is allowed, (rule, status)
    edit = browser.get(reverse("visits:edit", args=[visit.pk]))
    # refused: back to the visit page with the reason (a page drawn before the status moved)
    assert edit.status_code == (200 if sales.has_perm("visits.edit_visit", visit) else 302)
