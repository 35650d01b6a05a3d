"""The visitor information sheet and the reception application form: what they say, in which
language and fonts, which boxes they tick, and who may download them."""

import io
import subprocess
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from approvals.models import StepState
from approvals.services import decide
from reception.models import ReceptionPolicy
from tests.factories import VISITORS, DepartmentFactory, file_visit, first_site
from visits import documents
from visits.documents import (
    application_form_pdf,
    visitor_information_attachment,
    visitor_information_pdf,
)
from visits.models import ItineraryItem, PrepTask, VisitRequest, mask_id_number
from visits.services.preparation import complete_task

pytestmark = pytest.mark.django_db

CLIENT = "远航汽车零部件集团"
BOTH = pytest.mark.parametrize(
    "render", [visitor_information_pdf, application_form_pdf], ids=["information", "form"]
)
# A 1×1 transparent PNG, for the company logo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
)


def text_of(pdf: bytes) -> str:
    """The PDF's text in document order (pypdf follows the content streams), whitespace
    collapsed."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def fonts_of(pdf: bytes) -> list[dict]:
    """pdffonts' table: name, emb, sub per font."""
    out = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True)
    rows = out.stdout.decode().splitlines()[2:]
    fonts = []
    for row in rows:
        cells = row.split()
        # name … emb sub uni object-id generation
        fonts.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4]})
    return fonts


def approve(visit, staff):
    for approver in (staff.marketing, staff.gm, staff.director):
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=approver, decision=StepState.APPROVED, comment="同意")
    visit.refresh_from_db()
    return visit


@pytest.fixture
def vip_visit(four_tier, sales, staff):
    from reception.models import Client

    client = Client.objects.create(
        name=CLIENT, name_en="Yuanhang Auto Parts Group", category="existing_commercial"
    )
    return file_visit(sales, four_tier["vip"], client=client)


@pytest.fixture
def approved_visit(vip_visit, staff):
    return approve(vip_visit, staff)


# ---- what the documents say -----------------------------------------------------------------


@BOTH
def test_the_document_names_the_client_in_chinese_and_every_visitor(render, approved_visit):
    for language in ("zh-hans", "en"):
        text = text_of(render(visit=approved_visit, language=language))
        assert CLIENT in text
        for visitor in VISITORS:
            assert visitor["name"] in text


@BOTH
def test_the_grade_is_written_in_the_chosen_language(render, approved_visit):
    chinese = text_of(render(visit=approved_visit, language="zh-hans"))
    english = text_of(render(visit=approved_visit, language="en"))
    assert "贵宾级" in chinese and "VIP" not in chinese
    assert "VIP" in english and "贵宾级" not in english


@BOTH
def test_fonts_are_cjk_with_a_real_bold_embedded_and_subset(render, approved_visit):
    fonts = fonts_of(render(visit=approved_visit, language="zh-hans"))
    names = [f["name"] for f in fonts]
    assert any("CJK" in name for name in names), names
    assert any("CJK" in name and "Bold" in name for name in names), names
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts), fonts


def test_the_reference_is_in_the_header_and_the_footer(approved_visit):
    text = text_of(visitor_information_pdf(visit=approved_visit, language="en"))
    assert text.count(approved_visit.reference) >= 2


def test_an_unknown_language_falls_back_to_the_default(approved_visit, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert "贵宾级" in text_of(visitor_information_pdf(visit=approved_visit, language="xx"))


@BOTH
def test_an_empty_draft_still_prints(render, sales):
    draft = VisitRequest.objects.create(applicant=sales, site=first_site())
    text = text_of(render(visit=draft, language="en"))
    assert str(sales) in text


# ---- the application form's boxes ----------------------------------------------------------


def test_the_form_ticks_the_requested_purposes_only(vip_visit):
    # file_visit asks for inspection and tour
    text = text_of(application_form_pdf(visit=vip_visit, language="en"))
    assert "■ Inspection" in text and "■ Tour" in text
    for unticked in ("Contract signing", "Cooperation", "Drop-by", "Sightseeing", "Other"):
        assert f"□ {unticked}" in text


def test_a_purpose_without_a_box_ticks_other_and_is_named(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["routine"], purposes=["product_audit"])
    text = text_of(application_form_pdf(visit=visit, language="en"))
    assert "■ Other" in text and "□ Inspection" in text
    assert "Product audit" in text


def test_the_form_ticks_the_grade(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    text = text_of(application_form_pdf(visit=visit, language="en"))
    assert "● Guest" in text
    assert "○ VIP" in text and "○ Business" in text and "○ Routine" in text


def test_the_form_ticks_the_requested_services_only(vip_visit):
    # file_visit asks for a car, a guided tour and the welcome banner
    text = text_of(application_form_pdf(visit=vip_visit, language="en"))
    for ticked in ("Car pick-up and drop-off", "Guided tour", "Electronic welcome banner"):
        assert f"■ {ticked}" in text
    for unticked in ("Fruit", "Invite a leader to attend", "Other service"):
        assert f"□ {unticked}" in text
    assert "热烈欢迎贵宾莅临指导" in text  # the banner text beside its box


def test_the_form_shows_the_dining_and_accommodation_counts(vip_visit):
    text = text_of(application_form_pdf(visit=vip_visit, language="en"))
    assert "Company staff at meals 3" in text
    assert "3 rooms × 1 night" in text and "1 nights" not in text


def signature(step) -> str:
    return f"{step.decided_by} {timezone.localtime(step.decided_at):%Y-%m-%d %H:%M}"


def test_the_approvers_sign_the_opinion_and_approval_boxes(approved_visit):
    text = text_of(application_form_pdf(visit=approved_visit, language="en"))
    opinion = text[text.index("Department head opinion") : text.index("Company leader approval")]
    leaders = text[text.index("Company leader approval") :]
    grading, approval, confirmation = approved_visit.approval_steps.order_by("position")
    assert signature(grading) in opinion
    assert signature(approval) in leaders and signature(confirmation) in leaders


def test_undecided_steps_leave_their_box_unsigned(vip_visit, staff):
    text = text_of(application_form_pdf(visit=vip_visit, language="en"))
    opinion = text[text.index("Department head opinion") : text.index("Company leader approval")]
    leaders = text[text.index("Company leader approval") :]
    assert "Waiting for a decision" in opinion and str(staff.marketing) not in opinion
    assert "Waiting for earlier steps" in leaders and str(staff.gm) not in leaders


def test_steps_skipped_by_a_regrading_sign_nothing(vip_visit, four_tier, staff):
    grading = vip_visit.approval_steps.get(state=StepState.PENDING)
    decide(step=grading, by=staff.marketing, decision=StepState.APPROVED, grade=four_tier["guest"])
    text = text_of(application_form_pdf(visit=vip_visit, language="en"))
    leaders = text[text.index("Company leader approval") :]
    assert "Deputy general manager in charge approves" in leaders
    assert "General manager approves" not in leaders
    assert "● Guest" in text


# ---- the visitor information sheet's sections ------------------------------------------------


def test_the_sheet_lists_tasks_with_owners_and_status(approved_visit, staff):
    office = DepartmentFactory(code="office")
    member = staff.receptionist
    office.memberships.create(user=member)
    task = approved_visit.prep_tasks.filter(department=office).first()
    complete_task(task=task, by=member)
    PrepTask.objects.filter(pk=task.pk).update(assignee=member)
    text = text_of(visitor_information_pdf(visit=approved_visit, language="en"))
    assert task.name_en in text
    assert f"Done · {member}" in text
    assert "Open" in text


def test_the_sheet_shows_the_itinerary(approved_visit, staff):
    ItineraryItem.objects.create(
        visit=approved_visit,
        step="tour",
        starts_at=approved_visit.arrival_at + timedelta(hours=2),
        title="参观总装车间",
        place="二号厂房",
        responsible=staff.gm,
    )
    text = text_of(visitor_information_pdf(visit=approved_visit, language="en"))
    assert "参观总装车间" in text and "二号厂房" in text
    assert "No itinerary yet." not in text


def test_the_sheet_says_when_there_is_no_itinerary(approved_visit):
    approved_visit.itinerary.all().delete()  # approval drafted one; an editor may clear it
    text = text_of(visitor_information_pdf(visit=approved_visit, language="en"))
    assert "No itinerary yet." in text


def test_the_sheet_shows_the_itinerary_drafted_on_approval(approved_visit):
    text = text_of(visitor_information_pdf(visit=approved_visit, language="en"))
    assert "Welcome into the meeting room" in text and "Send-off" in text


def test_the_sheet_shows_masked_id_numbers_only(approved_visit):
    text = text_of(visitor_information_pdf(visit=approved_visit, language="en"))
    assert mask_id_number("110101198001011234") in text
    assert "110101198001011234" not in text


def test_the_company_header_shows_the_policy_name_and_logo(approved_visit):
    policy = ReceptionPolicy.get()
    policy.company_name = "精工机械股份有限公司"
    policy.logo.save("logo.png", ContentFile(PNG), save=False)
    policy.save()
    pdf = visitor_information_pdf(visit=approved_visit, language="zh-hans")
    assert "精工机械股份有限公司" in text_of(pdf)
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
    rows = images.stdout.decode().splitlines()[2:]  # after the two header lines
    assert [row.split()[2] for row in rows] == ["image", "smask"]  # the logo and its alpha


def test_documents_read_in_a_fixed_number_of_queries(four_tier, sales, staff):
    small = approve(file_visit(sales, four_tier["vip"]), staff)
    many = [{"name": f"访客{i}", "title": "工程师"} for i in range(10)]
    large = approve(file_visit(sales, four_tier["vip"], visitors=many, headcount=10), staff)
    for i in range(5):
        ItineraryItem.objects.create(
            visit=large, starts_at=large.arrival_at, title=f"安排{i}", responsible=staff.gm
        )

    def queries(visit, render):
        with CaptureQueriesContext(connection) as ctx:
            render(visit=visit, language="en")
        return len(ctx.captured_queries)

    for render in (visitor_information_pdf, application_form_pdf):
        assert queries(small, render) == queries(large, render) <= 12


def test_nothing_is_fetched_from_the_network():
    fetcher = documents._local_only_fetcher()
    for url in ("http://example.com/logo.png", "https://example.com/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_attachment_is_a_named_pdf(approved_visit):
    filename, content, mimetype = visitor_information_attachment(
        visit=approved_visit, language="zh-hans"
    )
    assert filename == f"{approved_visit.reference}-visitor-information.pdf"
    assert content.startswith(b"%PDF") and mimetype == "application/pdf"


# ---- downloading ------------------------------------------------------------------------------


def urls(visit):
    return [
        reverse("visits:visitor_information_pdf", args=[visit.pk]),
        reverse("visits:application_form_pdf", args=[visit.pk]),
    ]


def test_the_applicant_downloads_both_documents_inline(approved_visit, sales, login):
    browser = login(sales)
    kinds = ["visitor-information", "application-form"]
    for url, kind in zip(urls(approved_visit), kinds, strict=True):
        response = browser.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="{approved_visit.reference}-{kind}.pdf"'
        )
        assert "no-store" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF")


def test_the_documents_speak_the_readers_language_unless_asked_otherwise(
    approved_visit, sales, login
):
    sales.language = "zh-hans"
    sales.save()
    browser = login(sales)
    url = urls(approved_visit)[0]
    assert "贵宾级" in text_of(browser.get(url).content)
    assert "VIP" in text_of(browser.get(url, {"lang": "en"}).content)


def test_another_sales_user_cannot_download_a_visit_outside_their_scope(
    approved_visit, other_sales, login
):
    browser = login(other_sales)
    for url in urls(approved_visit):
        assert browser.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(approved_visit, client):
    for url in urls(approved_visit):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_visit_page_links_to_both_documents(approved_visit, sales, login):
    page = login(sales).get(reverse("visits:detail", args=[approved_visit.pk])).content.decode()
    for url in urls(approved_visit):
        assert f'href="{url}"' in page


def test_the_application_form_lists_the_itinerary_steps(approved_visit):
    text = text_of(application_form_pdf(visit=approved_visit, language="en"))
    assert "Welcome into the meeting room" in text and "Send-off" in text
