"""A forgotten password is reset by email, on the app's own pages, with a link to SITE_URL."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from reception.roles import Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db

SITE = "https://jiedai.example.com"


@pytest.fixture
def gm(db, settings):
    settings.SITE_URL = SITE + "/"
    return user_with(Role.GENERAL_MANAGER, username="gm", email="gm@example.com")


def reset_link(client, email) -> str:
    response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    (message,) = mail.outbox
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_reset_email_links_to_the_site_url(gm, client):
    link = reset_link(client, "gm@example.com")
    assert link.startswith(f"{SITE}/accounts/reset/")
    assert mail.outbox[0].to == ["gm@example.com"]
    assert "gm" in mail.outbox[0].body


def test_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_link_sets_a_new_password_that_logs_in(gm, client):
    link = reset_link(client, "gm@example.com").removeprefix(SITE)
    form_page = client.get(link, follow=True)  # Django moves the token into the session
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new = "Ying-bin-2026-long"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("password_reset_complete")
    logged = client.post(reverse("login"), {"username": "gm", "password": new})
    assert logged.status_code == 302 and "_auth_user_id" in client.session


def test_a_used_link_no_longer_works(gm, client):
    link = reset_link(client, "gm@example.com").removeprefix(SITE)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "x-Long-9-pass", "new_password2": "x-Long-9-pass"},
    )
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "This link no longer works" in again.content.decode()


def test_resetting_the_password_lifts_a_lockout(gm, client):
    for _ in range(5):
        client.post(reverse("login"), {"username": "gm", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="gm").exists()
    link = reset_link(client, "gm@example.com").removeprefix(SITE)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "x-Long-9-pass", "new_password2": "x-Long-9-pass"},
    )
    assert not AccessAttempt.objects.filter(username="gm").exists()
    response = client.post(reverse("login"), {"username": "gm", "password": "x-Long-9-pass"})
    assert response.status_code == 302


def test_the_reset_pages_use_the_app_layout(client):
    html = client.get(reverse("password_reset")).content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in html and "Reset your password" in html
