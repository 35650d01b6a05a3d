"""A visit across sites, and what a site has of its own: itinerary items carry their site and
each site's board shows the visit during its part; meeting rooms belong to a site; a site's
own preparation task templates stand in for the group's, a site without any follows the
group's."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.models import MeetingRoom
from reception.policy.loading import LoadReport
from tests.factories import ClientFactory, SiteFactory, file_visit
from tests.visits.test_sites import BOARD_QUERIES, approved_tomorrow, board, desk_user
from tests.visits.test_sites import sites as sites  # noqa: F401  # the fixture
from visits import rulebooks
from visits.loading import load_task_templates
from visits.models import ItineraryItem, PrepTaskTemplate
from visits.services.itinerary import save_itinerary
from visits.services.preparation import matching_templates

pytestmark = pytest.mark.django_db


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def tour(sites, four_tier, sales, staff):
    """An HQ visit tomorrow whose afternoon is at the Suzhou plant."""
    main, suzhou = sites
    visit = approved_tomorrow(
        sales, four_tier["routine"], main, client=ClientFactory(name="巡厂客户")
    )
    visit.itinerary.all().delete()
    save_itinerary(
        visit=visit,
        by=staff.receptionist,
        rows=[
            {"step": "welcome", "starts_at": visit.arrival_at, "place": "一号会议室", "site": main},
            {
                "step": "tour",
                "starts_at": visit.arrival_at + timedelta(hours=4),
                "title": "参观苏州工厂",
                "site": suzhou,
            },
        ],
    )
    return visit


def test_an_item_at_the_visits_own_site_keeps_no_site_of_its_own(tour, sites):
    _main, suzhou = sites
    assert [item.site for item in tour.itinerary.order_by("starts_at")] == [None, suzhou]


def test_the_plant_s_board_shows_a_visit_during_its_part_there(sites, tour, login):
    main, suzhou = sites
    page = board(login(desk_user("desk_sz", suzhou)))
    assert "巡厂客户" in page
    assert "board-tour" in page
    at_home = board(login(desk_user("desk_sh", main)))
    assert "巡厂客户" in at_home and "board-tour" not in at_home


def test_the_plant_s_board_leaves_the_visit_out_on_days_without_its_part(sites, tour, login):
    _main, suzhou = sites
    page = board(login(desk_user("desk_sz", suzhou)), tab="today")
    assert "巡厂客户" not in page


def test_the_plant_s_desk_opens_the_touring_visit(sites, tour, login):
    _main, suzhou = sites
    browser = login(desk_user("desk_sz", suzhou))
    assert browser.get(reverse("visits:desk", args=[tour.pk])).status_code == 200
    other = desk_user("desk_wx", SiteFactory(code="wuxi"))
    assert login(other).get(reverse("visits:desk", args=[tour.pk])).status_code == 404


def test_the_board_with_tours_costs_the_same_queries_at_two_sizes(
    sites, four_tier, sales, staff, login, django_assert_num_queries
):
    main, suzhou = sites
    browser = login(desk_user("desk_sz", suzhou))

    def touring_visit():
        visit = approved_tomorrow(sales, four_tier["routine"], main)
        ItineraryItem.objects.create(
            visit=visit, step="tour", starts_at=visit.arrival_at + timedelta(hours=3), site=suzhou
        )

    touring_visit()
    approved_tomorrow(sales, four_tier["routine"], suzhou)
    board(browser)  # the session and the caches warm
    with django_assert_num_queries(BOARD_QUERIES):
        board(browser)
    for _ in range(3):
        touring_visit()
    with django_assert_num_queries(BOARD_QUERIES):
        page = board(browser)
    assert page.count("board-tour") == 4


# ---- the itinerary editor ----------------------------------------------------------------------


def test_the_itinerary_editor_offers_the_sites_and_keeps_an_items_site(sites, tour, staff, login):
    _main, suzhou = sites
    browser = login(staff.receptionist)
    url = reverse("visits:itinerary", args=[tour.pk])
    page = browser.get(url).content.decode()
    assert 'name="items-1-site"' in page and '<option value="suzhou" selected>' in page
    response = browser.post(
        url,
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-step": "tour",
            "items-0-starts_at": local(tour.arrival_at + timedelta(hours=5)),
            "items-0-site": "suzhou",
        },
    )
    assert response.status_code == 302
    assert [item.site for item in tour.itinerary.all()] == [suzhou]
    detail = browser.get(reverse("visits:detail", args=[tour.pk])).content.decode()
    assert "Suzhou plant" in detail


def test_a_one_site_itinerary_editor_has_no_site_column(four_tier, sales, staff, login):
    visit = approved_tomorrow(sales, four_tier["routine"], None)
    page = login(staff.receptionist).get(reverse("visits:itinerary", args=[visit.pk]))
    assert 'name="items-0-site"' not in page.content.decode()


# ---- meeting rooms -----------------------------------------------------------------------------


def test_the_desk_offers_the_rooms_of_the_visits_site_only(sites, tour, staff, login):
    main, suzhou = sites
    MeetingRoom.objects.create(site=main, name="一号会议室", capacity=12)
    MeetingRoom.objects.create(site=main, name="旧会议室", is_active=False)
    MeetingRoom.objects.create(site=suzhou, name="苏州贵宾室")
    page = login(staff.receptionist).get(reverse("visits:desk", args=[tour.pk])).content.decode()
    assert '<option value="一号会议室">' in page
    assert "苏州贵宾室" not in page and "旧会议室" not in page


def test_the_itinerary_suggests_every_sites_rooms_as_places(sites, tour, staff, login):
    main, suzhou = sites
    MeetingRoom.objects.create(site=main, name="一号会议室")
    MeetingRoom.objects.create(site=suzhou, name="苏州贵宾室")
    page = login(staff.receptionist).get(reverse("visits:itinerary", args=[tour.pk]))
    html = page.content.decode()
    assert 'list="itinerary-rooms"' in html
    assert '<option value="苏州贵宾室">' in html and '<option value="一号会议室">' in html


# ---- a site's own task templates ---------------------------------------------------------------


@pytest.fixture
def group_template(four_tier):
    return PrepTaskTemplate.objects.filter(site__isnull=True, code="logistics-cleaning").get()


def own_template(group, site, code="suzhou-organise"):
    return PrepTaskTemplate.objects.create(
        code=code,
        department=group.department,
        name="苏州工厂保洁",
        site=site,
        replaces=group,
        due_working_days=2,
    )


def test_a_sites_own_template_stands_in_for_the_groups_there(
    sites, four_tier, sales, group_template
):
    main, suzhou = sites
    mine = own_template(group_template, suzhou)
    at_plant = file_visit(sales, four_tier["vip"], site=suzhou)
    at_hq = file_visit(sales, four_tier["vip"], site=main)
    plant_codes = {t.code for t in matching_templates(at_plant)}
    hq_codes = {t.code for t in matching_templates(at_hq)}
    assert mine.code in plant_codes and group_template.code not in plant_codes
    assert group_template.code in hq_codes and mine.code not in hq_codes


def test_a_site_without_its_own_templates_uses_the_groups(sites, four_tier, sales):
    main, suzhou = sites
    at_plant = file_visit(sales, four_tier["vip"], site=suzhou)
    at_hq = file_visit(sales, four_tier["vip"], site=main)
    assert {t.code for t in matching_templates(at_plant)} == {
        t.code for t in matching_templates(at_hq)
    }


def test_the_policy_loads_a_sites_own_templates(sites, four_tier, monkeypatch, group_template):
    _main, suzhou = sites
    data = {
        "code": "suzhou-organise",
        "replaces": "logistics-cleaning",
        "department": "logistics",
        "name": "苏州工厂保洁",
        "name_en": "Suzhou office organises",
        "due": 2,
    }
    monkeypatch.setattr(rulebooks, "SITE_TEMPLATES", {"suzhou": [data], "wuxi": [data]})
    monkeypatch.setattr("visits.loading.SITE_TEMPLATES", rulebooks.SITE_TEMPLATES)
    load_task_templates(scheme_code="four-tier", report=LoadReport())
    loaded = PrepTaskTemplate.objects.get(code="suzhou-organise")
    assert (loaded.site, loaded.replaces) == (suzhou, group_template)
    report = LoadReport()
    load_task_templates(scheme_code="four-tier", report=report)
    assert not report.changed


# ---- a site's own working calendar -------------------------------------------------------------


def test_a_sites_own_calendar_days_win_there_and_nowhere_else(sites):
    from datetime import date

    from reception.models import CalendarDay, DayKind
    from reception.policy.calendar import WorkingCalendar

    main, suzhou = sites
    monday, tuesday = date(2026, 6, 8), date(2026, 6, 9)
    CalendarDay.objects.create(day=monday, kind=DayKind.OFF, note="集团停工")
    CalendarDay.objects.create(day=tuesday, site=suzhou, kind=DayKind.OFF, note="苏州工厂检修")
    CalendarDay.objects.create(day=monday, site=suzhou, kind=DayKind.WORKING, note="苏州照常")
    group, hq, plant = WorkingCalendar(), WorkingCalendar(main.pk), WorkingCalendar(suzhou.pk)
    assert [c.is_working_day(monday) for c in (group, hq, plant)] == [False, False, True]
    assert [c.is_working_day(tuesday) for c in (group, hq, plant)] == [True, True, False]
    preloaded = WorkingCalendar(suzhou.pk).preload(monday, tuesday)
    assert [preloaded.is_working_day(d) for d in (monday, tuesday)] == [True, False]


def test_a_task_at_a_site_is_due_by_that_sites_calendar(sites, four_tier, sales, group_template):
    from reception.models import CalendarDay, DayKind
    from visits.services.preparation import due_date_for

    main, suzhou = sites
    at_plant = file_visit(sales, four_tier["vip"], site=suzhou)
    at_hq = file_visit(sales, four_tier["vip"], site=main)
    before = due_date_for(group_template, at_plant)
    CalendarDay.objects.create(day=before, site=suzhou, kind=DayKind.OFF, note="检修")
    assert due_date_for(group_template, at_plant) < before
    assert due_date_for(group_template, at_hq) == before  # the group's calendar


# ---- the admin: sites shown only where there are several ---------------------------------------


def test_the_admin_shows_the_site_of_templates_chains_and_rooms_with_several_sites(
    sites, admin_client, group_template
):
    from approvals.models import ApprovalChain

    chain = ApprovalChain.objects.first()
    for url in (
        reverse("admin:visits_preptasktemplate_change", args=[group_template.pk]),
        reverse("admin:approvals_approvalchain_change", args=[chain.pk]),
    ):
        assert 'name="site"' in admin_client.get(url).content.decode()
    assert admin_client.get(reverse("admin:reception_meetingroom_add")).status_code == 200


def test_a_one_site_admin_shows_no_site_on_templates_and_chains(four_tier, admin_client):
    from approvals.models import ApprovalChain

    template = PrepTaskTemplate.objects.get(code="logistics-cleaning")
    chain = ApprovalChain.objects.first()
    for url in (
        reverse("admin:visits_preptasktemplate_change", args=[template.pk]),
        reverse("admin:approvals_approvalchain_change", args=[chain.pk]),
    ):
        assert 'name="site"' not in admin_client.get(url).content.decode()


def test_the_calendar_admin_shows_a_site_only_with_several_sites(four_tier, admin_client):
    url = reverse("admin:reception_calendarday_add")
    assert 'name="site"' not in admin_client.get(url).content.decode()
    SiteFactory(code="suzhou")
    assert 'name="site"' in admin_client.get(url).content.decode()
