"""The approval queue's decision cards keep what they show of their visit rendered ({% cache %}
in visits/approvals/_step_card.html, keyed by selectors.decision_card_version), and an unbound
decision form its fields (approvals/_decision_form.html): never stale. Each case renders the
queue, changes one thing a card shows (the visit, a row it shows something of, the language),
renders again and finds the change."""

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from reception.models import ReceptionGrade, ReceptionStandard, Site, User
from tests.factories import SiteFactory, file_visit
from visits.models import VisitRequest, VisitStatus
from visits.models.requests import Visitor

pytestmark = pytest.mark.django_db

QUEUE = reverse("approvals:queue")
PARTS = ("approval_card_head", "approval_card_title", "approval_card_facts")


def _kept(name: str) -> int:
    return sum(f".{name}." in key for key in caches["template_fragments"]._cache)


def _cards(response) -> str:
    page = response.content.decode()
    page = page[page.index('id="queue-cards"') :]
    # the token differs per request; everything else is the same
    return "\n".join(line for line in page.splitlines() if "csrfmiddlewaretoken" not in line)


def _file(sales, grade, days=9, **extra):
    arrival = (timezone.localtime() + timedelta(days=days)).replace(hour=9, minute=0)
    return file_visit(
        sales, grade, arrival_at=arrival, departure_at=arrival + timedelta(hours=30), **extra
    )


def test_the_queue_keeps_its_cards(four_tier, sales, staff, login):
    visits = [_file(sales, four_tier["routine"], days=9 + i) for i in range(2)]
    browser = login(staff.marketing)
    first = _cards(browser.get(QUEUE))
    assert all(_kept(name) == 2 for name in PARTS)
    assert _kept("approval_decision_fields") == 2
    assert _cards(browser.get(QUEUE)) == first
    assert all(_kept(name) == 2 for name in PARTS)
    assert all(v.reference in first for v in visits)


def test_a_card_shows_each_change(four_tier, sales, staff, login):
    visit = _file(sales, four_tier["vip"])
    browser = login(staff.marketing)
    browser.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")

    def shown() -> str:
        return _cards(browser.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en"))

    visit.reason = "改过的来访事由"  # the visit's own: its version moves
    visit.save()
    assert "改过的来访事由" in shown()

    visit.client.name, visit.client.name_en = "新名字精密机械有限公司", ""
    visit.client.save()
    assert "新名字精密机械" in shown()

    sales.full_name = "改名的申请人"
    sales.save()
    assert "改名的申请人" in shown()

    VisitRequest.objects.filter(pk=visit.pk).update(main_host=staff.marketing)
    User.objects.filter(pk=staff.marketing.pk).update(full_name="新的主陪")
    assert "新的主陪" in shown()

    Visitor.objects.filter(visit=visit).update(name="改名的访客")  # the visit's version stays
    assert "改名的访客" in shown()

    ReceptionGrade.objects.filter(pk=visit.grade.pk).update(name_en="Renamed grade")
    page = shown()
    assert "Renamed grade ?</span>" in page  # the badge (proposed)
    assert "Renamed grade</option>" in page  # the decision form's choices

    ReceptionStandard.objects.filter(grade=visit.grade).update(meal_per_person=987)
    assert "standard CNY 987" in shown()

    VisitRequest.objects.filter(pk=visit.pk).update(final_grade=four_tier["routine"])
    assert four_tier["routine"].label in shown().split("decision-facts")[0]

    VisitRequest.objects.filter(pk=visit.pk).update(late=True)  # without the version
    assert "badge-late" in shown()

    english = shown()
    with translation.override("zh-hans"):
        meals = translation.gettext("Meals")
    chinese = _cards(browser.get(QUEUE, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert meals in chinese and meals not in english


def test_a_card_shows_the_clients_last_visits_as_they_change(four_tier, sales, staff, login):
    earlier = _file(sales, four_tier["routine"], days=20)
    visit = _file(sales, four_tier["routine"])
    VisitRequest.objects.filter(pk=visit.pk).update(client=earlier.client)
    past = timezone.now() - timedelta(days=30)
    VisitRequest.objects.filter(pk=earlier.pk).update(
        arrival_at=past, departure_at=past + timedelta(hours=3), status=VisitStatus.COMPLETED
    )
    browser = login(staff.marketing)
    before = _cards(browser.get(QUEUE))
    assert str(VisitStatus.COMPLETED.label) in before

    VisitRequest.objects.filter(pk=earlier.pk).update(status=VisitStatus.CLOSED)
    assert str(VisitStatus.CLOSED.label) in _cards(browser.get(QUEUE))


def test_a_whole_card_is_kept_per_browser_with_a_token_that_browser_accepts(
    four_tier, sales, staff
):
    """The queue keeps each card whole (approvals.views.QueueView.cards), its form and token
    with it: per browser (the CSRF secret is part of the key), so a second browser of the same
    approver gets cards whose token its own cookie accepts."""
    visit = _file(sales, four_tier["routine"])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(staff.marketing)
        browser.get(QUEUE)
    assert _kept("queue_card") == 2
    first.get(QUEUE)
    assert _kept("queue_card") == 2  # kept: read again, not rendered again
    page = second.get(QUEUE).content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    step = visit.approval_steps.get(state="pending")
    decided = second.post(
        reverse("approvals:decide", args=[step.pk]),
        {
            "csrfmiddlewaretoken": token,
            f"step{step.pk}-decision": "approved",
            f"step{step.pk}-grade": visit.proposed_grade_id,
            "next": QUEUE,
        },
    )
    assert decided.status_code == 302  # not 403: the kept card's token is this browser's
    step.refresh_from_db()
    assert step.state == "approved"
    assert visit.reference not in _cards(first.get(QUEUE))  # decided: its card is gone


# ---- the filter form, kept under QueueView.filter_key (a GET form: no token) ------------------


def _filters(response) -> str:
    page = response.content.decode()
    start = page.index('id="queue-filters"')
    return page[start : page.index("</form>", start)]


def test_the_filter_form_is_kept_and_shows_the_query(four_tier, sales, staff, login):
    _file(sales, four_tier["routine"])
    browser = login(staff.marketing)
    first = _filters(browser.get(QUEUE))
    assert _kept("queue_filters") == 1
    assert _filters(browser.get(QUEUE)) == first
    assert _kept("queue_filters") == 1
    grade = four_tier["vip"]
    chosen = _filters(browser.get(QUEUE, {"grade": grade.pk}))
    assert f'value="{grade.pk}" selected' in chosen and chosen != first
    assert _kept("queue_filters") == 2


def test_the_filter_form_offers_a_grade_renamed_or_added(four_tier, sales, staff, login):
    browser = login(staff.marketing)
    browser.get(QUEUE)
    grade = four_tier["vip"]
    grade.name = grade.name_en = "Renamed grade"
    grade.save()
    assert "Renamed grade" in _filters(browser.get(QUEUE))
    ReceptionGrade.objects.create(
        scheme=grade.scheme, code="extra", name="新等级", name_en="New grade", rank=99
    )
    assert "New grade" in _filters(browser.get(QUEUE))


def test_the_filter_form_offers_the_sites_as_they_come(four_tier, sales, staff, login):
    browser = login(staff.marketing)
    assert 'name="site"' not in _filters(browser.get(QUEUE))  # one site: no site filter
    SiteFactory(code="north", name="北区", name_en="North campus")
    assert "North campus" in _filters(browser.get(QUEUE))
    Site.objects.filter(code="north").update(name_en="Northern campus")
    assert "Northern campus" in _filters(browser.get(QUEUE))


def test_the_filter_form_follows_the_language(four_tier, sales, staff, login):
    browser = login(staff.marketing)
    english = _filters(browser.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en"))
    chinese = _filters(browser.get(QUEUE, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    assert english != chinese
