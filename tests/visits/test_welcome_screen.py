"""The lobby welcome screen: a secret URL per display, today's welcome lines, escaped."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import StepState
from approvals.services import decide
from tests.factories import ClientFactory, file_visit, user_with
from visits.models import VisitRequest, WelcomeDisplay
from visits.services.welcome import rotate_display_secret

pytestmark = pytest.mark.django_db


def approve_through(visit, *, here_now=True):
    while step := visit.approval_steps.filter(state=StepState.PENDING).first():
        decide(step=step, by=user_with(step.role.name), decision=StepState.APPROVED)
    if here_now:  # on site right now, whatever the time of day the test runs
        now = timezone.now()
        VisitRequest.objects.filter(pk=visit.pk).update(
            arrival_at=now - timedelta(minutes=30), departure_at=now + timedelta(minutes=30)
        )
    return visit


@pytest.fixture
def display(db):
    return WelcomeDisplay.objects.create(name="大堂")


def screen(client, display):
    return client.get(reverse("visits:welcome", args=[display.token]))


def test_the_display_shows_todays_welcome_lines_without_login(client, display, four_tier, sales):
    acme = ClientFactory(name="远航汽车零部件集团", name_en="Yuanhang Auto Parts")
    approve_through(file_visit(sales, four_tier["vip"], client=acme, banner_text=""))
    page = screen(client, display).content.decode()
    assert "热烈欢迎远航汽车零部件集团莅临指导" in page  # the policy's default line
    assert "A warm welcome to Yuanhang Auto Parts" in page


def test_a_visit_without_the_banner_service_or_not_today_is_not_shown(
    client, display, four_tier, sales
):
    approve_through(file_visit(sales, four_tier["vip"], services=["car"], banner_text="不该出现"))
    approve_through(file_visit(sales, four_tier["vip"], banner_text="十天后的客人"), here_now=False)
    page = screen(client, display).content.decode()
    assert "不该出现" not in page and "十天后的客人" not in page


def test_banner_text_with_a_script_tag_is_shown_as_text(client, display, four_tier, sales):
    approve_through(
        file_visit(sales, four_tier["vip"], banner_text="<script>alert('x')</script>欢迎")
    )
    page = screen(client, display).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;欢迎" in page


def test_the_token_opens_only_its_page(client, display):
    assert screen(client, display).status_code == 200
    for url in (reverse("visits:board"), reverse("home"), reverse("visits:list")):
        response = client.get(url, {"token": display.token})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_rotated_token_stops_working(client, display):
    old = display.token
    rotate_display_secret(display)
    assert client.get(reverse("visits:welcome", args=[old])).status_code == 404
    assert screen(client, display).status_code == 200


def test_an_inactive_display_is_closed(client, display):
    display.active = False
    display.save()
    assert screen(client, display).status_code == 404


def test_the_screen_refreshes_itself(client, display):
    page = screen(client, display).content.decode()
    assert 'hx-trigger="every 60s"' in page
    partial = client.get(reverse("visits:welcome", args=[display.token]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().startswith('<div id="welcome-lines"')
