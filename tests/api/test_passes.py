"""Visitor passes through the API: a visit's passes, the turnstile's check (reads only) and
the passage reported back (checks in once), the passes scope, the role matrix."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reception.accounts.roles import Role
from reception.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import SiteFactory, approve_fully, file_visit, user_with
from visits.models import EventKind, PassOutcome, PassScan, VisitEvent, VisitRequest
from visits.services import invitations, passes

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(sales, four_tier):
    visit = approve_fully(file_visit(sales, four_tier["guest"]))
    now = timezone.now()
    VisitRequest.objects.filter(pk=visit.pk).update(
        arrival_at=now - timedelta(minutes=30), departure_at=now + timedelta(hours=2)
    )
    visit.refresh_from_db()
    for visitor in visit.visitors.all():
        invitations.accept_notices(
            visitor=visitor, notices=passes.current_notices(), name=visitor.name
        )
    return visit


@pytest.fixture
def desk(db):
    return user_with(Role.FRONT_DESK, username="desk", full_name="前台")


@pytest.fixture
def code(visit):
    return passes.pass_for(visit.visitors.first()).code


def test_a_visits_passes_are_listed_with_their_days_and_site(visit, desk, api, token_for):
    made = passes.passes_for(visit)
    answer = api(token_for(desk, "passes")).get(f"/visits/{visit.pk}/passes")
    assert answer.status_code == 200
    rows = answer.json()
    assert {r["code"] for r in rows} == {p.code for p in made.values()}
    first = rows[0]
    assert first["site"] == visit.site.code and first["revoked"] is False
    assert first["valid_from"] == first["valid_until"] == timezone.localdate().isoformat()


def test_the_list_costs_the_same_for_more_passes(
    visit, desk, api, token_for, django_assert_num_queries
):
    caller = api(token_for(desk, "passes"))
    passes.pass_for(visit.visitors.first())
    caller.get(f"/visits/{visit.pk}/passes")  # warm the token's caches
    with django_assert_num_queries(3) as small:
        caller.get(f"/visits/{visit.pk}/passes")
    passes.passes_for(visit)
    with django_assert_num_queries(len(small.captured_queries)):
        caller.get(f"/visits/{visit.pk}/passes")


def test_a_valid_pass_is_checked_without_checking_in(visit, desk, code, api, token_for):
    caller = api(token_for(desk, "passes"))
    answer = caller.post("/passes/check", {"code": f"JDPASS:{code}", "site": visit.site.code})
    assert answer.status_code == 200
    body = answer.json()
    visitor = visit.visitors.first()
    assert body["valid"] is True and body["outcome"] == "valid"
    assert body["visitor"] == visitor.name and body["visit_reference"] == visit.reference
    assert body["host"] == (visit.main_host.full_name if visit.main_host else None)
    assert body["valid_until"] == timezone.localdate().isoformat()
    visitor.refresh_from_db()
    assert visitor.checked_in_at is None


@pytest.mark.parametrize("case", ["expired", "revoked", "other site", "unknown"])
def test_a_pass_that_does_not_open_says_why(case, visit, desk, code, api, token_for):
    site = visit.site.code
    if case == "expired":
        earlier = timezone.now() - timedelta(days=3)
        VisitRequest.objects.filter(pk=visit.pk).update(
            arrival_at=earlier, departure_at=earlier + timedelta(hours=2)
        )
    elif case == "revoked":
        passes.revoke_passes(visit=visit)
    elif case == "other site":
        site = SiteFactory(code="wuxi", name="无锡工厂").code
    else:
        code = "ZZZZ2222"
    caller = api(token_for(desk, "passes"), **{"Accept-Language": "zh-hans"})
    body = caller.post("/passes/check", {"code": code, "site": site}).json()
    expected = {
        "expired": PassOutcome.EXPIRED,
        "revoked": PassOutcome.REVOKED,
        "other site": PassOutcome.WRONG_SITE,
        "unknown": PassOutcome.UNKNOWN,
    }[case]
    assert body["valid"] is False and body["outcome"] == expected
    assert body["reason"] and not body["reason"].isascii()  # in the reader's language
    assert body["checked_in"] is False


def test_the_passage_checks_in_once_on_the_timeline(visit, desk, code, api, token_for):
    caller = api(token_for(desk, "passes"))
    report = {"code": code, "site": visit.site.code, "gate": "南门 2号闸机"}
    first = caller.post("/passes/passage", report).json()
    assert first["valid"] and first["checked_in"] and first["outcome"] == "checked_in"
    again = caller.post("/passes/passage", report).json()
    assert again["valid"] and not again["checked_in"] and again["outcome"] == "already_in"
    entries = VisitEvent.objects.filter(visit=visit, kind=EventKind.CHECK_IN)
    assert entries.count() == 1
    assert "南门 2号闸机" in str(entries.get().message)
    assert list(PassScan.objects.order_by("pk").values_list("outcome", flat=True)) == [
        PassOutcome.CHECKED_IN,
        PassOutcome.ALREADY_IN,
    ]
    visit.refresh_from_db()
    assert visit.status == "in_progress"


def test_bad_input_scope_and_site(visit, desk, code, api, token_for, sales):
    caller = api(token_for(desk, "passes"))
    missing = caller.post("/passes/check", {"site": visit.site.code})
    assert missing.status_code == 400 and "code" in missing.json()["errors"]
    nowhere = caller.post("/passes/check", {"code": code, "site": "nowhere"})
    assert nowhere.status_code == 400 and "site" in nowhere.json()["errors"]
    no_scope = api(token_for(desk, "desk")).post("/passes/check", {"code": code, "site": "x"})
    assert no_scope.status_code == 403
    # a desk assigned to another site does not check passes here
    desk.sites.add(SiteFactory(code="wuxi", name="无锡工厂"))
    elsewhere = caller.post("/passes/passage", {"code": code, "site": visit.site.code})
    assert elsewhere.status_code == 403
    assert api("jd_nothing").post("/passes/check", {"code": code}).status_code == 401


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_pass_endpoints_answer_as_the_scan_page(role, visit, code, client, api, token_for):
    user = user_with(role, username=f"u_{role.value}")
    client.force_login(user)
    page = client.get(reverse("visits:scan")).status_code
    client.logout()
    caller = api(token_for(user))
    report = {"code": code, "site": visit.site.code}
    checked = caller.post("/passes/check", report).status_code
    passed = caller.post("/passes/passage", report).status_code
    assert checked == passed == (200 if page == 200 else 403)


def test_issuing_and_revoking_a_pass_are_webhook_events(visit, desk):
    WebhookSubscription.objects.create(
        name="turnstiles",
        url="https://gate.example.com/hook",
        kinds=["pass.issued", "pass.revoked"],
        owner=desk,
    )
    made = passes.pass_for(visit.visitors.first())
    passes.revoke_passes(visitor_ids=[made.visitor_id])
    sent = list(WebhookDelivery.objects.order_by("pk"))
    assert [(d.kind, d.event_id) for d in sent] == [
        ("pass.issued", f"pass-issued-{made.pk}"),
        ("pass.revoked", f"pass-revoked-{made.pk}"),
    ]
    assert sent[0].payload["data"]["code"] == made.code
    assert sent[1].payload["data"]["visitor"] == visit.visitors.first().name
