"""Issue 26, item 7: in the demo's group of two sites, what each reception login sees, per
role and site: the arrivals board, the desk's visit pages, the preparation overview, the
walk-ins, the arrivals feed and the lobby screens. Nothing of one site reaches another site's
desk or gate; the logins with no site assigned see both."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from demo.sites import HQ, PLANT, SITE_USERS
from reception.models import Site, User
from visits.models import BOARD_STATUSES, VisitRequest, WelcomeDisplay
from visits.services.calendar_feeds import all_arrivals
from visits.services.walk_ins import record_walk_in

pytestmark = pytest.mark.django_db

BOARD = reverse("visits:board")
PREPARATION = reverse("visits:preparation")
WALK_INS = reverse("visits:walk_ins")
# The demo's logins that work at every site (no site assigned), as in a one-site company.
EVERYWHERE = ["receptionist", "frontdesk", "security"]


@pytest.fixture
def demo(four_tier):
    with override_settings(DEBUG=True):
        call_command("demo", stdout=StringIO())
    return {s.code: s for s in Site.objects.all()}


def shown(page: str, candidates: dict[str, str]) -> set[str]:
    """Which of the candidates (text -> site code) the page shows: their site codes' texts."""
    return {text for text in candidates if text in page}


def test_each_demo_login_sees_its_own_sites_and_nothing_of_the_other(demo, client):
    assert set(demo) == {HQ, PLANT}
    logins = {u: code for u, _n, _r, _d, _t, code in SITE_USERS}
    # the visits on the desk's board over the coming week, by reference
    live = {
        v.reference: v
        for v in VisitRequest.objects.filter(status__in=BOARD_STATUSES)
        .exclude(reference__startswith="JD-H")
        .select_related("site")
    }
    at = {ref: v.site.code for ref, v in live.items()}
    assert set(at.values()) == {HQ, PLANT}, "the demo has visits on both sites' boards"
    # a walk-in waiting at each gate
    host = User.objects.get(username="sales")
    walk_ins = {}
    for code, guard in ((HQ, "security_sh"), (PLANT, "security_sz")):
        walk_in = record_walk_in(
            by=User.objects.get(username=guard),
            site=demo[code],
            company=f"来客{code}",
            names="王强",
            headcount=1,
            phone="13900001111",
            wants_to_see=host,
            purpose="洽谈",
        )
        walk_ins[f"来客{code}"] = (code, walk_in)

    seen: dict[str, dict[str, set[str]]] = {}
    for username in [*logins, *EVERYWHERE]:
        user = User.objects.get(username=username)
        client.force_login(user)
        mine = {logins[username]} if username in logins else {HQ, PLANT}
        facts: dict[str, set[str]] = {}
        board = client.get(BOARD, {"tab": "week"}).content.decode()
        facts["board"] = shown(board, at)
        facts["desk pages"] = {
            ref
            for ref, visit in live.items()
            if client.get(reverse("visits:desk", args=[visit.pk])).status_code == 200
        }
        facts["feed"] = {v.reference for v in all_arrivals(user)} & set(at)
        if user.has_perm("visits.view_walkin"):
            facts["walk-ins"] = shown(client.get(WALK_INS).content.decode(), walk_ins)
            facts["walk-in pages"] = {
                company
                for company, (_code, w) in walk_ins.items()
                if client.get(reverse("visits:walk_in", args=[w.pk])).status_code == 200
            }
            facts["gate panel"] = shown(board, walk_ins)
        if user.has_perm("visits.track_preparation"):
            page = client.get(PREPARATION).content.decode()
            facts["preparation"] = shown(page, at)
        seen[username] = facts

        expected_visits = {ref for ref, code in at.items() if code in mine}
        expected_walk_ins = {c for c, (code, _w) in walk_ins.items() if code in mine}
        for what, items in facts.items():
            if "walk-in" in what or what == "gate panel":
                assert items == expected_walk_ins, (username, what, items)
            elif what == "preparation":
                assert items <= expected_visits, (username, what, items)
            else:
                assert items == expected_visits, (username, what, items)

    # The two front desks see different arrivals, each only its own.
    assert seen["frontdesk_sh"]["board"].isdisjoint(seen["frontdesk_sz"]["board"])
    assert seen["frontdesk_sh"]["board"] and seen["frontdesk_sz"]["board"]
    assert seen["receptionist_sz"]["preparation"], "the plant's receptionist prepares its visit"
    assert seen["frontdesk"]["board"] == set(at)


def test_each_demo_lobby_screen_welcomes_its_own_sites_guests(demo, client):
    lines = {}
    for display in WelcomeDisplay.objects.select_related("site"):
        page = client.get(reverse("visits:welcome", args=[display.token])).content.decode()
        lines[display.site.code] = page
    assert "德森工业自动化" in lines[PLANT] and "南方电网" not in lines[PLANT]
    assert "南方电网" in lines[HQ] and "德森工业自动化" not in lines[HQ]


def test_the_demo_lists_each_sites_logins(demo):
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("demo", stdout=out)
    text = out.getvalue()
    for username, *_rest in SITE_USERS:
        assert username in text
        user = User.objects.get(username=username)
        assert user.check_password("jiedai-demo") and user.sites.count() == 1
    assert "苏州工厂" in text and "上海总部" in text
