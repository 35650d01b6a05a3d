"""Who is told what about a visit request. Texts are rendered in each recipient's language."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from approvals.card_actions import buttons_for
from approvals.links import step_link
from approvals.models import EscalationReason, StepState
from approvals.services import approvers_of
from reception.accounts.roles import Role
from reception.models import Site
from reception.notifications.notify import Lines, Msg, notify
from reception.organisation.selectors import users_with_role

from .. import links
from ..models import (
    ExpenseApprovalState,
    ExpenseCategory,
    ExportJob,
    ExportKind,
    ExportStatus,
    VisitRequest,
)


class Kind(models.TextChoices):
    """What a notification is about (Notification.kind); reminders add `reminder_<kind>`."""

    APPROVAL_WAITING = "approval_waiting", _("A step waits for a decision")
    APPROVAL_ESCALATED = "approval_escalated", _("A step was escalated")
    APPROVAL_OVERDUE = "approval_overdue", _("A step waits too long")
    STEP_APPROVED = "step_approved", _("A step was approved")
    STEP_RETURNED = "step_returned", _("A step was returned")
    STEP_REJECTED = "step_rejected", _("A step was rejected")
    VISIT_APPROVED = "visit_approved", _("Visit approved")
    VISIT_CANCELLED = "visit_cancelled", _("Visit cancelled")
    VISIT_CHANGED = "visit_changed", _("Visit changed")
    VISIT_CLOSED = "visit_closed", _("Visit closed")
    GUESTS_ARRIVED = "guests_arrived", _("Guests arrived")
    WALK_IN = "walk_in", _("Walk-in at the gate")
    WALK_IN_DECIDED = "walk_in_decided", _("Walk-in decided")
    WALK_IN_UNANSWERED = "walk_in_unanswered", _("Walk-in not answered")
    TASKS = "tasks", _("Preparation tasks")
    TASK_ASSIGNED = "task_assigned", _("Task assigned")
    EXPENSE_APPROVAL = "expense_approval", _("An expense over the standard waits for a decision")
    EXPENSE_DECIDED = "expense_decided", _("An expense over the standard was decided")
    FOLLOW_UP = "follow_up", _("Follow-up action")
    EXPORT_READY = "export_ready", _("Export ready")
    EXPORT_FAILED = "export_failed", _("Export failed")

    @classmethod
    def for_step(cls, state: str) -> "Kind":
        return cls(f"step_{state}")

    @staticmethod
    def for_reminder(kind: str) -> str:
        return f"reminder_{kind}"


def _url(visit: VisitRequest) -> str:
    return reverse("visits:detail", args=[visit.pk])


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _client(visit: VisitRequest):
    return lambda: visit.client.label if visit.client is not None else "—"


def site_line(site) -> Msg:
    """Where: the site and its address, in the reader's language."""
    if site.address or site.address_en:
        return Msg(
            _("Site: %(site)s, %(address)s"),
            site=lambda: site.label,
            address=lambda: site.localized("address"),
        )
    return Msg(_("Site: %(site)s"), site=lambda: site.label)


def site_lines(site) -> list[Msg]:
    """The site and its address, as a line of a message, when the company has several sites
    (a one-site company's messages stay as they were)."""
    if site is None or Site.objects.count() < 2:
        return []
    return [site_line(site)]


def with_site(site, body: Msg | Lines | None) -> Msg | Lines | None:
    """The body, and below it the site's line when the company has several sites."""
    extra = site_lines(site)
    if not extra:
        return body
    lines = [] if body is None else body.items if isinstance(body, Lines) else [body]
    return Lines([*lines, *extra])


def receptionists_of(visit: VisitRequest) -> list:
    """The visit's assigned receptionist, or until one is, every customer receptionist of the
    visit's site (and those working at every site)."""
    if visit.receptionist_id:
        return [visit.receptionist]
    return list(users_with_role(Role.RECEPTIONIST, site_id=visit.site_id))


def step_waiting(step, approvers) -> None:
    visit = step.subject
    notify(
        approvers,
        kind=Kind.APPROVAL_WAITING,
        title=Msg(
            _("%(ref)s waits for your decision: %(step)s"),
            ref=visit.reference,
            step=lambda: step.label,
        ),
        body=Lines(
            [
                Msg(
                    _("%(client)s, arriving %(arrival)s, %(grade)s. Filed by %(applicant)s."),
                    client=_client(visit),
                    arrival=_when(visit.arrival_at),
                    grade=lambda: visit.grade.label if visit.grade else "—",
                    applicant=visit.applicant,
                ),
                Msg(
                    ngettext_lazy("%(count)s visitor.", "%(count)s visitors.", "count"),
                    count=visit.headcount,
                ),
                *(
                    [Msg(_("Filed late: %(reason)s"), reason=visit.late_reason_param or "—")]
                    if visit.late
                    else []
                ),
                *site_lines(visit.site),
            ]
        ),
        # the decision card itself while it waits for them (approvals:step resolves it)
        url=step_link(step),
        buttons=buttons_for(step),  # decide on the card where the platform allows it
    )


def step_escalated(step, people, reason) -> None:
    visit = step.subject
    notify(
        people,
        kind=Kind.APPROVAL_ESCALATED,
        title=Msg(
            _("%(ref)s: “%(step)s” escalated to you (%(why)s)"),
            ref=visit.reference,
            step=lambda: step.label,
            why=EscalationReason(reason).label,
        ),
        body=Msg(
            _(
                "%(client)s, arriving %(arrival)s. Its approvers: %(approvers)s. Filed by "
                "%(applicant)s. You may decide it."
            ),
            client=_client(visit),
            arrival=_when(visit.arrival_at),
            approvers=lambda: step.approver_label,
            applicant=visit.applicant,
        ),
        # the card in their queue; administrators decide escalated steps on the oversight
        # page, with a reason (approvals:step resolves which)
        url=step_link(step),
    )


def step_overdue(step, approvers, hours) -> None:
    visit = step.subject
    notify(
        approvers,
        kind=Kind.APPROVAL_OVERDUE,
        title=Msg(
            ngettext_lazy(
                "Reminder: %(ref)s has waited %(hours)s working hour for “%(step)s”",
                "Reminder: %(ref)s has waited %(hours)s working hours for “%(step)s”",
                "hours",
            ),
            ref=visit.reference,
            hours=int(hours),
            step=lambda: step.label,
        ),
        body=Msg(
            _("%(client)s, arriving %(arrival)s. Filed by %(applicant)s."),
            client=_client(visit),
            arrival=_when(visit.arrival_at),
            applicant=visit.applicant,
        ),
        url=step_link(step),
    )


def step_decided(step) -> None:
    visit = step.subject
    notify(
        [visit.applicant],
        kind=Kind.for_step(step.state),
        title=Msg(
            _("%(ref)s: “%(step)s” — %(decision)s by %(user)s"),
            ref=visit.reference,
            step=lambda: step.label,
            decision=StepState(step.state).label,  # by its code: rendered for the reader
            user=step.decided_by,
        ),
        body=Msg(_("Comment: %(comment)s"), comment=step.comment) if step.comment else None,
        url=_url(visit),
    )


def approved(visit: VisitRequest) -> None:
    notify(
        [*receptionists_of(visit), visit.main_host],
        kind=Kind.VISIT_APPROVED,
        title=Msg(
            _("%(ref)s approved: %(client)s arrives %(arrival)s"),
            ref=visit.reference,
            client=_client(visit),
            arrival=_when(visit.arrival_at),
        ),
        body=with_site(
            visit.site,
            Msg(
                ngettext_lazy(
                    "Grade %(grade)s, %(count)s visitor, main host %(host)s.",
                    "Grade %(grade)s, %(count)s visitors, main host %(host)s.",
                    "count",
                ),
                grade=lambda: visit.grade.label if visit.grade else "—",
                count=visit.headcount,
                host=visit.main_host or "—",
            ),
        ),
        url=_url(visit),
    )


def involved_in(visit: VisitRequest) -> list:
    """The applicant, every approver who decided or is waiting, and the reception staff."""
    people = [visit.applicant, visit.main_host, *visit.accompanying_staff.all()]
    for step in visit.approval_steps.select_related("decided_by", "role", "user"):
        if step.decided_by:
            people.append(step.decided_by)
        elif step.state == StepState.PENDING:
            people.extend(approvers_of(step))
    if visit.approved_at:
        people.extend(receptionists_of(visit))
    return people


def cancelled(visit: VisitRequest, people, by, reason: str) -> None:
    notify(
        people,
        kind=Kind.VISIT_CANCELLED,
        title=Msg(
            _("%(ref)s cancelled by %(user)s: %(client)s will not come"),
            ref=visit.reference,
            user=by,
            client=_client(visit),
        ),
        body=with_site(visit.site, Msg(_("Reason: %(reason)s"), reason=reason)),
        url=_url(visit),
        exclude=by,
    )


def changed(visit: VisitRequest, by, lines: list[Msg]) -> None:
    notify(
        [*receptionists_of(visit), visit.main_host],
        kind=Kind.VISIT_CHANGED,
        title=Msg(_("%(ref)s changed by %(user)s"), ref=visit.reference, user=by),
        body=Lines([*lines, *site_lines(visit.site)]),
        url=_url(visit),
        exclude=by,
    )


def closed(visit: VisitRequest, by) -> None:
    notify(
        [visit.applicant, visit.main_host, *receptionists_of(visit)],
        kind=Kind.VISIT_CLOSED,
        title=Msg(_("%(ref)s closed: the work summary is in"), ref=visit.reference),
        url=_url(visit),
        exclude=by,
    )


def expense_waiting(line, approvers) -> None:
    notify(
        approvers,
        kind=Kind.EXPENSE_APPROVAL,
        title=Msg(
            _("%(ref)s: ¥%(amount)s for %(category)s is over the standard"),
            ref=line.visit.reference,
            amount=line.amount,
            category=ExpenseCategory(line.category).label,
        ),
        body=Msg(_("Justification: %(why)s"), why=line.justification),
        url=reverse("visits:expenses", args=[line.visit_id]),
        exclude=line.entered_by,
    )


def expense_decided(line) -> None:
    notify(
        [line.entered_by],
        kind=Kind.EXPENSE_DECIDED,
        title=Msg(
            _("%(ref)s: ¥%(amount)s for %(category)s %(state)s"),
            ref=line.visit.reference,
            amount=line.amount,
            category=ExpenseCategory(line.category).label,
            state=ExpenseApprovalState(line.approval_state).label,
        ),
        url=reverse("visits:expenses", args=[line.visit_id]),
        exclude=line.decided_by,
    )


def follow_ups_given(visit: VisitRequest, actions, by) -> None:
    for action in actions:
        notify(
            [action.owner],
            kind=Kind.FOLLOW_UP,
            title=Msg(
                _("%(ref)s: follow-up for you by %(due)s"),
                ref=visit.reference,
                due=action.due_on.isoformat(),
            ),
            body=Msg("%(what)s", what=action.description),
            url=links.follow_up(action),
            exclude=by,
        )


def export_finished(job: ExportJob) -> None:
    """An export job's owner: its file is ready to download, or it failed."""
    done = job.status == ExportStatus.DONE
    notify(
        [job.owner],
        kind=Kind.EXPORT_READY if done else Kind.EXPORT_FAILED,
        title=Msg(
            _("Your export is ready: %(export)s") if done else _("Your export failed: %(export)s"),
            export=ExportKind(job.kind).label,
        ),
        body=Msg(
            ngettext_lazy("%(count)s row, as %(fmt)s.", "%(count)s rows, as %(fmt)s.", "count"),
            count=job.rows_done,
            fmt=job.get_fmt_display(),
        )
        if done
        else Msg(_("Nothing was written: %(error)s"), error=job.error),
        url=links.export_job(job),
    )
