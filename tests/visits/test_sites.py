"""A visit is for a site: the filing form offers the sites when there is a choice, the
service checks it, the visit page and the printed sheet name it, and each site's desk sees
its own arrivals only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from approvals.models import StepState
from approvals.services import decide
from reception.accounts.roles import Role
from reception.models import Site
from tests.factories import ClientFactory, SiteFactory, file_visit, first_site, user_with
from tests.visits.test_documents import text_of
from tests.visits.test_filing_page import post_data
from visits.documents import visitor_information_pdf
from visits.models import EventKind, VisitRequest
from visits.services.lifecycle import VisitError
from visits.services.requests import update_visit_request

pytestmark = pytest.mark.django_db

NEW = reverse("visits:create")
BOARD = reverse("visits:board")
PREPARATION = reverse("visits:preparation")


@pytest.fixture
def sites(four_tier):
    """The company's first site (load_policy's) and a second plant."""
    main = first_site()
    main.name, main.name_en, main.address = (
        "上海总部",
        "Shanghai head office",
        "上海市浦东新区金海路1号",
    )
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


def approved_tomorrow(sales, grade, site, **extra):
    arrival = (timezone.localtime() + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    visit = file_visit(
        sales,
        grade,
        site=site,
        late_reason="急",
        arrival_at=arrival,
        departure_at=arrival + timedelta(hours=6),
        **extra,
    )
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    visit.refresh_from_db()
    return visit


def desk_user(username, *sites, role=Role.FRONT_DESK):
    user = user_with(role, username=username, language="zh-hans")
    user.sites.add(*sites)
    return user


# ---- filing -------------------------------------------------------------------------------


def test_a_one_site_company_files_without_choosing_a_site(four_tier, sales, login, staff):
    page = login(sales).get(NEW).content.decode()
    assert 'name="site"' not in page
    response = login(sales).post(NEW, post_data(four_tier["routine"], ClientFactory()))
    assert response.status_code == 302
    assert VisitRequest.objects.get().site == Site.objects.get()


def test_with_several_sites_the_form_offers_the_active_ones_home_site_first(sites, sales, login):
    main, suzhou = sites
    SiteFactory(code="closed", name="已关闭的仓库", name_en="", is_active=False)
    sales.home_site, sales.language = suzhou, "zh-hans"
    sales.save()
    page = login(sales).get(NEW).content.decode()
    assert f'<option value="{suzhou.pk}" selected>苏州工厂</option>' in page
    assert f'<option value="{main.pk}">上海总部</option>' in page
    assert "已关闭的仓库" not in page


def test_the_form_asks_for_a_site_in_english_too(sites, sales, login):
    sales.language = "en"
    sales.save()
    page = login(sales).get(NEW).content.decode()
    assert "Suzhou plant" in page and "The plant or office the guests come to" in page


def test_the_request_is_filed_for_the_chosen_site(sites, four_tier, sales, login, staff):
    _main, suzhou = sites
    data = post_data(four_tier["routine"], ClientFactory(), site=suzhou.pk)
    assert login(sales).post(NEW, data).status_code == 302
    assert VisitRequest.objects.get().site == suzhou


def test_without_a_site_the_service_takes_the_home_site(sites, four_tier, sales, staff):
    _main, suzhou = sites
    sales.home_site = suzhou
    sales.save()
    assert file_visit(sales, four_tier["routine"], submit=False).site == suzhou


def test_a_closed_home_site_gives_way_to_the_first_active_one(sites, four_tier, sales, staff):
    main, suzhou = sites
    suzhou.is_active = False
    suzhou.save()
    sales.home_site = suzhou
    sales.save()
    assert file_visit(sales, four_tier["routine"], submit=False).site == main


def test_a_request_cannot_be_filed_for_a_closed_site(sites, four_tier, sales, staff):
    _main, suzhou = sites
    suzhou.is_active = False
    suzhou.save()
    with pytest.raises(VisitError, match="Suzhou plant no longer receives visitors"):
        file_visit(sales, four_tier["routine"], site=suzhou, submit=False)


def test_moving_an_approved_visit_to_another_site_is_on_the_timeline(
    sites, four_tier, sales, staff
):
    main, suzhou = sites
    visit = approved_tomorrow(sales, four_tier["routine"], main)
    update_visit_request(visit=visit, by=sales, data={"site": suzhou}, visitors=None)
    change = visit.events.get(kind=EventKind.CHANGE)
    assert change.changes == [
        {
            "field": "site",
            "old": {"zh": "上海总部", "en": "Shanghai head office"},
            "new": {"zh": "苏州工厂", "en": "Suzhou plant"},
        }
    ]


def test_a_visit_stays_at_a_site_closed_since_but_none_moves_there(sites, four_tier, sales, staff):
    main, suzhou = sites
    visit = file_visit(sales, four_tier["routine"], site=suzhou, submit=False)
    suzhou.is_active = False
    suzhou.save()
    update_visit_request(visit=visit, by=sales, data={"headcount": 2}, visitors=None)
    other = file_visit(sales, four_tier["routine"], site=main, submit=False)
    with pytest.raises(VisitError):
        update_visit_request(visit=other, by=sales, data={"site": suzhou}, visitors=None)
    assert VisitRequest.objects.get(pk=other.pk).site == main


# ---- what the visit shows -----------------------------------------------------------------


def test_the_visit_page_names_the_site_and_its_address(sites, four_tier, sales, staff, login):
    _main, suzhou = sites
    visit = file_visit(sales, four_tier["routine"], site=suzhou, submit=False)
    sales.language = "zh-hans"
    sales.save()
    page = login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "苏州工厂" in page and "苏州工业园区星湖街88号" in page
    sales.language = "en"
    sales.save()
    page = login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    assert "Suzhou plant" in page and "88 Xinghu Street, Suzhou Industrial Park" in page


def test_the_visitor_information_sheet_names_the_site_and_its_address(
    sites, four_tier, sales, staff
):
    _main, suzhou = sites
    visit = file_visit(sales, four_tier["routine"], site=suzhou, submit=False)
    text = text_of(visitor_information_pdf(visit=visit, language="zh-hans"))
    assert "苏州工厂" in text and "苏州工业园区星湖街88号" in text
    with translation.override("en"):
        text = text_of(visitor_information_pdf(visit=visit, language="en"))
    assert "Suzhou plant" in text


def test_the_visit_admin_lists_and_filters_by_site(sites, four_tier, sales, staff, client):
    main, suzhou = sites
    file_visit(sales, four_tier["routine"], site=suzhou, submit=False)
    client.force_login(user_with(Role.ADMINISTRATOR, is_staff=True, is_superuser=True))
    url = reverse("admin:visits_visitrequest_changelist")
    page = client.get(url, {"site__id__exact": suzhou.pk}).content.decode()
    assert "Suzhou plant" in page and "1 visit request" in page
    page = client.get(url, {"site__id__exact": main.pk}).content.decode()
    assert "0 visit requests" in page


# ---- each site's desk ---------------------------------------------------------------------


@pytest.fixture
def two_arrivals(sites, four_tier, sales, staff):
    main, suzhou = sites
    at_main = approved_tomorrow(
        sales, four_tier["routine"], main, client=ClientFactory(name="上海客户")
    )
    at_suzhou = approved_tomorrow(
        sales, four_tier["routine"], suzhou, client=ClientFactory(name="苏州客户")
    )
    return at_main, at_suzhou


def board(browser, **params):
    response = browser.get(BOARD, {"tab": "tomorrow", **params})
    assert response.status_code == 200
    return response.content.decode()


def test_each_site_s_front_desk_sees_only_its_own_arrivals(sites, two_arrivals, login):
    main, suzhou = sites
    page = board(login(desk_user("desk_sh", main)))
    assert "上海客户" in page and "苏州客户" not in page
    page = board(login(desk_user("desk_sz", suzhou)))
    assert "苏州客户" in page and "上海客户" not in page
    assert 'name="site"' not in page  # one site: no switcher


def test_another_site_s_visit_is_not_found_at_the_desk(sites, two_arrivals, login):
    main, _suzhou = sites
    _at_main, at_suzhou = two_arrivals
    browser = login(desk_user("desk_sh", main))
    assert browser.get(reverse("visits:desk", args=[at_suzhou.pk])).status_code == 404
    response = browser.post(reverse("visits:check", args=[at_suzhou.pk, "in"]))
    assert response.status_code == 404
    assert not at_suzhou.visitors.filter(checked_in_at__isnull=False).exists()


def test_a_desk_with_no_site_assigned_sees_every_site(sites, two_arrivals, login):
    browser = login(user_with(Role.RECEPTIONIST, username="everywhere", language="zh-hans"))
    page = board(browser)
    assert "上海客户" in page and "苏州客户" in page
    assert "全部厂区" in page  # the switcher, over all sites
    _at_main, at_suzhou = two_arrivals
    assert browser.get(reverse("visits:desk", args=[at_suzhou.pk])).status_code == 200


def test_the_switcher_narrows_to_one_site_and_remembers_it(sites, two_arrivals, login):
    main, suzhou = sites
    browser = login(desk_user("both", main, suzhou, role=Role.RECEPTIONIST))
    page = board(browser)
    assert "上海客户" in page and "苏州客户" in page and "我的全部厂区" in page
    page = board(browser, site="suzhou")
    assert "苏州客户" in page and "上海客户" not in page
    assert '<option value="suzhou" selected>' in page
    page = board(browser)  # remembered in the session
    assert "苏州客户" in page and "上海客户" not in page
    page = board(browser, site="nowhere")  # not one of theirs: the choice stays
    assert "苏州客户" in page and "上海客户" not in page
    page = board(browser, site="all")
    assert "上海客户" in page and "苏州客户" in page


def test_a_desk_cannot_switch_to_a_site_it_does_not_work_at(sites, two_arrivals, login):
    main, _suzhou = sites
    page = board(login(desk_user("desk_sh", main)), site="suzhou")
    assert "上海客户" in page and "苏州客户" not in page


def test_the_switcher_speaks_english(sites, two_arrivals, login):
    main, suzhou = sites
    user = desk_user("both", main, suzhou, role=Role.RECEPTIONIST)
    user.language = "en"
    user.save()
    page = board(login(user))
    assert "All my sites" in page and "Suzhou plant" in page


def test_each_site_s_receptionist_follows_the_preparation_of_its_own_visits(
    sites, two_arrivals, login
):
    main, suzhou = sites
    page = login(desk_user("rec_sh", main, role=Role.RECEPTIONIST)).get(PREPARATION)
    assert "上海客户" in page.content.decode() and "苏州客户" not in page.content.decode()
    browser = login(desk_user("rec_both", main, suzhou, role=Role.RECEPTIONIST))
    page = browser.get(PREPARATION).content.decode()
    assert "上海客户" in page and "苏州客户" in page and "我的全部厂区" in page
    page = browser.get(PREPARATION, {"site": "suzhou"}).content.decode()
    assert "苏州客户" in page and "上海客户" not in page


def test_the_board_costs_the_same_queries_with_twice_the_arrivals(
    sites, four_tier, sales, staff, login, django_assert_num_queries
):
    main, suzhou = sites
    browser = login(desk_user("desk_sh", main))
    for site in (main, suzhou):
        approved_tomorrow(sales, four_tier["routine"], site)
    board(browser)  # the session and the caches warm
    with django_assert_num_queries(BOARD_QUERIES):
        board(browser)
    for site in (main, main, suzhou):
        approved_tomorrow(sales, four_tier["routine"], site)
    with django_assert_num_queries(BOARD_QUERIES):
        page = board(browser)
    assert page.count('data-visitor="') >= 3 * 3


# The board of one site's front desk, whatever the number of arrivals: what the bounded board
# costs (the page, its rows carrying the count of them all), one query for the user's sites
# (all sites, each marked whether it is theirs), and one for the texts in force (who has not
# accepted them is marked on the board); the policy's answer time only for walk-ins at the
# gate (none here).
BOARD_QUERIES = 10
