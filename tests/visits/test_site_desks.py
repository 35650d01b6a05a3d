"""Per-site work beyond the board: walk-ins carry their gate's site, a welcome screen shows
its site's visitors, reminders to reception go to the visit's site, tasks name their site,
the desk's feed and home page stay at the user's sites, and messages name the site."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.models import CalendarDay, DayKind, Notification, Site
from tests.factories import (
    ClientFactory,
    SiteFactory,
    approve_fully,
    file_visit,
    first_site,
    moment,
    t_minus,
    user_with,
)
from tests.visits.test_sites import approved_tomorrow, desk_user
from visits.models import VisitStatus, WalkIn, WelcomeDisplay
from visits.reminders import sweep
from visits.services import notifications as visit_notifications
from visits.services.calendar_feeds import all_arrivals
from visits.services.walk_ins import accept_walk_in, record_walk_in

pytestmark = pytest.mark.django_db

WALK_INS = reverse("visits:walk_ins")
NEW_WALK_IN = reverse("visits:walk_in_create")


@pytest.fixture
def sites(four_tier):
    """The company's first site and a plant (as tests/visits/test_sites.py has them)."""
    main = first_site()
    main.name, main.name_en, main.address = "上海总部", "Shanghai head office", "上海市金海路1号"
    main.save()
    suzhou = SiteFactory(
        code="suzhou",
        name="苏州工厂",
        name_en="Suzhou plant",
        address="苏州工业园区星湖街88号",
        address_en="88 Xinghu Street, Suzhou Industrial Park",
        ordering=1,
    )
    return main, suzhou


@pytest.fixture
def two_arrivals(sites, four_tier, sales, staff):
    main, suzhou = sites
    return (
        approved_tomorrow(sales, four_tier["routine"], main, client=ClientFactory(name="上海客户")),
        approved_tomorrow(
            sales, four_tier["routine"], suzhou, client=ClientFactory(name="苏州客户")
        ),
    )


@pytest.fixture
def host(db):
    return user_with(Role.SALES, username="host", full_name="张伟")


def walk_in_at(site, by, host, company="星河电子有限公司"):
    return record_walk_in(
        by=by,
        site=site,
        company=company,
        names="王强",
        headcount=1,
        phone="13900001111",
        wants_to_see=host,
        purpose="洽谈",
    )


# ---- walk-ins -----------------------------------------------------------------------------


def test_a_walk_in_is_for_the_recorders_site_and_told_to_that_sites_desk(sites, host, login):
    main, suzhou = sites
    guard = desk_user("guard_sz", suzhou, role=Role.SECURITY)
    desk_sz = desk_user("desk_sz", suzhou)
    desk_sh = desk_user("desk_sh", main)
    everywhere = user_with(Role.FRONT_DESK, username="desk_all")
    response = login(guard).post(
        NEW_WALK_IN,
        {
            "company": "星河电子有限公司",
            "names": "王强",
            "headcount": 1,
            "phone": "13900001111",
            "wants_to_see": host.pk,
            "purpose": "洽谈",
        },
    )
    assert response.status_code == 302
    walk_in = WalkIn.objects.get()
    assert walk_in.site == suzhou
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"desk_sz", "desk_all", "host"} <= told and "desk_sh" not in told
    assert desk_sh.pk and everywhere.pk and desk_sz.pk


def test_with_several_sites_in_reach_the_form_asks_which_gate(sites, host, login):
    main, suzhou = sites
    guard = desk_user("guard_both", main, suzhou, role=Role.SECURITY)
    guard.home_site = suzhou
    guard.save()
    page = login(guard).get(NEW_WALK_IN).content.decode()
    assert 'name="site"' in page
    assert f'<option value="{suzhou.pk}" selected>' in page
    one = desk_user("guard_one", main, role=Role.SECURITY)
    assert 'name="site"' not in login(one).get(NEW_WALK_IN).content.decode()


def test_each_gate_lists_and_opens_its_own_walk_ins(sites, host, login):
    main, suzhou = sites
    at_main = walk_in_at(main, desk_user("guard_sh", main, role=Role.SECURITY), host, "上海来客")
    at_suzhou = walk_in_at(
        suzhou, desk_user("guard_sz", suzhou, role=Role.SECURITY), host, "苏州来客"
    )
    browser = login(desk_user("desk_sh", main))
    page = browser.get(WALK_INS).content.decode()
    assert "上海来客" in page and "苏州来客" not in page
    assert "上海总部" in page  # several sites: the list names each one's site
    assert browser.get(reverse("visits:walk_in", args=[at_main.pk])).status_code == 200
    assert browser.get(reverse("visits:walk_in", args=[at_suzhou.pk])).status_code == 404
    response = browser.post(reverse("visits:walk_in", args=[at_suzhou.pk]), {"action": "accept"})
    assert response.status_code == 404
    # the person asked for opens it wherever it waits; a desk of every site sees both
    assert login(host).get(reverse("visits:walk_in", args=[at_suzhou.pk])).status_code == 200
    page = login(user_with(Role.FRONT_DESK, username="all")).get(WALK_INS).content.decode()
    assert "上海来客" in page and "苏州来客" in page


def test_the_boards_gate_panel_shows_its_sites_walk_ins(sites, host, login):
    main, suzhou = sites
    walk_in_at(main, desk_user("guard_sh", main, role=Role.SECURITY), host, "上海来客")
    walk_in_at(suzhou, desk_user("guard_sz", suzhou, role=Role.SECURITY), host, "苏州来客")
    page = login(desk_user("desk_sz", suzhou)).get(reverse("visits:board")).content.decode()
    assert "苏州来客" in page and "上海来客" not in page


def test_an_accepted_walk_in_is_a_visit_at_its_gates_site(sites, four_tier, host, staff):
    main, suzhou = sites
    guard = desk_user("guard_sz", suzhou, role=Role.SECURITY)
    guard.home_site = main  # recorded at the plant's gate, whatever their home site
    guard.save()
    walk_in = walk_in_at(suzhou, guard, host)
    visit = accept_walk_in(walk_in=walk_in, by=host)
    assert visit.site == suzhou and visit.status == VisitStatus.APPROVED


def test_the_walk_in_list_costs_the_same_queries_with_more_walk_ins(
    sites, host, login, django_assert_num_queries
):
    main, _suzhou = sites
    guard = desk_user("guard_sh", main, role=Role.SECURITY)
    browser = login(desk_user("desk_sh", main))
    walk_in_at(main, guard, host)
    browser.get(WALK_INS)
    with django_assert_num_queries(WALK_IN_LIST_QUERIES):
        browser.get(WALK_INS)
    for n in range(4):
        walk_in_at(main, guard, user_with(Role.SALES, username=f"host{n}"), f"来客{n}")
    with django_assert_num_queries(WALK_IN_LIST_QUERIES):
        page = browser.get(WALK_INS).content.decode()
    assert page.count("来客") >= 4


WALK_IN_LIST_QUERIES = 8


# ---- the lobby screens --------------------------------------------------------------------


def test_a_lobby_screen_welcomes_its_own_sites_visitors(sites, two_arrivals, client):
    main, suzhou = sites
    at_main, at_suzhou = two_arrivals
    for visit in two_arrivals:  # today, with a banner
        visit.arrival_at -= timedelta(days=1)
        visit.departure_at -= timedelta(days=1)
        visit.services = [*visit.services, "welcome_banner"]
        visit.banner_text = f"欢迎{visit.client.name}"
        visit.save()
    plant = WelcomeDisplay.objects.create(name="苏州大堂", site=suzhou)
    every = WelcomeDisplay.objects.create(name="总屏")
    page = client.get(reverse("visits:welcome", args=[plant.token])).content.decode()
    assert "欢迎苏州客户" in page and "欢迎上海客户" not in page
    page = client.get(reverse("visits:welcome", args=[every.token])).content.decode()
    assert "欢迎苏州客户" in page and "欢迎上海客户" in page


# ---- reminders to reception ---------------------------------------------------------------


def test_reception_hears_of_its_own_sites_visits_only(sites, four_tier, sales, staff):
    main, suzhou = sites
    rec_sh = desk_user("rec_sh", main, role=Role.RECEPTIONIST)
    rec_sz = desk_user("rec_sz", suzhou, role=Role.RECEPTIONIST)
    visit = file_visit(sales, four_tier["routine"], site=suzhou)
    assert set(visit_notifications.receptionists_of(visit)) == {rec_sz, staff.receptionist}
    approve_fully(visit)
    told = set(
        Notification.objects.filter(kind="visit_approved").values_list("recipient", flat=True)
    )
    assert rec_sz.pk in told and rec_sh.pk not in told


def test_the_morning_arrivals_list_shows_each_desk_its_sites(sites, two_arrivals, staff):
    main, suzhou = sites
    desk_sh, desk_sz = desk_user("desk_sh", main), desk_user("desk_sz", suzhou)
    everywhere = user_with(Role.FRONT_DESK, username="desk_all")
    day = timezone.localtime(two_arrivals[0].arrival_at).date()
    CalendarDay.objects.create(day=day, kind=DayKind.WORKING)
    sweep(now=moment(day, 8, 1))

    def body(user):
        (note,) = Notification.objects.filter(recipient=user, kind="reminder_arrivals_today")
        return note.body

    at_main, at_suzhou = (v.reference for v in two_arrivals)
    text = body(desk_sh)
    assert at_main in text and at_suzhou not in text
    text = body(desk_sz)
    assert at_suzhou in text and at_main not in text
    text = body(everywhere)
    assert at_suzhou in text and at_main in text


def test_a_visits_reminder_to_a_reception_role_goes_to_its_site(sites, two_arrivals):
    from visits.models import Reminder, ReminderRule
    from visits.reminders.planning import plan_due_reminders

    main, suzhou = sites
    _at_main, at_suzhou = two_arrivals
    rec_sh = desk_user("rec_sh", main, role=Role.RECEPTIONIST)
    rec_sz = desk_user("rec_sz", suzhou, role=Role.RECEPTIONIST)
    rule = ReminderRule.objects.filter(kind="visitor_information").first()
    assert rule is not None
    rule.recipient_roles.set(rec_sh.groups.all())
    now = moment(t_minus(at_suzhou, 2), 8, 31)  # the hand-over's morning
    plan_due_reminders(now=now, visit=at_suzhou, kinds=[rule.kind])
    told = set(Reminder.objects.filter(visit=at_suzhou).values_list("recipient", flat=True))
    assert rec_sz.pk in told and rec_sh.pk not in told


# ---- tasks, the feed, the home page -------------------------------------------------------


def department_member(visit):
    """A member of a department with a task for the visit."""
    from reception.models import StaffMembership

    task = visit.prep_tasks.select_related("department").first()
    assert task is not None
    member = user_with(Role.DEPARTMENT_MEMBER, username="member")
    StaffMembership.objects.create(user=member, department=task.department)
    return member


def test_the_task_board_names_each_tasks_site_and_filters_by_site(sites, two_arrivals, login):
    member = department_member(two_arrivals[0])
    at_main, at_suzhou = (v.reference for v in two_arrivals)
    browser = login(member)
    page = browser.get(reverse("visits:tasks")).content.decode()
    assert at_main in page and at_suzhou in page
    assert 'class="task-site"' in page and 'id="task-site"' in page
    assert "Suzhou plant" in page
    page = browser.get(reverse("visits:tasks"), {"site": "suzhou"}).content.decode()
    assert at_suzhou in page and at_main not in page


def test_a_one_site_company_s_tasks_name_no_site(four_tier, sales, staff, login):
    visit = file_visit(sales, four_tier["routine"], client=ClientFactory(name="唯一客户"))
    member = department_member(approve_fully(visit))
    page = login(member).get(reverse("visits:tasks")).content.decode()
    assert (
        visit.reference in page and 'class="task-site"' not in page and 'id="task-site"' not in page
    )


def test_the_arrivals_feed_of_a_site_s_desk_has_its_sites_visits(sites, two_arrivals):
    main, _suzhou = sites
    at_main, at_suzhou = two_arrivals
    mine = set(all_arrivals(desk_user("desk_sh", main)))
    assert at_main in mine and at_suzhou not in mine
    assert {at_main, at_suzhou} <= set(all_arrivals(user_with(Role.FRONT_DESK, username="all")))


def test_the_home_page_of_a_site_s_desk_lists_its_sites_arrivals(sites, two_arrivals, login):
    main, _suzhou = sites
    for visit in two_arrivals:
        visit.client.name_en = ""
        visit.client.save()
    page = login(desk_user("desk_sh", main)).get(reverse("home")).content.decode()
    assert "上海客户" in page and "苏州客户" not in page


# ---- messages name the site ---------------------------------------------------------------


def test_with_several_sites_messages_name_the_site_and_its_address(sites, four_tier, sales, staff):
    _main, suzhou = sites
    visit = file_visit(sales, four_tier["routine"], site=suzhou)
    approve_fully(visit)
    note = Notification.objects.filter(kind="visit_approved", recipient=staff.receptionist).get()
    assert "Suzhou plant, 88 Xinghu Street, Suzhou Industrial Park" in note.body
    zh = visit_notifications.site_line(suzhou).render("zh-hans")
    assert zh == "厂区：苏州工厂，苏州工业园区星湖街88号"


def test_a_one_site_company_s_messages_are_unchanged(four_tier, sales, staff):
    assert Site.objects.count() <= 1
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    note = Notification.objects.filter(kind="visit_approved", recipient=staff.receptionist).get()
    assert "Site" not in note.body and visit.site.name not in note.body


def test_the_gate_chooses_among_its_sites_and_no_other(sites, host, login):
    main, suzhou = sites
    guard = desk_user("guard_both", main, suzhou, role=Role.SECURITY)
    data = {
        "company": "星河电子有限公司",
        "names": "王强",
        "headcount": 1,
        "phone": "13900001111",
        "wants_to_see": host.pk,
        "purpose": "洽谈",
    }
    browser = login(guard)
    assert browser.post(NEW_WALK_IN, {**data, "site": suzhou.pk}).status_code == 302
    assert WalkIn.objects.get().site == suzhou
    one = desk_user("guard_one", main, role=Role.SECURITY)
    # a gate of one site: no choice, and a site slipped into the form is not taken
    assert login(one).post(NEW_WALK_IN, {**data, "site": suzhou.pk}).status_code == 302
    assert WalkIn.objects.latest("pk").site == main


def test_an_unanswered_walk_in_is_announced_to_its_sites_desk(sites, host):
    from visits.services.walk_ins import chase_unanswered

    main, suzhou = sites
    desk_sh, desk_sz = desk_user("desk_sh", main), desk_user("desk_sz", suzhou)
    walk_in = walk_in_at(suzhou, desk_user("guard_sz", suzhou, role=Role.SECURITY), host)
    assert chase_unanswered(now=walk_in.recorded_at + timedelta(hours=1)) == 1
    told = set(
        Notification.objects.filter(kind="walk_in_unanswered").values_list("recipient", flat=True)
    )
    assert desk_sz.pk in told and desk_sh.pk not in told


def test_a_site_s_desk_exports_its_sites_visitor_log(sites, two_arrivals, login):
    from visits.exports import visitor_log_rows

    main, _suzhou = sites
    at_main, at_suzhou = two_arrivals
    for visit in two_arrivals:
        visit.visitors.update(checked_in_at=visit.arrival_at)
    day = timezone.localtime(at_main.arrival_at).date()
    mine = {row[-1] for row in visitor_log_rows(desk_user("desk_sh", main), day, day)}
    assert mine == {at_main.reference}
    every = user_with(Role.FRONT_DESK, username="all")
    assert {row[-1] for row in visitor_log_rows(every, day, day)} == {
        at_main.reference,
        at_suzhou.reference,
    }
