"""A worker loads the PDF renderer before it serves, so the first document a user asks for is as
quick as any other; downloads that take seconds show they are being prepared until the file
starts to arrive."""

import logging
import re
import runpy
from pathlib import Path
from unittest import mock

import pytest
from celery.signals import worker_process_init
from django.urls import reverse

from reception.accounts.roles import Role
from reception.middleware import DOWNLOAD_COOKIE
from tests.factories import approve_fully, file_visit, user_with
from visits import documents

ROOT = Path(__file__).resolve().parent.parent


def test_a_gunicorn_worker_warms_the_renderer_when_it_starts():
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    with (
        mock.patch.object(documents, "warm_up") as warm_up,
        mock.patch("gc.freeze"),
        mock.patch("gc.set_threshold"),
    ):
        conf["post_worker_init"](worker=None)
    warm_up.assert_called_once_with()


def test_a_celery_worker_process_warms_the_renderer_when_it_starts():
    import config.celery  # noqa: F401 (connects the handler)

    with mock.patch.object(documents, "warm_up") as warm_up:
        worker_process_init.send(sender=None)
    warm_up.assert_called_once_with()


def test_warming_up_renders_a_small_document_with_the_documents_font(settings, caplog):
    settings.WARM_UP_DOCUMENTS = True
    documents._fonts.config = None  # as in a new process
    with caplog.at_level(logging.INFO, logger="visits.documents"):
        seconds = documents.warm_up()
    assert seconds is not None and seconds > 0
    assert documents._fonts.config is not None  # kept for this thread's documents
    assert "warmed up" in caplog.text


def test_warming_up_is_off_when_told_and_never_stops_a_worker(settings, caplog):
    settings.WARM_UP_DOCUMENTS = False
    with mock.patch.object(documents, "html_to_pdf") as render:
        assert documents.warm_up() is None
    render.assert_not_called()

    settings.WARM_UP_DOCUMENTS = True
    with mock.patch.object(documents, "html_to_pdf", side_effect=OSError("no fonts")):
        assert documents.warm_up() is None  # logged, not raised
    assert "Warming up the PDF renderer failed" in caplog.text


# ---- downloads ------------------------------------------------------------------------------


def download_marks(html: str) -> list[str]:
    """The hrefs (or form actions) of the elements marked data-download."""
    tags = re.findall(r"<(?:a|form)\b[^>]*\bdata-download=\"[^\"]+\"[^>]*>", html)
    return [re.search(r'(?:href|action)="([^"]+)"', tag).group(1) for tag in tags]


@pytest.mark.django_db
def test_the_visit_pages_document_links_show_they_are_being_prepared(four_tier, sales, login):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    html = login(sales).get(reverse("visits:detail", args=[visit.pk])).content.decode()
    marked = download_marks(html)
    assert reverse("visits:visitor_information_pdf", args=[visit.pk]) in marked
    assert reverse("visits:application_form_pdf", args=[visit.pk]) in marked


@pytest.mark.django_db
def test_the_export_links_and_forms_show_they_are_being_prepared(four_tier, sales, login):
    html = login(sales).get(reverse("visits:list")).content.decode()
    marked = download_marks(html)
    assert any(m.startswith(reverse("visits:list_export", args=["xlsx"])) for m in marked)
    assert any(m.startswith(reverse("visits:list_export", args=["csv"])) for m in marked)

    gm = user_with(Role.GENERAL_MANAGER, username="gm_dl")
    html = login(gm).get(reverse("visits:reports")).content.decode()
    marked = download_marks(html)
    assert any("/reports/" in m and ".xlsx" in m for m in marked)
    assert reverse("visits:visitor_log_export", args=["xlsx"]) in marked


@pytest.mark.django_db
def test_a_download_answers_with_its_token_in_a_cookie(four_tier, sales, login):
    visit = approve_fully(file_visit(sales, four_tier["routine"]))
    url = reverse("visits:list_export", args=["csv"])
    response = login(sales).get(url, {"download": "lq3k9-a8f0c2d1"})
    assert response.status_code == 200
    cookie = response.cookies[DOWNLOAD_COOKIE]
    assert cookie.value == "lq3k9-a8f0c2d1" and cookie["max-age"] == 120
    assert not cookie["httponly"] and cookie["samesite"] == "Lax"
    assert visit.reference in b"".join(response.streaming_content).decode("utf-8-sig")


@pytest.mark.django_db
def test_no_cookie_without_a_well_formed_token(sales, login):
    browser = login(sales)
    assert DOWNLOAD_COOKIE not in browser.get(reverse("visits:list")).cookies
    bad = browser.get(reverse("visits:list"), {"download": "<script>"})
    assert DOWNLOAD_COOKIE not in bad.cookies
