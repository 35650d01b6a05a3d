import unicodedata

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reception.accounts import roles
from reception.organisation import selectors as reception_selectors
from visits import quantities, selectors
from visits.models import VisitStatus, mask_phone
from visits.services import changes, estimate

register = template.Library()

STATUS_CLASSES = {
    VisitStatus.DRAFT: "text-bg-light border",
    VisitStatus.SUBMITTED: "text-bg-info",
    VisitStatus.IN_APPROVAL: "text-bg-primary",
    VisitStatus.APPROVED: "text-bg-success",
    VisitStatus.IN_PROGRESS: "text-bg-warning",
    VisitStatus.COMPLETED: "text-bg-secondary",
    VisitStatus.CLOSED: "text-bg-dark",
    VisitStatus.RETURNED: "text-bg-danger",
    VisitStatus.REJECTED: "text-bg-danger",
    VisitStatus.CANCELLED: "text-bg-dark",
}


@register.simple_tag
def rooms_nights(rooms, nights):
    """ "1 room × 2 nights", each noun in its number's form."""
    return str(quantities.rooms_nights(rooms or 0, nights or 0))


# The badges and the readiness bar appear on every row of the lists, the board and the
# queue: written here rather than as included templates, which cost twice as much. Measured
# 2026-12-07 against the templates they replaced (tests/visits/test_badges.py keeps them),
# in turns on one process, the least of 20: 1.2–4.3 ms saved on the visit lists, 2.5 on the
# preparation overview, 2.3 on the board; within the noise elsewhere.


@register.simple_tag
def status_badge(visit):
    return format_html(
        '<span class="badge {}">{}</span>',
        STATUS_CLASSES.get(visit.status, ""),
        visit.get_status_display(),
    )


@register.simple_tag
def grade_badge(visit):
    """The grade that applies; a proposed one (not yet fixed by marketing) is pale, with "?"."""
    grade = visit.grade
    if not grade:
        return mark_safe('<span class="text-body-secondary">—</span>')
    if visit.final_grade_id:
        return format_html(
            '<span class="badge rounded-pill text-bg-warning" title="{}">{}</span>',
            _("Final grade"),
            grade.label,
        )
    return format_html(
        '<span class="badge rounded-pill text-bg-light border" title="{}">{} ?</span>',
        _("Proposed grade, not yet fixed by marketing"),
        grade.label,
    )


@register.simple_tag
def readiness_bar(readiness, overdue=0):
    """Done share of the live preparation tasks as a bar: green when all are done, red when
    some are overdue, amber under half."""
    if readiness is None:
        return format_html('<span class="small text-body-secondary">{}</span>', _("no tasks"))
    if readiness == 100:
        colour = "bg-success"
    elif overdue:
        colour = "bg-danger"
    elif readiness < 50:
        colour = "bg-warning"
    else:
        colour = ""
    return format_html(
        '\n<div class="d-flex align-items-center gap-2">\n'
        '  <div class="progress flex-grow-1 readiness-progress" role="progressbar"'
        ' aria-label="{}" aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100">\n'
        '    <div class="progress-bar {} pct-{}"></div>\n'
        "  </div>\n"
        '  <span class="small fw-semibold text-nowrap">{}%</span>\n'
        "</div>",
        _("Readiness"),
        readiness,
        colour,
        readiness,
        readiness,
    )


@register.filter
def status_label(code):
    return VisitStatus(code).label if code in VisitStatus.values else code


@register.filter
def change_field(change):
    return changes.field_label(change["field"])


@register.filter
def change_old(change):
    return changes.render_value(change["field"], change["old"])


@register.filter
def change_new(change):
    return changes.render_value(change["field"], change["new"])


@register.simple_tag
def late_title(visit):
    return _("Filed fewer days before arrival than the policy asks. Reason: %(reason)s") % {
        "reason": visit.shown_late_reason or "—"
    }


@register.filter
def field_labels(fields):
    return [str(changes.field_label(f)) for f in fields or []]


@register.filter
def phone_shown(phone, in_full):
    """The phone number in full if the reader may see it (rule visits.see_phones or
    visits.see_walk_in_phone, asked by the template), else masked: 138****1234."""
    return phone if in_full else mask_phone(phone)


# ---- printed documents: long texts cut to a page budget ------------------------------------


@register.filter
def excerpt(value, limit=400):
    """A text for a printed document: at most `limit` characters and one line per 50 of
    them; a cut text says the whole of it is on the visit's web page."""
    text, limit = str(value or "").strip(), int(limit)
    lines = text.splitlines()
    max_lines = max(1, limit // 50)
    if len(lines) <= max_lines and len(text) <= limit:
        return text
    short = "\n".join(lines[:max_lines])[:limit].rstrip()
    return f"{short} … " + _("(cut: the whole text is on the visit's web page)")


@register.filter
def clip(value, width=40):
    """A one-line text for a printed table cell, cut with … beyond `width` columns (a Chinese
    character takes two, as on paper)."""
    text, width = " ".join(str(value or "").split()), int(width)
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in "WF" else 1
        if used > width:
            return text[: max(index - 1, 0)].rstrip() + "…"
    return text


@register.filter
def as_list(items):
    """Items one after the other as the reader's language lists them: "a, b" in English,
    "甲、乙" in Chinese."""
    return pgettext("list separator", ", ").join(str(item) for item in items if item)


@register.filter
def in_brackets(text):
    """A remark in brackets after what it is about, full-width in Chinese: " (head)" with its
    space in English, "（负责人）" without in Chinese."""
    return pgettext("brackets around a remark", " (%(text)s)") % {"text": text}


@register.filter
def colon(label):
    """A label followed by the reader's colon: "Main host: ", "主陪："."""
    return pgettext("after a label", "%(label)s: ") % {"label": label}


@register.filter
def role_label(code):
    """A role (group name) in the reader's language."""
    return roles.role_label(code)


@register.filter
def staff_label(user):
    """'张伟 · 营销部 · 营业员': the name with the department and the title (or role)."""
    return reception_selectors.staff_label(user) if user else ""


@register.filter
def minutes_since(moment):
    """Whole minutes from `moment` until now."""
    return max(int((timezone.now() - moment).total_seconds() // 60), 0) if moment else 0


@register.inclusion_tag("visits/_estimate_table.html")
def estimate_table(visit):
    """What the visit should cost by its grade's standard: meals, wine, cigarettes, hotel, car."""
    return {"visit": visit, "estimate": estimate.estimate(visit)}


@register.filter
def card_version(visit):
    """What a decision card shows of its visit and of other rows, in one key part of its kept
    fragments (selectors.decision_card_version)."""
    return selectors.decision_card_version(visit)


@register.inclusion_tag("visits/_decision_facts.html")
def decision_facts(visit):
    """What a manager needs to decide without opening the request: the visitors, the services,
    meals and rooms, each beside what the grade's standard allows; line by line where the
    request goes over that standard; the client's last visits. The caller prefetches
    `visit__visitors` and selects the grades' standards; the queue reads the rest for the
    whole page (selectors.prepare_decision_cards, through approvals.cards), a card swapped in
    alone reads its own."""
    grade = visit.grade
    if not hasattr(visit, "client_history"):
        selectors.prepare_decision_cards([visit])
    return {
        "visit": visit,
        "standard": getattr(grade, "standard", None) if grade else None,
        "over": visit.over_standard,
        "history": visit.client_history,
    }
