from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from reception import roles
from visits.models import VisitStatus
from visits.services import changes

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


@register.inclusion_tag("visits/_status_badge.html")
def status_badge(visit):
    return {"label": visit.get_status_display(), "css": STATUS_CLASSES.get(visit.status, "")}


@register.inclusion_tag("visits/_grade_badge.html")
def grade_badge(visit):
    return {"grade": visit.grade, "final": bool(visit.final_grade_id)}


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
        "reason": visit.late_reason or "—"
    }


@register.filter
def field_labels(fields):
    return [str(changes.field_label(f)) for f in fields or []]


@register.filter
def role_label(code):
    """A role (group name) in the reader's language."""
    return roles.role_label(code)


@register.filter
def minutes_since(moment):
    """Whole minutes from `moment` until now."""
    return max(int((timezone.now() - moment).total_seconds() // 60), 0) if moment else 0
