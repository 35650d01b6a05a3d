"""The gate (issue 28): kinds of arrival, the watch list, the on-site list and the roll call."""

from datetime import date

import pytest
from django.urls import reverse

from reception.accounts.roles import Role
from reception.models import Client, Department, StaffMembership
from tests.factories import ClientFactory, SiteFactory, first_site, user_with
from visits.models import (
    Arrival,
    ArrivalKind,
    ArrivalStatus,
    HitDecision,
    RollCall,
    VisitRequest,
    WalkIn,
    WatchEntry,
    WatchHit,
)
from visits.services import arrivals, roll_call, watch_list
from visits.services.lifecycle import VisitError
from visits.services.walk_ins import accept_walk_in, record_walk_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard(db):
    return user_with(Role.SECURITY, username="guard", full_name="保安老王")


@pytest.fixture
def kinds(four_tier):
    arrivals.load_arrival_kinds()
    return {k.code: k for k in ArrivalKind.objects.all()}


@pytest.fixture
def logistics(four_tier):
    department = Department.objects.get(code="logistics")
    member = user_with(Role.DEPARTMENT_MEMBER, username="store", full_name="仓管小李")
    StaffMembership.objects.get_or_create(user=member, department=department)
    return department, member


def deliver(browser, department, **extra):
    data = {
        "name": "赵师傅",
        "phone": "13800001234",
        "headcount": 1,
        "carrier": "苏州恒泰物流有限公司",
        "plate": "苏E12345",
        "goods": "送货对账",
        "department": department.pk,
        **extra,
    }
    return browser.post(reverse("visits:gate") + "?kind=delivery", data)


# ---- kinds --------------------------------------------------------------------------------


def test_the_gate_asks_the_kind_first_then_shows_only_its_fields(kinds, guard, login):
    browser = login(guard)
    page = browser.get(reverse("visits:gate"))
    assert page.status_code == 200
    assert [k.code for k in page.context["kinds"]] == [
        "delivery",
        "contractor",
        "interview",
        "government",
        "other",
    ]
    form = browser.get(reverse("visits:gate") + "?kind=delivery").context["form"]
    assert {"carrier", "plate", "goods", "department"} <= set(form.fields)
    assert not {"host", "work_order", "position", "permit_number"} & set(form.fields)
    contractor = browser.get(reverse("visits:gate") + "?kind=contractor").context["form"]
    assert {"company", "work_order", "area", "permit_number", "permit_valid_until", "host"} <= set(
        contractor.fields
    )
    assert "carrier" not in contractor.fields


def test_a_delivery_never_creates_a_client_or_a_visit_request(kinds, guard, logistics, login):
    department, member = logistics
    browser = login(guard)
    response = deliver(browser, department)
    assert response.status_code == 302
    arrival = Arrival.objects.get()
    assert arrival.kind.code == "delivery" and arrival.department == department
    assert arrival.site == first_site()
    assert arrival.details["carrier"] == "苏州恒泰物流有限公司"
    assert not Client.objects.filter(name__contains="恒泰").exists()
    assert VisitRequest.objects.count() == 0 and WalkIn.objects.count() == 0
    # the receiving department is told, nobody's client
    assert member.notifications.filter(kind="gate_arrival").count() == 1
    browser.post(reverse("visits:arrival", args=[arrival.pk]), {"action": "check_in"})
    browser.post(reverse("visits:arrival", args=[arrival.pk]), {"action": "check_out"})
    arrival.refresh_from_db()
    assert arrival.status == ArrivalStatus.LEFT
    assert arrival.checked_in_at and arrival.checked_out_at
    assert list(arrival.events.values_list("what", flat=True)) == [
        "recorded",
        "checked_in",
        "checked_out",
    ]
    assert VisitRequest.objects.count() == 0
    assert not Client.objects.filter(name__contains="恒泰").exists()


def test_an_interview_tells_hr_and_the_interviewer(kinds, guard, sales):
    hr = user_with(Role.HR, username="hr")
    arrival = arrivals.record_arrival(
        by=guard,
        site=first_site(),
        kind=kinds["interview"],
        name="应聘者小陈",
        host=sales,
        details={"position": "质量工程师"},
    )
    assert hr.notifications.filter(kind="gate_arrival").exists()
    assert sales.notifications.filter(kind="gate_arrival").exists()
    assert arrival.details == {"position": "质量工程师"}


def test_a_government_guest_is_the_offices(kinds, guard):
    """Seed 001 十.2: guests other than clients are received by the office."""
    office = user_with(Role.OFFICE, username="office")
    arrivals.record_arrival(
        by=guard,
        site=first_site(),
        kind=kinds["government"],
        name="李科长",
        company="市应急管理局",
        details={"purpose": "安全检查"},
    )
    assert office.notifications.filter(kind="gate_arrival").exists()
    assert Client.objects.count() == 0


def test_a_contractor_needs_a_valid_permit_and_tells_the_host(kinds, guard, sales):
    base = {
        "by": guard,
        "site": first_site(),
        "kind": kinds["contractor"],
        "name": "电工老周",
        "company": "苏州安装工程公司",
        "host": sales,
        "today": date(2026, 12, 7),
    }
    details = {"work_order": "WO-7", "area": "二号车间", "permit_number": "DH-001"}
    with pytest.raises(VisitError):
        arrivals.record_arrival(**base, details={**details, "permit_valid_until": "2026-12-06"})
    arrival = arrivals.record_arrival(
        **base,
        details={**details, "permit_valid_until": date(2026, 12, 31)},
        safety_accepted=True,
        safety_name="周师傅",
    )
    assert arrival.details["permit_valid_until"] == "2026-12-31"
    assert sales.notifications.filter(kind="gate_arrival").exists()


def test_a_contractor_accepts_the_current_safety_text_or_is_refused(kinds, guard, sales, login):
    """Issue 28 item 1: the guest side's versioned safety text, accepted at the gate under a
    typed name, kept with its version and the time."""
    from visits.models import GuestNotice, NoticeKind

    current = GuestNotice.objects.filter(kind=NoticeKind.SAFETY).order_by("-version").first()
    newer = GuestNotice.objects.create(
        kind=NoticeKind.SAFETY, version=current.version + 1, name="安全须知（新）", body="戴安全帽"
    )
    browser = login(guard)
    form = browser.get(reverse("visits:gate") + "?kind=contractor").context["form"]
    assert {"safety_accepted", "safety_name"} <= set(form.fields)
    assert "戴安全帽" in str(form["safety_accepted"].help_text)
    data = {
        "name": "电工老周",
        "headcount": 1,
        "company": "苏州安装工程公司",
        "work_order": "WO-7",
        "area": "二号车间",
        "permit_number": "DH-001",
        "permit_valid_until": "2026-12-31",
        "host": sales.pk,
    }
    url = reverse("visits:gate") + "?kind=contractor"
    refused = browser.post(url, data)
    assert refused.status_code == 400 and not Arrival.objects.exists()
    with pytest.raises(VisitError):
        arrivals.record_arrival(
            by=guard,
            site=first_site(),
            kind=kinds["contractor"],
            name="电工老周",
            company="苏州安装工程公司",
            host=sales,
            details={"permit_valid_until": date(2026, 12, 31)},
            safety_accepted=True,
            safety_name="  ",
        )
    response = browser.post(url, {**data, "safety_accepted": "on", "safety_name": "周 师傅"})
    assert response.status_code == 302
    arrival = Arrival.objects.get()
    assert (arrival.safety_notice, arrival.safety_version, arrival.safety_name) == (
        newer,
        newer.version,
        "周 师傅",
    )
    assert arrival.safety_accepted_at is not None
    assert "周 师傅" in browser.get(reverse("visits:arrival", args=[arrival.pk])).content.decode()
    # a delivery is asked nothing of the kind
    delivery = browser.get(reverse("visits:gate") + "?kind=delivery").context["form"]
    assert "safety_accepted" not in delivery.fields


def test_another_sites_arrival_is_404(kinds, guard, login):
    other = SiteFactory(code="wuxi")
    arrival = arrivals.record_arrival(
        by=guard, site=first_site(), kind=kinds["government"], name="李科长", company="局"
    )
    guard.sites.add(other)
    response = login(guard).get(reverse("visits:arrival", args=[arrival.pk]))
    assert response.status_code == 404


# ---- watch list ---------------------------------------------------------------------------


def test_look_alike_names_match(guard):
    watch_list.save_entry(by=guard, kind="person", name="張 偉", reason="盗窃")
    watch_list.save_entry(by=guard, kind="organisation", name="ＡＢＣ贸易有限公司", reason="欺诈")
    assert watch_list.check_watch_list(name="张伟")
    assert watch_list.check_watch_list(name="张  伟")
    assert watch_list.check_watch_list(name="无名", organisation="abc贸易有限公司")
    assert not watch_list.check_watch_list(name="张伟伟")


def test_the_id_number_is_kept_only_as_a_keyed_hash(guard):
    entry = watch_list.save_entry(
        by=guard, kind="person", name="某人", id_number="320500199001011234", reason="r"
    )
    assert "320500199001011234" not in str(WatchEntry.objects.filter(pk=entry.pk).values().get())
    assert entry.id_number_tail == "1234"
    assert watch_list.check_watch_list(name="别名", id_number="320500 199001011234")


def test_a_hit_holds_the_arrival_and_security_decides(kinds, guard):
    other_guard = user_with(Role.SECURITY, username="guard2")
    watch_list.save_entry(
        by=guard, kind="person", name="黑名单甲", mobile="13900009999", reason="r"
    )
    arrival = arrivals.record_arrival(
        by=guard,
        site=first_site(),
        kind=kinds["other"],
        name="另一个名字",
        phone="139-0000-9999",
        host=user_with(Role.SALES, username="s"),
        details={"purpose": "x"},
    )
    assert arrival.status == ArrivalStatus.HELD
    assert other_guard.notifications.filter(kind="watch_list_hit").exists()
    with pytest.raises(VisitError):
        arrivals.check_in(arrival=arrival, by=guard)
    with pytest.raises(VisitError):  # letting in needs a note
        arrivals.decide_held(arrival=arrival, by=guard, let_in=True)
    arrival = arrivals.decide_held(arrival=arrival, by=guard, let_in=True, note="经理担保")
    assert arrival.status == ArrivalStatus.ON_SITE
    hit = WatchHit.objects.get()
    assert hit.decision == HitDecision.LET_IN and hit.note == "经理担保"
    assert list(arrival.events.values_list("what", flat=True)) == [
        "recorded",
        "held",
        "let_in",
        "checked_in",
    ]


def test_a_refused_arrival_never_gets_in(kinds, guard):
    watch_list.save_entry(by=guard, kind="organisation", name="坏公司", reason="r")
    arrival = arrivals.record_arrival(
        by=guard,
        site=first_site(),
        kind=kinds["government"],
        name="某人",
        company="坏公司",
        details={"purpose": "x"},
    )
    arrival = arrivals.decide_held(arrival=arrival, by=guard, let_in=False, note="")
    assert arrival.status == ArrivalStatus.REFUSED
    with pytest.raises(VisitError):
        arrivals.check_in(arrival=arrival, by=guard)


def test_the_list_is_checked_again_at_check_in(kinds, guard):
    arrival = arrivals.record_arrival(
        by=guard, site=first_site(), kind=kinds["government"], name="王某", company="局"
    )
    watch_list.save_entry(by=guard, kind="person", name="王某", reason="r")
    with pytest.raises(VisitError):
        arrivals.check_in(arrival=arrival, by=guard)
    arrival.refresh_from_db()
    assert arrival.status == ArrivalStatus.HELD and arrival.hits.count() == 1


def test_a_walk_in_on_the_list_waits_for_security(four_tier, guard, sales, login):
    watch_list.save_entry(by=guard, kind="person", name="王強", reason="r")
    walk_in = record_walk_in(
        by=guard,
        company="星河电子",
        names="王强、李明",
        headcount=2,
        phone="13900001111",
        wants_to_see=sales,
        purpose="洽谈",
    )
    hit = WatchHit.objects.get()
    assert hit.walk_in_id == walk_in.pk
    with pytest.raises(VisitError):
        accept_walk_in(walk_in=walk_in, by=sales)
    # security lets them in with a note on the watch-list page; then the host may accept
    browser = login(guard)
    response = browser.post(
        reverse("visits:watch_hit", args=[hit.pk]), {"action": "let_in", "note": "已核实"}
    )
    assert response.status_code == 302
    hit.refresh_from_db()
    assert hit.decision == HitDecision.LET_IN and hit.decided_by == guard
    assert accept_walk_in(walk_in=walk_in, by=sales).pk


def test_filing_a_visit_request_asks_the_list(four_tier, guard, sales):
    from tests.factories import file_visit

    watch_list.save_entry(by=guard, kind="organisation", name="远航汽车有限公司", reason="r")
    visit = file_visit(sales, four_tier["routine"], client=ClientFactory(name="远航汽车"))
    assert WatchHit.objects.filter(visit_id=visit.pk).exists()


@pytest.mark.parametrize(
    "role", [Role.SALES, Role.FRONT_DESK, Role.RECEPTIONIST, Role.HR, Role.MARKETING_HEAD]
)
def test_only_security_and_administrators_see_the_watch_list(role, guard, login):
    entry = watch_list.save_entry(by=guard, kind="person", name="某人", reason="秘密理由")
    browser = login(user_with(role, username=f"u_{role}"))
    for url in (
        reverse("visits:watch_list"),
        reverse("visits:watch_entry", args=[entry.pk]),
        reverse("visits:watch_entry_create"),
    ):
        response = browser.get(url)
        assert response.status_code in (403, 404)
        assert "秘密理由" not in response.content.decode()
    assert browser.post(reverse("visits:watch_entry_create"), {"name": "x"}).status_code == 403
    with pytest.raises(VisitError):
        other = user_with(role, username=f"v_{role}")
        watch_list.save_entry(by=other, kind="person", name="y", reason="z")


def test_security_and_administrators_keep_the_list(guard, login):
    admin = user_with(Role.ADMINISTRATOR, username="admin")
    for user in (guard, admin):
        browser = login(user)
        response = browser.post(
            reverse("visits:watch_entry_create"),
            {"kind": "person", "name": f"某人{user.pk}", "reason": "秘密理由", "is_active": "on"},
        )
        assert response.status_code == 302
        assert "秘密理由" in browser.get(reverse("visits:watch_list")).content.decode()


# ---- on site and roll call ---------------------------------------------------------------


def _on_site(kinds, guard, n):
    for i in range(n):
        arrival = arrivals.record_arrival(
            by=guard,
            site=first_site(),
            kind=kinds["government"],
            name=f"来宾{i}",
            company="局",
            phone="13912345678",
        )
        arrivals.check_in(arrival=arrival, by=guard)


def test_the_on_site_list_masks_phones_and_costs_the_same_at_two_sizes(
    kinds, guard, login, django_assert_num_queries
):
    browser = login(guard)
    _on_site(kinds, guard, 1)
    browser.get(reverse("visits:on_site"))  # warm the session and the caches
    with django_assert_num_queries(8) as small:
        page = browser.get(reverse("visits:on_site"))
    assert "139****5678" in page.content.decode() and "13912345678" not in page.content.decode()
    _on_site(kinds, guard, 5)
    with django_assert_num_queries(len(small.captured_queries)):
        page = browser.get(reverse("visits:on_site"))
    assert len(page.context["people"]) == 6


def test_the_on_site_pdf_prints(kinds, guard, login):
    _on_site(kinds, guard, 2)
    response = login(guard).get(reverse("visits:on_site_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_a_roll_call_marks_the_safe_lists_the_missing_and_is_kept(
    kinds, guard, sales, login, django_assert_num_queries
):
    _on_site(kinds, guard, 3)
    browser = login(guard)
    response = browser.post(reverse("visits:roll_calls"))
    call = RollCall.objects.get()
    assert response.url == reverse("visits:roll_call", args=[call.pk])
    entries = list(call.entries.order_by("name"))
    assert len(entries) == 3
    browser.post(
        reverse("visits:roll_call", args=[call.pk]),
        {"entry": entries[0].pk},
        HTTP_HX_REQUEST="true",
    )
    page = browser.get(reverse("visits:roll_call", args=[call.pk]))
    assert [e.name for e in page.context["missing"]] == ["来宾1", "来宾2"]
    assert page.context["safe"] == 1
    # a second start while one runs opens the same roll call
    browser.post(reverse("visits:roll_calls"))
    assert RollCall.objects.count() == 1
    browser.post(reverse("visits:roll_call", args=[call.pk]), {"action": "close"})
    call.refresh_from_db()
    assert call.closed_at is not None
    with pytest.raises(VisitError):
        roll_call.mark_safe(entry=entries[1], by=guard)
    # kept afterwards, with who was missing
    page = browser.get(reverse("visits:roll_call", args=[call.pk]))
    assert page.status_code == 200 and len(page.context["missing"]) == 2
    assert browser.get(reverse("visits:roll_calls")).status_code == 200


# ---- reports and retention ----------------------------------------------------------------


def test_the_reports_count_arrivals_per_kind(kinds, guard, logistics):
    from visits.reports import Period, arrivals_by_kind

    department, _member = logistics
    for _ in range(2):
        arrivals.record_arrival(
            by=guard,
            site=first_site(),
            kind=kinds["delivery"],
            name="赵师傅",
            department=department,
            details={"carrier": "恒泰", "goods": "x"},
        )
    arrivals.record_arrival(
        by=guard, site=first_site(), kind=kinds["government"], name="李科长", company="局"
    )
    table = arrivals_by_kind(Period.default())
    last = table.rows[-1]
    delivery = table.headers.index(kinds["delivery"].label)
    government = table.headers.index(kinds["government"].label)
    assert last[1] == 3 and last[delivery] == 2 and last[government] == 1


def test_deliveries_are_anonymised_first(kinds, guard, logistics):
    from datetime import timedelta

    from django.utils import timezone

    from visits.services.retention import anonymise_personal_data

    department, _member = logistics
    delivery = arrivals.record_arrival(
        by=guard,
        site=first_site(),
        kind=kinds["delivery"],
        name="赵师傅",
        phone="13800001234",
        department=department,
        details={"carrier": "恒泰", "plate": "苏E12345", "goods": "x"},
    )
    official = arrivals.record_arrival(
        by=guard, site=first_site(), kind=kinds["government"], name="李科长", company="局"
    )
    for arrival in (delivery, official):
        arrivals.check_in(arrival=arrival, by=guard)
        arrivals.check_out(arrival=arrival, by=guard)
    later = timezone.now() + timedelta(days=kinds["delivery"].retention_days + 1)
    assert anonymise_personal_data(now=later, dry_run=True).arrivals == 1
    result = anonymise_personal_data(now=later)
    assert result.arrivals == 1 and "arrivals=1" in str(result)
    delivery.refresh_from_db()
    official.refresh_from_db()
    assert delivery.name == "***" and delivery.phone == "" and "plate" not in delivery.details
    assert delivery.details["carrier"] == "恒泰"  # the statistics keep the carrier
    assert official.name == "李科长"  # an official guest's data is kept longer
    assert anonymise_personal_data(now=later).arrivals == 0


# ---- every new page costs the same at two sizes -------------------------------------------


def _count(browser, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    browser.get(url)  # warm: the session, the user's roles
    with CaptureQueriesContext(connection) as counted:
        assert browser.get(url).status_code == 200
    return len(counted.captured_queries)


def test_the_gate_pages_cost_the_same_at_two_sizes(kinds, guard, login, django_assert_num_queries):
    browser = login(guard)

    def grow(n):
        for i in range(n):
            watch_list.save_entry(by=guard, kind="person", name=f"名单{i}", reason="r")
            arrival = arrivals.record_arrival(
                by=guard, site=first_site(), kind=kinds["government"], name=f"名单{i}", company="局"
            )
            arrivals.decide_held(arrival=arrival, by=guard, let_in=True, note="ok")

    def urls():
        call = RollCall.objects.first()
        return [
            reverse("visits:gate"),
            reverse("visits:watch_list"),
            reverse("visits:roll_calls"),
            reverse("visits:roll_call", args=[call.pk]),
            reverse("visits:arrival", args=[Arrival.objects.order_by("pk").first().pk]),
        ]

    grow(1)
    roll_call.start_roll_call(site=first_site(), by=guard)
    small = [_count(browser, url) for url in urls()]
    grow(5)
    RollCall.objects.all().delete()
    roll_call.start_roll_call(site=first_site(), by=guard)
    large = [_count(browser, url) for url in urls()]
    assert small == large
    assert small == [7, 5, 5, 5, 6]  # gate, watch list, roll calls, a roll call, an arrival
