"""Printed badges: one page per visitor, in a size of the policy's (BadgeFormat), with name,
company, host, date, site, the grade's colour and the pass's QR."""

from django.template.loader import render_to_string
from django.utils import timezone

from ..documents import html_to_pdf
from ..models import BadgeFormat, GradeColour, Visitor, VisitRequest
from . import passes

# When the policy has no sizes yet: the ID-card size (ISO/IEC 7810 ID-1).
FALLBACK = BadgeFormat(code="card", name="胸卡", name_en="Card", width_mm=86, height_mm=54)
FALLBACK_COLOUR = "#6c757d"


def default_size() -> BadgeFormat:
    return BadgeFormat.objects.first() or FALLBACK


def grade_colour(visit: VisitRequest) -> str:
    grade = visit.grade
    if grade is None:
        return FALLBACK_COLOUR
    row = GradeColour.objects.filter(grade=grade).first()
    return row.colour if row else FALLBACK_COLOUR


def badges_html(
    *, visit: VisitRequest, visitors: list[Visitor], size: BadgeFormat | None = None
) -> str:
    size = size or default_size()
    live = passes.passes_for(visit)
    day = timezone.localtime(visit.arrival_at).date() if visit.arrival_at else None
    cards = [
        {"visitor": v, "pass": live[v.pk], "qr": passes.qr_data_uri(live[v.pk], scale=8)}
        for v in visitors
        if v.pk in live
    ]
    return render_to_string(
        "visits/documents/badges.html",
        {
            "visit": visit,
            "cards": cards,
            "size": size,
            "colour": grade_colour(visit),
            "day": day,
            # the QR's side: most of the badge's height, less the margins
            "qr_mm": max(20, min(size.height_mm - 14, size.width_mm // 2)),
        },
    )


def badges_pdf(
    *, visit: VisitRequest, visitors: list[Visitor], size: BadgeFormat | None = None
) -> bytes:
    return html_to_pdf(badges_html(visit=visit, visitors=visitors, size=size))
