"""Reports and exports across a group's sites: a site filter (the group by default), a table
setting the sites side by side with the group's total, and a site column in every export,
the background export jobs included. A one-site company sees none of it."""

import csv
import io
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reception.accounts.roles import Role
from tests.factories import ClientFactory, SiteFactory, first_site, user_with
from visits.models import ExportJob, ExportStatus, Visitor, VisitRequest, VisitStatus

pytestmark = pytest.mark.django_db

Q1 = {"start": "2026-01-01", "end": "2026-03-31"}
LOG = {"start": "2026-03-01", "end": "2026-03-31"}


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def gm(db):
    return user_with(Role.GENERAL_MANAGER, username="site_rep_gm")


@pytest.fixture
def plant(db):
    first_site()
    return SiteFactory(code="suzhou", name="苏州工厂", name_en="Suzhou plant")


def received(site, grade, day, *, headcount=1, **fields):
    applicant = user_with(Role.SALES, username=f"s{VisitRequest.objects.count()}")
    fields.setdefault("status", VisitStatus.CLOSED)
    return VisitRequest.objects.create(
        applicant=applicant,
        site=site,
        client=fields.pop("client", None) or ClientFactory(),
        proposed_grade=grade,
        final_grade=grade,
        headcount=headcount,
        arrival_at=at(day),
        departure_at=at(day, 17),
        submitted_at=at(day - timedelta(days=10)),
        **fields,
    )


def table(html: str, key: str) -> list[list[str]]:
    found = re.search(rf'<table[^>]*data-report="{key}">(.*?)</table>', html, re.S)
    assert found, key
    rows = re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)]
        for r in rows
    ]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.fixture
def two_sites_q1(four_tier, plant):
    hq = first_site()
    received(hq, four_tier["vip"], date(2026, 1, 12), headcount=3)
    received(hq, four_tier["guest"], date(2026, 2, 3), headcount=2, late=True)
    received(plant, four_tier["vip"], date(2026, 2, 20), headcount=4)
    return hq, plant


def test_the_reports_set_the_sites_side_by_side_with_the_groups_total(client, gm, two_sites_q1):
    hq, plant = two_sites_q1
    client.force_login(gm)
    html = client.get(reverse("visits:reports"), Q1).content.decode()
    rows = table(html, "visits-by-site")
    assert rows[0][:5] == [
        "Site",
        "Visits received",
        "Visitors received",
        "Requests submitted",
        "Late",
    ]
    assert rows[1][:5] == [hq.label, "2", "5", "2", "1"]
    assert rows[2][:5] == ["Suzhou plant", "1", "4", "1", "0"]
    assert rows[3][:5] == ["Group total", "3", "9", "3", "1"]
    assert 'name="site"' in html


def test_a_site_filter_narrows_every_table_to_that_site(client, gm, two_sites_q1):
    client.force_login(gm)
    html = client.get(reverse("visits:reports"), {**Q1, "site": "suzhou"}).content.decode()
    assert 'data-report="visits-by-site"' not in html
    by_grade = table(html, "visits-by-grade")
    assert [row[-1] for row in by_grade[1:]] == ["0", "1", "0"]  # Jan, Feb, Mar totals
    assert "site=suzhou" in html  # the exports keep the filter
    export = reverse("visits:report_export", kwargs={"key": "visits-by-grade", "fmt": "csv"})
    rows = csv_rows(client.get(export, {**Q1, "site": "suzhou"}))
    assert [row[-1] for row in rows[1:]] == ["0", "1", "0"]
    group = csv_rows(client.get(export, Q1))
    assert [row[-1] for row in group[1:]] == ["1", "2", "0"]


def test_a_one_site_company_sees_no_site_filter_nor_site_table(client, gm, four_tier):
    received(first_site(), four_tier["vip"], date(2026, 1, 12))
    client.force_login(gm)
    html = client.get(reverse("visits:reports"), Q1).content.decode()
    assert 'name="site"' not in html
    assert 'data-report="visits-by-site"' not in html


def _bulk(sites, grade, n):
    base = timezone.localdate().replace(day=1) - timedelta(days=40)
    applicant = user_with(Role.SALES, username="bulk_sales")
    VisitRequest.objects.bulk_create(
        VisitRequest(
            applicant=applicant,
            site=sites[i % len(sites)],
            proposed_grade=grade,
            final_grade=grade,
            status=VisitStatus.CLOSED,
            arrival_at=at(base + timedelta(days=i % 30)),
            departure_at=at(base + timedelta(days=i % 30), 18),
            submitted_at=at(base - timedelta(days=5)),
            approved_at=at(base - timedelta(days=4)),
        )
        for i in range(n)
    )


@pytest.mark.parametrize("site", ["", "suzhou"])
def test_the_reports_page_with_sites_costs_the_same_queries_at_two_sizes(
    client, gm, four_tier, plant, django_assert_num_queries, site
):
    sites = [first_site(), plant]
    client.force_login(gm)
    url = reverse("visits:reports")
    _bulk(sites, four_tier["vip"], 20)
    client.get(url, {"site": site})  # warm-up (session, caches)
    budget = (
        18 if site else 22
    )  # the group: four aggregates more, for the sites table; + 2 the gate's arrivals by kind
    with django_assert_num_queries(budget):
        assert client.get(url, {"site": site}).status_code == 200
    _bulk(sites, four_tier["vip"], 200)
    with django_assert_num_queries(budget):
        assert client.get(url, {"site": site}).status_code == 200


# ---- exports ---------------------------------------------------------------------------------


def logged(site, four_tier, name, reference):
    visit = received(
        site,
        four_tier["guest"],
        date(2026, 3, 2),
        status=VisitStatus.COMPLETED,
        reference=reference,
    )
    Visitor.objects.create(visit=visit, name=name, checked_in_at=at(date(2026, 3, 2), 9))
    return visit


@pytest.fixture
def desk(db):
    return user_with(Role.FRONT_DESK, username="site_exp_desk")


def test_the_visitor_log_has_a_site_column_and_keeps_to_the_chosen_site(
    client, desk, four_tier, plant
):
    logged(first_site(), four_tier, "孙立群", "JD-HQ-1")
    logged(plant, four_tier, "王五", "JD-SZ-1")
    client.force_login(desk)
    url = reverse("visits:visitor_log_export", kwargs={"fmt": "csv"})
    rows = csv_rows(client.get(url, LOG))
    assert rows[0][0] == "Site"
    assert sorted((row[0], row[3]) for row in rows[1:]) == [
        (first_site().label, "孙立群"),
        ("Suzhou plant", "王五"),
    ]
    only = csv_rows(client.get(url, {**LOG, "site": "suzhou"}))
    assert [(row[0], row[3]) for row in only[1:]] == [("Suzhou plant", "王五")]


def test_a_one_site_visitor_log_has_no_site_column(client, desk, four_tier):
    logged(first_site(), four_tier, "孙立群", "JD-HQ-1")
    client.force_login(desk)
    rows = csv_rows(client.get(reverse("visits:visitor_log_export", kwargs={"fmt": "csv"}), LOG))
    assert rows[0][0] == "Day"
    assert "Site" not in rows[0]


def test_the_visit_list_export_has_a_site_column_and_a_site_filter(client, gm, two_sites_q1):
    gm.is_superuser = True  # sees every visit
    gm.save()
    client.force_login(gm)
    url = reverse("visits:list_export", kwargs={"fmt": "csv"})
    rows = csv_rows(client.get(url))
    assert rows[0][0] == "Site"
    assert sorted(row[0] for row in rows[1:]) == sorted([first_site().label] * 2 + ["Suzhou plant"])
    only = csv_rows(client.get(url, {"site": "suzhou"}))
    assert [row[0] for row in only[1:]] == ["Suzhou plant"]
    page = client.get(reverse("visits:list")).content.decode()
    assert 'name="site"' in page


def test_a_one_site_visit_list_offers_no_site_filter_nor_column(client, gm, four_tier):
    received(first_site(), four_tier["vip"], date(2026, 1, 12))
    client.force_login(gm)
    rows = csv_rows(client.get(reverse("visits:list_export", kwargs={"fmt": "csv"})))
    assert "Site" not in rows[0]
    assert 'name="site"' not in client.get(reverse("visits:list")).content.decode()


@override_settings(EXPORT_JOB_THRESHOLD_ROWS=0)
def test_an_export_job_keeps_the_site_and_writes_its_column(
    client, desk, four_tier, plant, django_capture_on_commit_callbacks
):
    logged(first_site(), four_tier, "孙立群", "JD-HQ-1")
    logged(plant, four_tier, "王五", "JD-SZ-1")
    client.force_login(desk)
    url = reverse("visits:visitor_log_export", kwargs={"fmt": "xlsx"})
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url, {**LOG, "site": "suzhou"})
    job = ExportJob.objects.get()
    assert job.status == ExportStatus.DONE
    assert job.params["site"] == ["suzhou"]
    with job.file.open("rb") as handle:
        sheet = load_workbook(io.BytesIO(handle.read())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Site"
    assert [(row[0], row[3]) for row in rows[1:]] == [("Suzhou plant", "王五")]
    page = client.get(reverse("visits:export_job", args=[job.pk])).content.decode()
    assert "Suzhou plant" in page
