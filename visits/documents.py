"""The visit's printable documents, rendered with WeasyPrint:

- the visitor information sheet (来访人员信息表, seed 000), which reception and every
  department prepare from;
- the reception application form (接待申请表, seed 001), the paper form of the rulebook
  with its boxes ticked from the request and its signature boxes filled from the approvals.

Stable API (the receptionist's T−2 reminder attaches the first document):

    visitor_information_pdf(*, visit, language, reader=None) -> bytes
    application_form_pdf(*, visit, language, reader=None) -> bytes
    document_filename(*, visit, kind) -> str
    visitor_information_attachment(*, visit, language, reader=None)
        -> (filename, bytes, "application/pdf")
    document_variant(*, visit, language, reader=None) -> tuple
    warm_up() -> float | None          (when a worker starts: loads the renderer and fonts)

`visitor_information_attachment` is what an email needs:
`message.attach(*visitor_information_attachment(...))`. `document_variant` is what a document
depends on (the visit and its version, the language, whether phones are shown): callers that
send one visit's document to many readers render it once per variant.

`visit` is a VisitRequest (only its pk is used: everything the documents show is fetched
afresh in a fixed number of queries); `language` is a language code such as "zh-hans" or
"en" (unsupported codes fall back to settings.LANGUAGE_CODE); `reader` is the user the
document is for: visitors' and contacts' phone numbers are shown in full only if the rule
visits.see_phones lets them see them, masked otherwise (and when no reader is given). Safe to
call outside a request, e.g. from a Celery task.

Fonts come from fontconfig: Noto Sans CJK SC, regular and a real bold (Debian
`fonts-noto-cjk`), embedded and subset by HarfBuzz (`libharfbuzz-subset0`; without it
WeasyPrint falls back to fontTools and a page takes seconds). One family only: each font
embedded costs a subsetting pass of a large CJK font. Nothing is fetched from the network: the
logo is inlined as a data: URL and the URL fetcher refuses anything but data: URLs and
files inside the project, static and media folders.
"""

import base64
import logging
import mimetypes
import threading
import time
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from approvals.models import ApprovalStep, StepState
from reception.models import ReceptionGrade, ReceptionPolicy

from .models import ItineraryItem, PrepStatus, PrepTask, Purpose, Service, VisitRequest

log = logging.getLogger(__name__)

VISITOR_INFORMATION = "visitor-information"
APPLICATION_FORM = "application-form"

# The purpose boxes of the paper form (seed 001), in its order. Purposes the form has no
# box for (audits, technical discussion) tick "Other" and are named beside it.
FORM_PURPOSES = [
    Purpose.INSPECTION,
    Purpose.TOUR,
    Purpose.CONTRACT_SIGNING,
    Purpose.COOPERATION,
    Purpose.DROP_BY,
    Purpose.SIGHTSEEING,
]
TICKED, UNTICKED = "■", "□"  # boxes, as on the paper form; both are in Noto Sans CJK
CHOSEN, NOT_CHOSEN = "●", "○"  # the grade: one of several


# ---- public API ---------------------------------------------------------------------------


def visitor_information_pdf(*, visit: VisitRequest, language: str, reader=None) -> bytes:
    """The visitor information sheet of this visit, as PDF bytes, in `language`."""
    return _render(
        "visits/documents/visitor_information.html", visit=visit, language=language, reader=reader
    )


def application_form_pdf(*, visit: VisitRequest, language: str, reader=None) -> bytes:
    """The reception application form of this visit, as PDF bytes, in `language`."""
    return _render(
        "visits/documents/application_form.html", visit=visit, language=language, reader=reader
    )


def visitor_information_attachment(*, visit: VisitRequest, language: str, reader=None) -> tuple:
    """(filename, content, mimetype) for EmailMessage.attach(), e.g. in the T−2 reminder."""
    return (
        document_filename(visit=visit, kind=VISITOR_INFORMATION),
        visitor_information_pdf(visit=visit, language=language, reader=reader),
        "application/pdf",
    )


def document_variant(*, visit: VisitRequest, language: str, reader=None) -> tuple:
    """What tells two renderings of a visit's document apart, besides the moment printed on it:
    the visit and its version (updated_at), the language, and whether the reader sees phone
    numbers. The version is the visit row's, and its tasks and itinerary change without it:
    keep a rendering for a short while only (one reminder sweep, which sends a visit's
    reminders one after the other)."""
    shows_phones = reader is not None and reader.has_perm("visits.see_phones", visit)
    return (visit.pk, visit.updated_at, _language(language), shows_phones)


def document_filename(*, visit: VisitRequest, kind: str) -> str:
    """E.g. "JD-2026-00001-visitor-information.pdf" (ASCII, safe in every mail client)."""
    return f"{visit.reference or f'visit-{visit.pk}'}-{kind}.pdf"


# ---- what the documents show, in a fixed number of queries -------------------------------


def load_visit(pk: int) -> VisitRequest:
    """The visit with everything the documents show: nine queries, whatever its size."""
    return (
        VisitRequest.objects.select_related(  # type: ignore[type-var]  # Prefetch of mixed models
            "client",
            "site",
            "applicant",
            "main_host",
            "receptionist",
            "proposed_grade__standard__main_host_role",
            "final_grade__standard__main_host_role",
        )
        .prefetch_related(
            "visitors",
            "contacts",
            "accompanying_staff",
            "proposed_grade__standard__extras",
            "final_grade__standard__extras",
            Prefetch(
                "prep_tasks",
                queryset=PrepTask.objects.select_related(
                    "department__head", "assignee", "done_by", "template"
                ).order_by("department__code", "due_date", "pk"),
            ),
            Prefetch(
                "approval_steps",
                queryset=ApprovalStep.objects.select_related(
                    "role", "user", "decided_by", "grade_after"
                ).order_by("round", "position"),
            ),
            Prefetch(
                "itinerary",
                queryset=ItineraryItem.objects.select_related("responsible").order_by(
                    "starts_at", "pk"
                ),
            ),
        )
        .get(pk=pk)
    )


@dataclass
class Box:
    """One box of a form: its label, whether it is ticked, and what is written beside it."""

    label: str
    ticked: bool
    note: str = ""
    round: bool = False
    code: str = ""

    @property
    def mark(self) -> str:
        if self.round:
            return CHOSEN if self.ticked else NOT_CHOSEN
        return TICKED if self.ticked else UNTICKED


def purpose_boxes(visit: VisitRequest) -> list[Box]:
    boxes = [Box(str(p.label), p in visit.purposes) for p in FORM_PURPOSES]
    beyond = [
        str(Purpose(p).label)
        for p in visit.purposes
        if p in Purpose.values and p not in FORM_PURPOSES and p != Purpose.OTHER
    ]
    notes = [*beyond, *([visit.purpose_other] if visit.purpose_other else [])]
    ticked = bool(beyond) or Purpose.OTHER in visit.purposes
    boxes.append(Box(str(Purpose.OTHER.label), ticked, "; ".join(notes)))
    return boxes


def service_boxes(visit: VisitRequest) -> list[Box]:
    notes = {
        Service.WELCOME_BANNER: visit.banner_text,
        Service.OTHER: visit.service_other,
    }
    return [
        Box(
            str(s.label),
            s in visit.services,
            notes.get(s, "") if s in visit.services else "",
            code=s.value,
        )
        for s in Service
    ]


def grade_boxes(visit: VisitRequest, grades: list[ReceptionGrade]) -> list[Box]:
    chosen = visit.grade.pk if visit.grade else None
    if visit.grade and chosen not in {g.pk for g in grades}:
        grades = [*grades, visit.grade]  # a grade of a scheme no longer in use
    return [Box(g.label, g.pk == chosen, round=True) for g in grades]


def task_departments(tasks: list[PrepTask]) -> list[dict]:
    """Live tasks grouped by department, each with its owner: the assignee, else the head."""
    live = [t for t in tasks if t.status != PrepStatus.CANCELLED]
    groups = []
    for department, items in groupby(live, key=lambda t: t.department):
        rows = [
            {
                "task": t,
                "owner": t.assignee or department.head,
                "owner_is_head": t.assignee is None and department.head is not None,
            }
            for t in items
        ]
        groups.append({"department": department, "rows": rows})
    return groups


def approval_steps(visit: VisitRequest) -> list[ApprovalStep]:
    """The steps of the latest approval round."""
    steps = list(visit.approval_steps.all())
    last = max((s.round for s in steps), default=None)
    return [s for s in steps if s.round == last]


def _logo_data_url(policy: ReceptionPolicy) -> str:
    """The company logo inlined, so nothing is fetched (works with any file storage)."""
    if not policy.logo:
        return ""
    try:
        with policy.logo.open("rb") as logo:
            data = logo.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(policy.logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def document_context(visit: VisitRequest) -> dict:
    """Everything both templates show. Call it with the language already active."""
    visit = load_visit(visit.pk)
    policy = ReceptionPolicy.objects.filter(pk=1).first() or ReceptionPolicy()
    grades = list(
        ReceptionGrade.objects.filter(active=True, scheme_id=policy.scheme_id).order_by("rank")
    )
    tasks = list(visit.prep_tasks.all())
    steps = approval_steps(visit)
    signing = [s for s in steps if s.state != StepState.SKIPPED]  # rerouted steps sign nothing
    grade = visit.grade
    return {
        "visit": visit,
        "policy": policy,
        "logo": _logo_data_url(policy),
        "grade": grade,
        "standard": getattr(grade, "standard", None) if grade else None,
        "visitors": list(visit.visitors.all()),
        "contacts": list(visit.contacts.all()),
        "accompanying": list(visit.accompanying_staff.all()),
        "itinerary": list(visit.itinerary.all()),
        "task_departments": task_departments(tasks),
        "tasks_cancelled": sum(1 for t in tasks if t.status == PrepStatus.CANCELLED),
        "steps": steps,
        # The paper form's two signature boxes: the marketing department's grading step gives
        # the department head's opinion; the grade's approvers sign as company leaders.
        "opinion_steps": [s for s in signing if s.grades_visit],
        "leader_steps": [s for s in signing if not s.grades_visit],
        "purpose_boxes": purpose_boxes(visit),
        "service_boxes": service_boxes(visit),
        "grade_boxes": grade_boxes(visit, grades),
        "wants": {s.value: s in visit.services for s in Service},
        "printed_at": timezone.now(),
    }


# ---- rendering ----------------------------------------------------------------------------


def _language(code: str) -> str:
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def _render(template: str, *, visit: VisitRequest, language: str, reader=None) -> bytes:
    language = _language(language)
    with translation.override(language):
        context = document_context(visit)
        context["see_phones"] = reader is not None and reader.has_perm(
            "visits.see_phones", context["visit"]
        )
        context["html_lang"] = "en" if language.startswith("en") else "zh-CN"
        context.update(PrepStatus=PrepStatus, Service=Service)  # compared in the templates
        html = render_to_string(template, context)
    return html_to_pdf(html)


def _allowed_roots() -> list[Path]:
    roots = [settings.BASE_DIR, settings.MEDIA_ROOT, settings.STATIC_ROOT]
    roots += [Path(d) for d in getattr(settings, "STATICFILES_DIRS", [])]
    return [Path(r).resolve() for r in roots]


def _local_only_fetcher():
    from weasyprint.urls import URLFetcher  # local: loads Pango (~1 s), paid when printing

    class LocalOnlyFetcher(URLFetcher):
        """data: URLs and files of the project only: a document never reaches the network."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if any(path.is_relative_to(root) for root in _allowed_roots()):
                    return super().fetch(url, headers)
            raise ValueError(f"documents fetch nothing from outside the project: {url}")

    return LocalOnlyFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


_fonts = threading.local()


def _font_config():
    """One fontconfig set-up per thread, kept: loading it anew is a cost on every document.
    Safe because the documents declare no @font-face; fonts installed later are seen after
    a restart."""
    from weasyprint.text.fonts import (
        FontConfiguration,  # local: loads Pango (~1 s), paid when printing
    )

    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return _fonts.config


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint, imported here so that pages which never print do not pay for it."""
    from weasyprint import HTML  # local: loads Pango (~1 s), paid when printing

    base_url = Path(settings.BASE_DIR).resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=_local_only_fetcher())
    return document.write_pdf(font_config=_font_config())


# The documents' font, regular and bold, in a page small enough to render in no time once
# everything is loaded.
WARM_UP_HTML = (
    '<html lang="zh-CN"><body style="font-family: \'Noto Sans CJK SC\', sans-serif">'
    "<p>来访人员信息表 Visitor information <b>接待申请表</b></p></body></html>"
)


def warm_up() -> float | None:
    """Render a tiny document once, so that this process's first real one does not pay for
    loading WeasyPrint, Pango and the CJK fonts (a cold process took 7.5 s for the first
    visitor information sheet and 3.8 s for the next on the shared 2-core machine; warmed, the
    first took 3.8 s too). Called when a gunicorn worker (gunicorn.conf.py) or a Celery worker
    process (config/celery.py) starts, in the thread that then serves. Off with
    WARM_UP_DOCUMENTS=0. Never raises: a worker whose printing is broken still serves pages.
    Returns the seconds it took, or None when off or failed."""
    if not settings.WARM_UP_DOCUMENTS:
        return None
    started = time.perf_counter()
    try:
        html_to_pdf(WARM_UP_HTML)
    except Exception:
        log.exception("Warming up the PDF renderer failed; the first document will be slow")
        return None
    seconds = time.perf_counter() - started
    log.info("PDF renderer warmed up in %.1f s", seconds)
    return seconds
