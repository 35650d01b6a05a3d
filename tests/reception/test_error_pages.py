"""403, 404, 500, 400 and CSRF failures answer in the app's layout and the reader's language,
with a way back; a 403 names the roles the page is for."""

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from reception.accounts.roles import Role
from reception.views import RETRY_AFTER_SECONDS
from tests.factories import user_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def front_desk(db):
    return user_with(Role.FRONT_DESK, username="desk_err")


@override_settings(DEBUG=False)
def test_a_403_is_in_the_layout_and_names_the_roles_that_may_open_the_page(login, front_desk):
    response = login(front_desk).get(reverse("approvals:queue"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    body = response.content.decode()
    assert 'class="navbar' in body and reverse("home") in body
    assert "This page is not for your role" in body
    assert str(Role.MARKETING_HEAD.label) in body and str(Role.GENERAL_MANAGER.label) in body
    assert str(Role.SALES.label) not in body


@override_settings(DEBUG=False)
def test_a_403_speaks_the_readers_language(login, front_desk):
    front_desk.language = "zh-hans"
    front_desk.save()
    response = login(front_desk).get(reverse("approvals:queue"))
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    with translation.override("zh-hans"):
        chinese = str(Role.MARKETING_HEAD.label)
    with translation.override("en"):
        english = str(Role.MARKETING_HEAD.label)
    assert chinese != english
    assert chinese in body and english not in body


@override_settings(DEBUG=False)
def test_a_404_is_in_the_layout_with_a_way_home(login, front_desk):
    response = login(front_desk).get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and "Back to the home page" in body
    assert 'class="navbar' in body


@override_settings(DEBUG=False)
def test_a_500_renders_without_a_request_context(login, front_desk, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("visits.views.home.entries_for", boom)
    client = login(front_desk)
    client.raise_request_exception = False
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and "Back to the home page" in body


@override_settings(DEBUG=False)
def test_a_400_uses_the_same_way_back(login, front_desk, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2
    response = login(front_desk).post(
        reverse("set_language"), {"a": 1, "b": 2, "c": 3}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "Back to the home page" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_csrf_failure_says_the_form_expired_in_the_layout(front_desk):
    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk)
    response = client.post(reverse("notifications_read_all"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    body = response.content.decode()
    assert "The form has expired" in body and 'class="navbar' in body


# ---- a database that does not answer: 503, "try again in a moment" ------------------------


@override_settings(DEBUG=False)
@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_in_a_view_answers_503_with_retry_after(
    error, login, front_desk, monkeypatch
):
    def unreachable(*args, **kwargs):
        raise error("server closed the connection unexpectedly")

    monkeypatch.setattr("visits.views.home.entries_for", unreachable)
    client = login(front_desk)
    client.raise_request_exception = False
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.content.decode()
    assert "Try again in a moment" in body and "was not saved" in body
    assert 'class="navbar' in body and "Back to the home page" in body


@override_settings(DEBUG=False)
def test_a_database_error_before_the_view_answers_503_in_the_readers_language(
    login, front_desk, monkeypatch
):
    """The user's roles are read by a middleware, before any view: the 503 comes from the
    error handler, in the language the browser asks for (the saved one needs the database)."""

    def unreachable(user):
        raise OperationalError("could not connect to server: Connection refused")

    monkeypatch.setattr("reception.middleware.access.load", unreachable)
    client = login(front_desk)
    client.raise_request_exception = False
    response = client.get(reverse("visits:board"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503 and response.has_header("Retry-After")
    with translation.override("zh-hans"):
        title = translation.gettext("Try again in a moment")
    assert title != "Try again in a moment" and title in response.content.decode()


@override_settings(DEBUG=False)
def test_other_errors_still_answer_500(login, front_desk, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("duplicate key")

    monkeypatch.setattr("visits.views.home.entries_for", broken)
    client = login(front_desk)
    client.raise_request_exception = False
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500 and not response.has_header("Retry-After")


@override_settings(DEBUG=False)
@pytest.mark.django_db(transaction=True)
def test_a_database_nobody_can_connect_to_answers_503(client):
    """The real thing: the database's address leads nowhere (a closed port; for SQLite a file
    in a folder that does not exist) while a logged-in user opens a page."""
    client.force_login(user_with(Role.FRONT_DESK, username="desk_outage"))
    client.raise_request_exception = False
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/jiedai.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
    try:
        response = client.get(reverse("visits:board"), HTTP_ACCEPT_LANGUAGE="en")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Try again in a moment" in response.content.decode()
