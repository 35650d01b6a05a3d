"""The documents stay within a page budget for the worst input the forms allow: long texts
are cut in the PDF with a pointer to the web page, where they are whole."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from pypdf import PdfReader

from approvals.models import StepState
from approvals.services import decide
from tests.factories import file_visit
from tests.visits.test_documents import text_of
from visits.documents import application_form_pdf, visitor_information_pdf
from visits.forms.itinerary import ItineraryFormSet
from visits.forms.requests import VisitorFormSet
from visits.models import ItineraryItem, ProcedureStep, Visitor, VisitRequest

pytestmark = pytest.mark.django_db

# Pages for the longest texts and the most visitors the forms take; with the longest
# itinerary on top (60 items, every text at its longest), four more: the itinerary's texts
# wrap to about two lines of their cells before they are cut, where they were cut at one.
PAGE_BUDGET = 6
PAGE_BUDGET_WITH_ITINERARY = 10


def longest(field_owner, name, pattern="长文本\n"):
    """As much text as the field takes, in short lines (the worst case for pages)."""
    limit = field_owner._meta.get_field(name).max_length
    return (pattern * limit)[:limit]


def line(model, name, char="宽"):
    return char * model._meta.get_field(name).max_length


@pytest.fixture
def worst_visit(four_tier, sales, staff):
    rows = VisitorFormSet().max_num
    visitors = [
        {
            "name": line(Visitor, "name"),
            "title": line(Visitor, "title"),
            "phone": "+" + "1" * 19,  # the longest the phone rule allows
            "notes": line(Visitor, "notes"),
        }
        for _ in range(rows)
    ]
    visit = file_visit(
        sales,
        four_tier["vip"],
        visitors=visitors,
        headcount=rows,
        notes=longest(VisitRequest, "notes"),
        reason=longest(VisitRequest, "reason"),
        late_reason=longest(VisitRequest, "late_reason"),
        purpose_other=line(VisitRequest, "purpose_other"),
        purposes=["inspection", "other"],
        services=["car", "welcome_banner", "other"],
        banner_text=line(VisitRequest, "banner_text"),
        service_other=line(VisitRequest, "service_other"),
        arrival_point=line(VisitRequest, "arrival_point"),
        meeting_room=line(VisitRequest, "meeting_room"),
    )
    comment = "意见\n" * 333
    for approver in (staff.marketing, staff.gm, staff.director):
        step = visit.approval_steps.get(state=StepState.PENDING)
        decide(step=step, by=approver, decision=StepState.APPROVED, comment=comment[:1000])
    visit.refresh_from_db()
    return visit


@pytest.fixture
def worst_visit_with_itinerary(worst_visit):
    """…and the longest itinerary the editor takes, every text at its longest."""
    visit = worst_visit
    visit.itinerary.all().delete()
    ItineraryItem.objects.bulk_create(
        ItineraryItem(
            visit=visit,
            step=ProcedureStep.OTHER,
            starts_at=visit.arrival_at + timedelta(minutes=10 * i),
            title=line(ItineraryItem, "title"),
            place=line(ItineraryItem, "place"),
            notes=line(ItineraryItem, "notes"),
        )
        for i in range(ItineraryFormSet().max_num)
    )
    return visit


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


BOTH = pytest.mark.parametrize("render", [visitor_information_pdf, application_form_pdf])


@BOTH
def test_the_longest_notes_and_the_most_visitors_stay_within_the_page_budget(render, worst_visit):
    assert pages(render(visit=worst_visit, language="zh-hans")) <= PAGE_BUDGET


@BOTH
def test_with_the_longest_itinerary_too_the_document_stays_within_its_budget(
    render, worst_visit_with_itinerary
):
    pdf = render(visit=worst_visit_with_itinerary, language="zh-hans")
    assert pages(pdf) <= PAGE_BUDGET_WITH_ITINERARY


def test_a_cut_note_points_to_the_web_page_where_it_is_whole(worst_visit, login, sales):
    text = text_of(visitor_information_pdf(visit=worst_visit, language="en"))
    assert "(cut: the whole text is on the visit's web page)" in text
    page = login(sales).get(reverse("visits:detail", args=[worst_visit.pk])).content.decode()
    assert page.count("长文本") >= VisitRequest._meta.get_field("notes").max_length // 4
