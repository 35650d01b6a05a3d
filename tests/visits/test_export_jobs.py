"""Large exports as jobs: above EXPORT_JOB_THRESHOLD_ROWS the visitor log and the visit list
are written by a Celery task (eager here, as under `make run`), offered on "My exports" to
their owner only, with progress while they are written and a notification when they are done."""

import csv
import io
from datetime import date, datetime, time, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reception.accounts.roles import Role
from reception.errors import RuleError
from reception.models import Notification
from tests.factories import ClientFactory, first_site, user_with
from visits import exports as export_files
from visits.models import ExportJob, ExportKind, ExportStatus, Visitor, VisitRequest, VisitStatus
from visits.services import exports as jobs
from visits.services.notifications import Kind
from visits.tasks import sweep_export_jobs

pytestmark = pytest.mark.django_db

LOG = {"start": "2026-03-01", "end": "2026-03-31"}
LOG_PARAMS = {key: [value] for key, value in LOG.items()}


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def desk():
    return user_with(Role.FRONT_DESK, username="exp_desk", full_name="吴倩")


@pytest.fixture
def visitors(four_tier):
    """Five visitors checked in during March 2026 (one with a formula-looking name)."""
    host = user_with(Role.DEPUTY_GM, username="exp_host", full_name="杨军")
    visit = VisitRequest.objects.create(
        site=first_site(),
        applicant=user_with(Role.SALES, username="exp_sales"),
        main_host=host,
        client=ClientFactory(name="远航汽车零部件集团"),
        proposed_grade=four_tier["guest"],
        status=VisitStatus.COMPLETED,
        reference="JD-2026-0042",
        arrival_at=at(date(2026, 3, 2), 9),
        departure_at=at(date(2026, 3, 2), 17),
    )
    for n, name in enumerate(["孙立群", "=1+1", "王五", "赵六", "钱七"]):
        Visitor.objects.create(
            visit=visit,
            name=name,
            phone=f"1390013900{n}",
            id_number_masked="110***********1234",
            checked_in_at=at(date(2026, 3, 2), 9, n),
            checked_out_at=at(date(2026, 3, 2), 16) if n % 2 else None,
        )
    return visit


def log_url(fmt="csv"):
    return reverse("visits:visitor_log_export", kwargs={"fmt": fmt})


def asked(client, url, params, callbacks):
    """The export button, with the job's task run after commit (eagerly, as `make run` does)."""
    with callbacks(execute=True):
        return client.get(url, params)


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def job_file(job) -> bytes:
    with job.file.open("rb") as handle:
        return handle.read()


def xlsx_rows(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ---- immediate or job ----------------------------------------------------------------------


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=5)
def test_an_export_up_to_the_threshold_is_sent_at_once(
    client, desk, visitors, django_capture_on_commit_callbacks
):
    client.force_login(desk)
    response = asked(client, log_url(), LOG, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert len(list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))) == 6
    assert not ExportJob.objects.exists()


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=4)
def test_an_export_above_the_threshold_becomes_a_job_and_the_button_leads_to_it(
    client, desk, visitors, django_capture_on_commit_callbacks
):
    client.force_login(desk)
    response = asked(client, log_url("xlsx"), LOG, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:export_job", args=[job.pk])
    assert (job.owner, job.kind, job.fmt) == (desk, ExportKind.VISITOR_LOG, "xlsx")
    assert job.params == {"start": ["2026-03-01"], "end": ["2026-03-31"]}
    # eager, as under `make run`: written within the request, ready when the page opens
    assert job.status == ExportStatus.DONE
    assert (job.rows_done, job.rows_total) == (5, 5)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "The export has 5 rows: it is being written in the background." in html
    assert reverse("visits:export_download", args=[job.pk]) in html
    assert "From: <strong>2026-03-01</strong>" in html
    assert "hx-trigger" not in html  # nothing left to poll for


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=0)
def test_the_visit_list_job_keeps_the_pages_filters_and_not_its_page_or_download_token(
    client, sales, four_tier, django_capture_on_commit_callbacks
):
    VisitRequest.objects.create(
        site=first_site(),
        applicant=sales,
        proposed_grade=four_tier["routine"],
        status=VisitStatus.CLOSED,
        reference="JD-A-9",
        arrival_at=at(date(2026, 3, 2)),
    )
    client.force_login(sales)
    url = reverse("visits:list_export", kwargs={"fmt": "csv"})
    asked(
        client,
        url,
        {"status": VisitStatus.CLOSED, "page": "2", "download": "abcdefgh12"},
        django_capture_on_commit_callbacks,
    )
    job = ExportJob.objects.get()
    assert job.params == {"status": ["closed"]}
    html = client.get(reverse("visits:export_job", args=[job.pk])).content.decode()
    assert "Status: <strong>Closed</strong>" in html


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=1)
def test_a_second_click_while_the_export_is_written_leads_to_the_same_job(desk, visitors):
    first = jobs.request_export(by=desk, kind=ExportKind.VISITOR_LOG, fmt="xlsx", params=LOG_PARAMS)
    again = jobs.request_export(by=desk, kind=ExportKind.VISITOR_LOG, fmt="xlsx", params=LOG_PARAMS)
    assert again.job == first.job
    other = jobs.request_export(by=desk, kind=ExportKind.VISITOR_LOG, fmt="csv", params=LOG_PARAMS)
    assert other.job != first.job
    ExportJob.objects.filter(pk=first.job.pk).update(status=ExportStatus.DONE)
    later = jobs.request_export(by=desk, kind=ExportKind.VISITOR_LOG, fmt="xlsx", params=LOG_PARAMS)
    assert later.job not in (first.job, other.job)  # done: asking again writes it afresh


def test_who_may_not_export_the_list_may_not_ask_for_the_job(four_tier, sales):
    with pytest.raises(RuleError):
        jobs.request_export(by=sales, kind=ExportKind.VISITOR_LOG, fmt="csv", params={})


# ---- the same file as the immediate export ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_job_writes_the_same_file_as_the_immediate_export(
    client, desk, visitors, fmt, django_capture_on_commit_callbacks
):
    client.force_login(desk)
    with override_settings(EXPORT_JOB_THRESHOLD_ROWS=1000):
        at_once = body(asked(client, log_url(fmt), LOG, django_capture_on_commit_callbacks))
    with override_settings(EXPORT_JOB_THRESHOLD_ROWS=1):
        asked(client, log_url(fmt), LOG, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    download = client.get(reverse("visits:export_download", args=[job.pk]))
    assert download.status_code == 200
    assert (
        f'filename="visitor-log-2026-03-01-2026-03-31.{fmt}"' in (download["Content-Disposition"])
    )
    written = body(download)
    if fmt == "csv":
        assert written == at_once
    else:  # a zip: compare what a spreadsheet reads
        assert xlsx_rows(written) == xlsx_rows(at_once)
        assert xlsx_rows(written)[2][2] == "=1+1"  # text, never a formula


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=0)
def test_the_job_writes_the_visit_list_as_the_page_filters_it(
    client, sales, other_sales, four_tier, django_capture_on_commit_callbacks
):
    for applicant, status, ref in [
        (sales, VisitStatus.CLOSED, "JD-A-1"),
        (sales, VisitStatus.APPROVED, "JD-A-2"),
        (other_sales, VisitStatus.CLOSED, "JD-B-1"),
    ]:
        VisitRequest.objects.create(
            site=first_site(),
            applicant=applicant,
            proposed_grade=four_tier["routine"],
            status=status,
            reference=ref,
            arrival_at=at(date(2026, 3, 2)),
        )
    client.force_login(sales)
    url = reverse("visits:list_export", kwargs={"fmt": "csv"})
    asked(client, url, {"status": VisitStatus.CLOSED}, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    rows = list(csv.reader(io.StringIO(job_file(job).decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["JD-A-1"]


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=0, LANGUAGE_CODE="zh-hans")
def test_the_job_writes_in_the_language_of_the_page_it_was_asked_on(
    client, desk, visitors, django_capture_on_commit_callbacks
):
    client.force_login(desk)
    asked(client, log_url(), LOG, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    assert job.language == "zh-hans"
    assert job_file(job).decode("utf-8-sig").startswith("日期,公司")


# ---- progress ----------------------------------------------------------------------------


def queued_job(owner, **fields) -> ExportJob:
    data = {"kind": ExportKind.VISITOR_LOG, "fmt": "csv", "params": LOG_PARAMS, "language": "en"}
    return ExportJob.objects.create(owner=owner, **(data | fields))


def test_the_task_records_its_progress_every_batch_of_rows(desk, visitors, monkeypatch):
    job = queued_job(desk, rows_total=5)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    seen = []
    real = export_files.spec_for

    def watched(kind, user, params):
        spec = real(kind, user, params)

        def rows():
            for row in spec.rows():
                seen.append(ExportJob.objects.values_list("status", "rows_done").get(pk=job.pk))
                yield row

        return export_files.ExportSpec(spec.filename, spec.header, rows, spec.count)

    monkeypatch.setattr(export_files, "spec_for", watched)
    jobs.run_export_job(job_id=job.pk)
    assert seen == [("running", 0), ("running", 0), ("running", 2), ("running", 2), ("running", 4)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total) == (ExportStatus.DONE, 5, 5)


def test_a_job_being_written_shows_its_progress_and_polls_until_it_is_done(client, desk):
    job = queued_job(desk, status=ExportStatus.RUNNING, rows_total=80000, rows_done=20000)
    client.force_login(desk)
    url = reverse("visits:export_job", args=[job.pk])
    html = client.get(url).content.decode()
    assert "20000 of 80000 rows written" in html
    assert 'max="100" value="25"' in html
    assert f'hx-get="{url}" hx-trigger="every 2s"' in html
    card = client.get(url, headers={"HX-Request": "true"})
    assert card.templates[0].name == "visits/_export_job.html"
    assert "<html" not in card.content.decode()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, rows_done=80000, file="exports/x.csv"
    )
    card = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in card and "Download" in card


def test_the_polling_script_is_our_own(client, desk):
    queued_job(desk)
    client.force_login(desk)
    html = client.get(reverse("visits:export_jobs")).content.decode()
    assert "hx-trigger" in html
    assert "/static/" in html and "cdn" not in html.lower()


# ---- the notification --------------------------------------------------------------------


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=0)
def test_the_owner_is_told_when_the_file_is_ready_and_the_link_lands_on_the_job(
    client, desk, visitors, django_capture_on_commit_callbacks
):
    client.force_login(desk)
    asked(client, log_url(), LOG, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get()
    note = Notification.objects.get(recipient=desk)
    assert note.kind == Kind.EXPORT_READY
    assert note.title == "Your export is ready: Visitor log"
    assert note.body == "5 rows, as CSV."
    page = client.get(reverse("notification_open", args=[note.pk]), follow=True)
    assert page.resolver_match.view_name == "visits:export_job"
    assert page.resolver_match.kwargs == {"pk": job.pk}
    assert f'id="export-{job.pk}"' in page.content.decode()


# ---- failure -------------------------------------------------------------------------------


def test_a_failed_job_keeps_a_readable_message_and_its_owner_is_told(client, desk, visitors):
    job = queued_job(desk, rows_total=5)
    with mock.patch.object(export_files, "write", side_effect=OSError("No space left on device")):
        jobs.run_export_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "OSError: No space left on device"
    assert not job.file and job.finished_at is not None
    note = Notification.objects.get(recipient=desk)
    assert note.kind == Kind.EXPORT_FAILED
    assert note.body == "Nothing was written: OSError: No space left on device"
    client.force_login(desk)
    html = client.get(note.url).content.decode()
    assert "The export could not be written." in html
    assert "OSError: No space left on device" in html
    download = client.get(reverse("visits:export_download", args=[job.pk]))
    assert download.status_code == 404


def test_a_job_is_written_once_however_often_its_task_is_delivered(desk, visitors):
    job = queued_job(desk, rows_total=5)
    jobs.run_export_job(job_id=job.pk)
    assert jobs.run_export_job(job_id=job.pk) is None
    assert Notification.objects.filter(recipient=desk).count() == 1


# ---- the owner only ----------------------------------------------------------------------


def test_another_user_gets_404_for_the_job_its_card_and_its_file(client, desk):
    job = queued_job(desk, status=ExportStatus.DONE, rows_done=1)
    job.file.save("mine.csv", ContentFile(b"a,b\n"))
    client.force_login(desk)
    assert client.get(reverse("visits:export_download", args=[job.pk])).status_code == 200
    for other in (
        user_with(Role.FRONT_DESK, username="exp_desk2"),
        user_with(Role.ADMINISTRATOR, username="exp_admin"),
    ):
        client.force_login(other)
        for name in ("visits:export_job", "visits:export_download"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404, (other, name)
        assert f"export-{job.pk}" not in client.get(reverse("visits:export_jobs")).content.decode()


def test_the_private_storage_has_no_url():
    from django.core.files.storage import storages

    from config.storage import PrivateStorage

    with pytest.raises(ValueError):
        PrivateStorage(location="/tmp").url("exports/a.csv")
    assert settings.STORAGES["exports"]["BACKEND"]  # a storage of its own, not "default"
    assert storages["exports"] is not storages["default"]


# ---- the pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        ("en", "You have no exports being written or ready."),
        ("zh-hans", "您没有正在生成或已就绪的导出"),
    ],
)
def test_my_exports_in_its_default_state_in_both_languages(client, desk, language, empty):
    desk.language = language
    desk.save()
    client.force_login(desk)
    html = client.get(reverse("visits:export_jobs"), headers={"Accept-Language": language})
    assert empty in html.content.decode()


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["My exports", "Visitor log", "Ready", "Download"]),
        ("zh-hans", ["我的导出", "访客登记", "已就绪", "下载"]),
    ],
)
def test_a_ready_job_in_both_languages(client, desk, language, words):
    desk.language = language
    desk.save()
    job = queued_job(desk, status=ExportStatus.DONE, rows_done=3, rows_total=3)
    job.file.save("x.csv", ContentFile(b"x"))
    client.force_login(desk)
    html = client.get(reverse("visits:export_job", args=[job.pk])).content.decode()
    for word in words:
        assert word in html


def test_my_exports_costs_the_same_queries_for_one_job_or_many(
    client, desk, count_queries, django_assert_num_queries
):
    client.force_login(desk)
    url = reverse("visits:export_jobs")
    queued_job(desk, status=ExportStatus.RUNNING, rows_total=10, rows_done=5)
    few = count_queries(lambda: client.get(url))
    for status in (ExportStatus.QUEUED, ExportStatus.DONE, ExportStatus.FAILED) * 3:
        queued_job(desk, status=status, rows_total=10, error="x")
    queued_job(desk, kind=ExportKind.VISIT_LIST, summary=[["status", "closed"]])
    with django_assert_num_queries(few):
        response = client.get(url)
    assert response.content.decode().count('class="card mb-3"') == 11
    assert few == 4


# ---- the sweep -----------------------------------------------------------------------------


def test_the_sweep_deletes_old_jobs_and_files_resends_lost_ones_and_fails_dead_ones(desk):
    now = timezone.now()
    old = queued_job(desk, status=ExportStatus.DONE)
    old.file.save("old.csv", ContentFile(b"x"))
    name = old.file.name
    fresh = queued_job(desk, status=ExportStatus.DONE)
    lost = queued_job(desk)
    dead = queued_job(desk, status=ExportStatus.RUNNING, started_at=now - timedelta(hours=2))
    keep = settings.EXPORT_FILES_KEEP_DAYS
    ExportJob.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=keep, hours=1))
    ExportJob.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=10))
    with mock.patch.object(jobs, "enqueue_export") as enqueue:
        result = jobs.sweep_export_jobs(now=now)
    assert result == {"purged": 1, "resent": 1, "stale": 1}
    enqueue.assert_called_once_with(lost.pk)
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not old.file.storage.exists(name)
    assert ExportJob.objects.filter(pk=fresh.pk).exists()
    dead.refresh_from_db()
    assert dead.status == ExportStatus.FAILED and "stopped" in dead.error
    assert Notification.objects.get(recipient=desk).kind == Kind.EXPORT_FAILED


def test_beat_runs_the_export_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-export-jobs"]
    assert entry["task"] == sweep_export_jobs.name == "visits.sweep_export_jobs"


def test_the_export_buttons_link_my_exports(client, desk, sales):
    client.force_login(desk)
    assert reverse("visits:export_jobs") in client.get(reverse("visits:board")).content.decode()
    client.force_login(sales)
    assert reverse("visits:export_jobs") in client.get(reverse("visits:list")).content.decode()
