"""Log-in throttling (django-axes) through the real login page: five wrong passwords for one
username from one address lock that pair out for 15 minutes, with a message in the reader's
language; an administrator unlocks in the admin; after the cool-off the right password works.
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from reception.accounts.roles import Role
from tests.factories import user_with

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
RIGHT, WRONG = "pw", "not-the-password"
OFFICE, ELSEWHERE = "10.0.0.7", "10.0.0.8"


@pytest.fixture
def gm(db):
    return user_with(Role.GENERAL_MANAGER, username="gm")


def log_in(client, password, *, username="gm", address=OFFICE, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(client, times, **kwargs):
    for _ in range(times):
        response = log_in(client, WRONG, **kwargs)
        assert response.status_code in (200, 429)
    return response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_policy_is_5_failures_per_username_and_address_for_15_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_wrong_passwords_still_let_the_right_one_in(gm, client):
    assert fail(client, 4).status_code == 200
    response = log_in(client, RIGHT)
    assert response.status_code == 302 and logged_in(client)


def test_the_fifth_wrong_password_locks_the_username_out_even_for_the_right_password(gm, client):
    fail(client, 4)
    locked = log_in(client, WRONG)
    assert locked.status_code == 429
    assert "Too many wrong passwords for “gm” from this address" in locked.content.decode()
    assert "Try again in 15 minutes" in locked.content.decode()
    response = log_in(client, RIGHT)
    assert response.status_code == 429 and not logged_in(client)


def test_the_lockout_message_is_in_the_readers_language(gm, client):
    fail(client, 5)
    response = log_in(client, RIGHT, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    assert '<html lang="zh-hans">' in response.content.decode()
    with translation.override("zh-hans"):
        chinese = [translation.gettext("Jiedai reception"), translation.gettext("Log-in locked")]
    assert chinese[0] != "Jiedai reception"
    assert all(text in response.content.decode() for text in chinese)


def test_the_lockout_holds_only_that_username_from_that_address(gm, client):
    user_with(Role.SALES, username="sales")
    fail(client, 5)
    assert log_in(client, RIGHT, username="sales").status_code == 302  # another user
    client.logout()
    assert log_in(client, RIGHT, address=ELSEWHERE).status_code == 302  # another address


def test_after_the_cool_off_the_right_password_works_again(gm, client):
    fail(client, 5)
    attempt = AccessAttempt.objects.get()
    attempt.attempt_time -= timedelta(minutes=14)
    attempt.save()
    assert log_in(client, RIGHT).status_code == 429  # 14 minutes on: still locked
    attempt.refresh_from_db()
    attempt.attempt_time -= timedelta(minutes=16)
    attempt.save()
    response = log_in(client, RIGHT)  # 16 minutes after the last failure
    assert response.status_code == 302 and logged_in(client)


def test_an_administrator_unlocks_in_the_admin(gm, client):
    fail(client, 5)
    admin = user_with(Role.ADMINISTRATOR, username="root", is_staff=True, is_superuser=True)
    attempt = AccessAttempt.objects.get(username="gm")
    client.force_login(admin)
    listing = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "gm" in listing.content.decode()
    response = client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    client.logout()
    assert log_in(client, RIGHT).status_code == 302 and logged_in(client)


def test_the_login_page_links_to_the_password_reset(client):
    assert reverse("password_reset") in client.get(LOGIN).content.decode()
