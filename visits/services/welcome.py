"""The lobby welcome screen: today's welcome lines and the displays' secret URLs."""

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from reception.models import ReceptionPolicy

from ..models import (
    Service,
    VisitRequest,
    VisitStatus,
    WelcomeDisplay,
)
from ..models.desk import new_display_token


def rotate_display_secret(display: WelcomeDisplay) -> WelcomeDisplay:
    """A new secret URL for the display; the old one answers 404 from now on."""
    display.token = new_display_token()
    display.rotated_at = timezone.now()
    display.save(update_fields=["token", "rotated_at"])
    return display


def welcome_lines(day: date | None = None, *, site_id: int | None = None) -> list[dict[str, Any]]:
    """Today's welcome messages: visits that asked for the banner and are expected today or
    on site now (guests who came early count). Plain text; templates escape it. site_id: a
    lobby's screen welcomes its site's visitors only (None: every site's)."""
    day = day or timezone.localdate()
    policy = ReceptionPolicy.get()
    expected_today = Q(
        status=VisitStatus.APPROVED, arrival_at__date__lte=day, departure_at__date__gte=day
    )
    visits = (
        VisitRequest.objects.filter(expected_today | Q(status=VisitStatus.IN_PROGRESS))
        .filter(Q(site_id=site_id) if site_id is not None else Q())
        .select_related("client")
        .order_by("arrival_at")
    )
    lines = []
    for visit in visits:
        if not visit.wants(Service.WELCOME_BANNER):
            continue
        client = visit.client
        if client is None:  # a draft has none; drafts are not expected
            continue
        zh = visit.banner_text or policy.welcome_line.replace("{client}", client.name)
        en = visit.banner_text_en or policy.welcome_line_en.replace(
            "{client}", client.name_en or client.name
        )
        lines.append({"visit": visit, "zh": zh, "en": en})
    return lines
