"""A forgotten password is reset by email, on the app's own pages, with a link to SITE_URL."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from reception.accounts.roles import Role
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


# Throttling: one email per account a while, a cap per client address an hour ----------------


def ask_reset(client, email, address="203.0.113.5"):
    response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)
    # The same answer whatever happened: nothing tells whether an email went out.
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")


def test_six_requests_for_one_account_send_one_email(gm, client):
    for _ in range(6):
        ask_reset(client, "gm@example.com")
    assert len(mail.outbox) == 1


def test_the_account_limit_holds_from_another_address_and_lifts_after_its_minutes(
    gm, client, settings
):
    ask_reset(client, "gm@example.com", "203.0.113.5")
    ask_reset(client, "gm@example.com", "198.51.100.7")
    assert len(mail.outbox) == 1
    settings.PASSWORD_RESET_ACCOUNT_MINUTES = 0  # as if the minutes had passed: no limit
    ask_reset(client, "gm@example.com", "198.51.100.7")
    assert len(mail.outbox) == 2


def test_one_address_asking_for_many_accounts_is_capped_per_hour(client, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_HOUR = 3
    for n in range(5):
        user_with(Role.SALES, username=f"s{n}", email=f"s{n}@example.com")
        ask_reset(client, f"s{n}@example.com")
    assert sorted(m.to[0] for m in mail.outbox) == [f"s{n}@example.com" for n in range(3)]
    ask_reset(client, "s4@example.com", "198.51.100.7")  # another address still gets through
    assert mail.outbox[-1].to == ["s4@example.com"]


def test_unknown_addresses_count_towards_the_cap(gm, client, settings):
    settings.PASSWORD_RESET_PER_ADDRESS_HOUR = 2
    ask_reset(client, "nobody1@example.com")
    ask_reset(client, "nobody2@example.com")
    ask_reset(client, "gm@example.com")
    assert mail.outbox == []
