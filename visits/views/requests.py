"""Visit requests: the list, the visit page, filing and editing, submitting, cancelling, and
changing the reception staff."""

import hashlib
import uuid
from collections.abc import Iterable
from itertools import groupby
from typing import cast

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView
from django_filters.views import FilterMixin, FilterView

from approvals.forms import DecisionForm
from approvals.models import StepState
from approvals.selectors import STEP_PEOPLE
from approvals.services import authority, earlier_decisions
from reception.models import ClientContact, ReceptionPolicy, User
from reception.validators import MAX_PAGE, parse_id
from reception.views import PageQueryMixin

from ..exports import listed_visits
from ..filters import VisitFilter
from ..forms.requests import (
    ReasonForm,
    StaffForm,
    VisitorFormSet,
    VisitRequestForm,
    visitor_initial,
)
from ..models import (
    ANNOUNCED_CHANGE_STATUSES,
    LEFT_STATUSES,
    SUBMITTABLE_STATUSES,
    GuestKind,
    PrepStatus,
    VisitRequest,
    VisitStatus,
)
from ..selectors import (
    attach_readiness,
    timeline,
    visible_visit,
    visible_visits,
)
from ..services import invitations, passes, preparation
from ..services import requests as services
from ..services import staff as staff_services
from ..services.lifecycle import VisitError
from .access import RuleRequiredMixin


class UncountedPage(Page):
    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)

    @property
    def is_all(self) -> bool:
        """The whole list fits on this one page (then its length is the total)."""
        return self.number == 1 and not self.more


class UncountedPaginator(Paginator):
    """Pages without a total: a page reads its rows and one more (is there a next page?), and
    nothing else. Counting every visit a general manager may see in five years of history
    costs more than the page itself; the filters reach older visits."""

    num_pages = None  # type: ignore[assignment]  # unknown ("page=last" answers 404)

    def validate_number(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        if number > MAX_PAGE:  # past the end of any list: never an OFFSET that overflows
            raise EmptyPage(self.error_messages["no_results"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return UncountedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class VisitListMixin(PermissionRequiredMixin, FilterMixin):
    """The visit list as the page shows it: the reader's scope, the list's filters, bound as
    the page binds them. The page shows it a page at a time; its CSV and .xlsx exports
    (views/reports.py) hold all of it, from this same code."""

    permission_required = "visits.view_visitrequest"
    filterset_class = VisitFilter

    def listed_visits(self):
        """django-filter's FilterView, strict: no query (the page's default state) lists every
        visit in scope; an invalid filter lists none (the form says why). The export jobs
        read the list through the same function (visits/exports.py)."""
        self.filterset, visits = listed_visits(self.request.user, self.request.GET)
        return visits


class VisitListView(VisitListMixin, PageQueryMixin, FilterView):
    template_name = "visits/visitrequest_list.html"
    paginate_by = 25
    paginator_class = UncountedPaginator

    # What a row shows (and its kept fragment's key reads), and no other column: a visit row
    # has some 60 columns, a person's and a client's 20 more each.
    ROW_FIELDS = (
        "reference", "status", "arrival_at", "headcount", "late", "late_reason",
        "late_reason_message", "approved_at", "updated_at",
        "client__name", "client__name_en",
        "applicant__full_name", "applicant__first_name", "applicant__last_name",
        "applicant__username",
        "proposed_grade__name", "proposed_grade__name_en",
        "final_grade__name", "final_grade__name_en",
    )  # fmt: skip

    def get(self, request, *args, **kwargs):  # FilterView.get, through listed_visits()
        self.object_list = (
            self.listed_visits()
            .select_related(None)
            .select_related("client", "applicant", "proposed_grade", "final_grade")
            .only(*self.ROW_FIELDS)
        )
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = context["object_list"]
        attach_readiness(rows)  # the page's rows only
        # Everything a row shows: its version and what it shows of other rows (each row's
        # kept fragment is keyed by it), and all of them together for the page's rows, kept
        # as one fragment: a page whose rows are all unchanged reads one fragment instead of
        # 25 (measured 2026-12-07, 100,000 visits: 1.5–2 ms of CPU fewer per list page).
        for visit in rows:
            grade = visit.grade
            visit.row_key = (
                visit.pk,
                visit.updated_at,
                visit.client.label if visit.client_id else None,
                str(visit.applicant) if visit.applicant_id else None,
                grade.label if grade is not None else None,
                visit.readiness,
                visit.tasks_overdue,
            )
        context["rows_key"] = hashlib.sha256(repr([v.row_key for v in rows]).encode()).hexdigest()
        return context


def name_people(*groups: tuple[Iterable, tuple[str, ...]], also: Iterable[int] = ()) -> dict:
    """Read every person the rows name (`field` from `field_id`, for each group's fields) and
    `also`, in one query; set them on the rows and answer them by pk."""
    ids: set[int | None] = set(also)
    for rows, fields in groups:
        ids.update(getattr(row, f"{field}_id") for row in rows for field in fields)
    ids.discard(None)
    people = User.objects.in_bulk(ids)
    for rows, fields in groups:
        for row in rows:
            for field in fields:
                setattr(row, field, people.get(getattr(row, f"{field}_id")))
    return people


class VisitDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "visits.view_visitrequest"
    template_name = "visits/visitrequest_detail.html"
    context_object_name = "visit"

    # Every person the page names (the visit's people, its accompanying staff, the steps',
    # itinerary's, events' and tasks' people) read in one query after their rows, which are
    # read without user joins: each join of the user table costs more to compile than the
    # query of them costs (1.2 ms against 0.5 ms of CPU, measured 2026-12-07 at 100,000
    # visits; approvals.selectors.with_people does the same for the approval queue).
    PEOPLE = ("applicant", "main_host", "receptionist", "sales_lead", "project_engineer")

    def get_object(self, queryset=None):
        visits = VisitRequest.objects.select_related(
            "client", "proposed_grade", "final_grade", "site"
        )
        return visible_visit(visits, self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit, user = self.object, self.request.user
        # Ordered on their own columns: each model's default ordering starts with the visit,
        # which joins the visit table to sort rows that all have the same visit.
        steps = list(
            visit.approval_steps.select_related("role", "grade_after", "escalated_to").order_by(
                "round", "position"
            )
        )
        # shown once the visit is approved (the template's condition)
        itinerary = (
            list(visit.itinerary.select_related("site").order_by("starts_at", "pk"))
            if visit.approved_at
            else []
        )
        events = list(visit.events.all())
        tasks = list(
            visit.prep_tasks.select_related("department").order_by(
                "department__code", "due_date", "pk"
            )
        )
        accompanying_ids = list(
            VisitRequest.accompanying_staff.through.objects.filter(
                visitrequest_id=visit.pk
            ).values_list("user_id", flat=True)
        )
        people = name_people(
            ([visit], self.PEOPLE),
            (steps, STEP_PEOPLE),
            (itinerary, ("responsible",)),
            (events, ("actor",)),
            (tasks, ("assignee", "done_by")),
            also=accompanying_ids,
        )
        accompanying = sorted(
            (people[pk] for pk in accompanying_ids if pk in people), key=lambda u: u.username
        )
        pending = next((s for s in steps if s.state == StepState.PENDING), None)
        contacts = list(visit.contacts.all())
        latest_round = max((s.round for s in steps), default=None)
        shown_steps = [s for s in steps if s.round == latest_round]
        context.update(
            visitors=list(visit.visitors.order_by("pk")),
            itinerary=itinerary,
            contacts=contacts,
            accompanying=accompanying,
            request_key=self.request_key(visit, contacts, accompanying),
            steps=shown_steps,
            approval_key=self.approval_key(shown_steps),
            pending_step=pending,
            timeline=timeline(visit, steps, events),
            standard=getattr(visit.grade, "standard", None) if visit.grade else None,
            # written only once the guests have left (services.summary)
            summary_parts=(
                list(visit.summary_parts.select_related("written_by"))
                if visit.status in LEFT_STATUSES
                else []
            ),
            **self.preparation(tasks),
        )
        context.update(self.guests(visit, context["visitors"]))
        if user.has_perm("visits.change_staff", visit):
            form = context["staff_form"] = StaffForm(
                initial={"main_host": visit.main_host_id, "receptionist": visit.receptionist_id},
                main_host=visit.main_host,
            )
            # its fields are kept rendered ({% cache %}; the form's token is not) under what
            # they show: the main host (an inactive one is not offered), the receptionist and
            # the receptionists to choose from (~1 ms, 2026-12-07, 100,000 visits)
            host = visit.main_host
            context["staff_key"] = [
                host and (host.pk, host.get_full_name(), host.is_active),
                visit.receptionist_id,
                list(form.fields["receptionist"].choices),
            ]
        if pending and visit.applicant_id != user.pk:
            if authority(pending, user) is not None:
                context["decision_form"] = DecisionForm(step=pending)
            elif pending.can_be_decided_by(user):
                # one person, one decision per round: say why there is no form
                context["decided_earlier"] = earlier_decisions(pending).get(user.pk)
        return context

    @staticmethod
    def approval_key(steps) -> list:
        """The approval card (the latest round's steps) is kept rendered ({% cache %}) under
        what it shows of each step, written out: its state, name, approver, who decided it
        and how, when, its escalation and comment (~0.7 ms, 2026-12-07, 100,000 visits)."""
        return [
            (
                s.pk,
                s.state,
                s.label,
                s.approver_label,
                str(s.decided_by) if s.decided_by else None,
                s.decided_as,
                str(s.on_behalf_of) if s.on_behalf_of else None,
                s.decided_at,
                s.escalated_at,
                s.escalation_target_label,
                s.comment,
            )
            for s in steps
        ]

    @staticmethod
    def request_key(visit, contacts, accompanying) -> list:
        """The request card (the visit's facts) is kept rendered ({% cache %}) under its
        version, the fields a bulk update moves without it (late, its reason, the grades), and
        everything it shows of other rows: the client, the contacts, the site, the grades and
        the people, by name. Kept, it costs one cache read instead of ~1.5 ms of its thirty
        lines (2026-12-07, 100,000 visits)."""
        client, site = visit.client, visit.site
        return [
            visit.pk,
            visit.updated_at,
            visit.late,
            visit.late_reason,
            visit.late_reason_message,
            visit.final_grade_id,
            visit.proposed_grade_id,
            client and (client.pk, client.name, client.name_en, client.category),
            [(c.pk, c.name, c.title) for c in contacts],
            site
            and (
                site.pk,
                site.name,
                site.name_en,
                site.address,
                site.address_en,
                site.directions,
                site.directions_en,
            ),
            [(g.pk, g.name, g.name_en) for g in (visit.final_grade, visit.proposed_grade) if g],
            [
                str(person) if person else None
                for person in (
                    visit.main_host,
                    visit.sales_lead,
                    visit.project_engineer,
                    visit.receptionist,
                )
            ],
            [str(person) for person in accompanying],
        ]

    def guests(self, visit, visitors) -> dict:
        """The invitation card (the applicant's) and who has not accepted the texts yet."""
        invitation = invitations.live_invitation(visit)
        notices = {n.pk for n in passes.current_notices()}
        accepted = invitations.acceptance_by_visitor(visit) if notices and visitors else {}
        return {
            "invitation": invitation,
            "invitation_url": invitations.invitation_url(invitation) if invitation else "",
            "may_invite": self.request.user.has_perm("visits.invite_guests", visit),
            "not_accepted": [
                v.name for v in visitors if notices and not notices <= accepted.get(v.pk, set())
            ],
        }

    def preparation(self, tasks) -> dict:
        """The preparation card, kept rendered whole ({% cache %}) under `preparation_key`:
        each task's row key (as its own kept row has it) and each department's name; the
        counts, the readiness and the overdue marks are computed from those. Kept, the card
        costs one cache read instead of one per task row (17 tasks: ~1.5 ms of ~20,
        2026-12-07, 100,000 visits)."""
        by_department = []
        key: list[tuple] = []
        for department, group in groupby(tasks, key=lambda t: t.department):
            items = list(group)
            key.append((department.pk, department.name, department.name_en))
            key.extend(
                (
                    t.pk,
                    t.updated_at,
                    t.status,
                    t.needs_recheck,
                    t.due_date,
                    t.is_overdue,
                    str(t.assignee) if t.assignee else None,
                    str(t.done_by) if t.done_by else None,
                )
                for t in items
            )
            live = [t for t in items if t.status != PrepStatus.CANCELLED]
            by_department.append(
                {
                    "department": department,
                    "tasks": items,
                    "readiness": preparation.readiness(items),
                    "done": sum(1 for t in live if t.status == PrepStatus.DONE),
                    "live": len(live),
                    "overdue": any(t.is_overdue for t in items),
                }
            )
        return {
            "preparation_key": key,
            "task_departments": by_department,
            "readiness": preparation.readiness(tasks),
            "tasks_overdue": sum(1 for t in tasks if t.is_overdue),
        }


class VisitEditView(PermissionRequiredMixin, View):
    """File a new request (no pk) or edit one, with its visitors, on one page."""

    template_name = "visits/visitrequest_form.html"

    def get_permission_required(self):
        return ["visits.change_visitrequest" if "pk" in self.kwargs else "visits.add_visitrequest"]

    def get_object(self) -> VisitRequest:
        if "pk" not in self.kwargs:
            user = cast(User, self.request.user)  # every page needs a login
            if user.has_perm("visits.file_commercial"):
                return VisitRequest(applicant=user)
            # the office files for non-commercial guests only
            return VisitRequest(applicant=user, guest_kind=GuestKind.GOVERNMENT)
        mine = visible_visits(self.request.user).filter(applicant=self.request.user.pk)
        return get_object_or_404(mine, pk=self.kwargs["pk"])

    def get(self, request, **kwargs):
        visit = self.get_object()
        if visit.pk and not self.request.user.has_perm("visits.edit_visit", visit):
            messages.warning(
                request, _("This request is with the approvers and cannot be edited now.")
            )
            return redirect("visits:detail", pk=visit.pk)
        form = VisitRequestForm(instance=visit)
        visitors = VisitorFormSet(initial=visitor_initial(visit), prefix="visitors")
        return self.render(visit, form, visitors)

    def post(self, request, **kwargs):
        visit = self.get_object()
        token = self.token() if not visit.pk else None
        if earlier := services.filed_with_token(request.user, token):
            return self.already_filed(earlier)
        form = VisitRequestForm(request.POST, instance=visit)
        visitors = VisitorFormSet(request.POST, initial=visitor_initial(visit), prefix="visitors")
        submit = "submit" in request.POST
        if form.is_valid() and visitors.is_valid():
            rows = visitors.rows()
            ok = form.check_visitor_count(len(rows))
            if ok and submit:
                ok = form.check_submission(len(rows))
            if ok:
                try:
                    visit = self.save(visit, form.cleaned_data, rows, submit, token)
                except services.AlreadyFiled as error:
                    return self.already_filed(error.visit)
                except VisitError as error:
                    messages.error(request, error.message)
                else:
                    return redirect("visits:detail", pk=visit.pk)
        return self.render(visit, form, visitors, status=400, token=token)

    def token(self) -> uuid.UUID | None:
        """The filing form's one-time token, sent back with the form."""
        try:
            return uuid.UUID(self.request.POST.get("submission_token", ""))
        except ValueError:
            return None

    def already_filed(self, visit: VisitRequest):
        """A second click on "file" (or a resent form): show what the first one filed."""
        messages.info(
            self.request,
            _("This form was sent twice; request %(ref)s was filed once.")
            % {"ref": visit.reference},
        )
        return redirect("visits:detail", pk=visit.pk)

    def save(self, visit, data, rows, submit, token=None) -> VisitRequest:
        user = cast(User, self.request.user)  # every page needs a login
        if not visit.pk:
            visit = services.file_visit_request(
                applicant=user, data=data, visitors=rows, submit=submit, token=token
            )
        else:
            diff = services.update_visit_request(visit=visit, by=user, data=data, visitors=rows)
            if submit:
                services.submit_visit_request(visit=visit, by=user)
            elif diff and visit.status in ANNOUNCED_CHANGE_STATUSES:
                messages.info(self.request, _("Changes saved and announced to reception."))
        visit.refresh_from_db()
        if submit:
            messages.success(
                self.request,
                _("Request %(ref)s submitted for approval.") % {"ref": visit.reference},
            )
        elif visit.status in SUBMITTABLE_STATUSES:
            messages.success(self.request, _("Draft %(ref)s saved.") % {"ref": visit.reference})
        elif visit.status == VisitStatus.IN_APPROVAL:
            messages.warning(
                self.request, _("The grade changed: the request goes through approval again.")
            )
        return visit

    def render(self, visit, form, visitors, status=200, token=None):
        filed = timezone.localtime(visit.submitted_at) if visit.submitted_at else None
        context = {
            # Marked on the form from the service's one list (submission_problems checks it).
            "required_to_submit": services.REQUIRED_TO_SUBMIT,
            # The late reason shows when the dates make the request late (jiedai.js keeps it
            # in step with the dates; submission_problems still checks it).
            "show_late_reason": bool(form["late_reason"].value())
            or "late_reason" in form.errors
            or services.is_late(visit),
            "filed_on": filed.date() if filed else timezone.localdate(),
            "submission_token": None if visit.pk else (token or uuid.uuid4()),
            "visit": visit,
            "form": form,
            "visitors": visitors,
            "lead_time_days": ReceptionPolicy.get().lead_time_days,
            "draft_statuses": SUBMITTABLE_STATUSES,
        }
        return render(self.request, self.template_name, context, status=status)


class VisitSubmitView(PermissionRequiredMixin, View):
    permission_required = "visits.change_visitrequest"

    def post(self, request, pk):
        visit = get_object_or_404(visible_visits(request.user), pk=pk, applicant=request.user)
        try:
            services.submit_visit_request(visit=visit, by=request.user)
        except VisitError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Request %(ref)s submitted for approval.") % {"ref": visit.reference}
            )
        return redirect("visits:detail", pk=visit.pk)


class VisitCancelView(PermissionRequiredMixin, View):
    permission_required = "visits.change_visitrequest"
    template_name = "visits/visitrequest_cancel.html"

    def get_object(self):
        return get_object_or_404(
            visible_visits(self.request.user), pk=self.kwargs["pk"], applicant=self.request.user
        )

    def get(self, request, pk):
        return render(
            request, self.template_name, {"visit": self.get_object(), "form": ReasonForm()}
        )

    def post(self, request, pk):
        visit = self.get_object()
        form = ReasonForm(request.POST)
        if form.is_valid():
            try:
                services.cancel_visit_request(
                    visit=visit, by=request.user, reason=form.cleaned_data["reason"]
                )
            except VisitError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Request %(ref)s cancelled; everyone involved has been told.")
                    % {"ref": visit.reference},
                )
            return redirect("visits:detail", pk=visit.pk)
        return render(request, self.template_name, {"visit": visit, "form": form}, status=400)


class ContactOptionsView(PermissionRequiredMixin, View):
    """htmx: the contacts of the client just chosen on the filing form."""

    permission_required = "visits.add_visitrequest"

    def get(self, request):
        client_id = parse_id(request.GET.get("client", ""))
        contacts = (
            ClientContact.objects.filter(client_id=client_id)
            if client_id is not None
            else ClientContact.objects.none()
        )
        return render(request, "visits/_contact_options.html", {"contacts": contacts})


class StaffChangeView(RuleRequiredMixin, View):
    role_permission = "visits.view_visitrequest"
    permission_required = "visits.change_staff"

    def get_permission_object(self) -> VisitRequest:
        if not hasattr(self, "visit"):
            self.visit = get_object_or_404(visible_visits(self.request.user), pk=self.kwargs["pk"])
        return self.visit

    def post(self, request, pk):
        visit = self.get_permission_object()
        form = StaffForm(request.POST)
        if form.is_valid():
            try:
                diff = staff_services.change_reception_staff(
                    visit=visit,
                    by=request.user,
                    main_host=form.cleaned_data["main_host"],
                    receptionist=form.cleaned_data["receptionist"],
                    reason=form.cleaned_data["reason"],
                )
            except VisitError as error:
                messages.error(request, error.message)
            else:
                if diff:
                    messages.success(request, _("Reception staff updated."))
        else:
            messages.error(request, _("The staff change was not saved: check the form."))
        return redirect("visits:detail", pk=visit.pk)
