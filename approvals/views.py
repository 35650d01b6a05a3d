from functools import cached_property, partial

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import caches
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView
from django_filters.views import FilterView

from reception import fragments as kept
from reception.accounts.roles import Role
from reception.errors import RuleError
from reception.http import safe_next
from reception.validators import parse_id, parse_ids
from reception.views import PageQueryMixin, WindowCountPaginator

from . import cards, links, services
from .forms import AdministratorDecisionForm, DecisionForm, DelegationForm, current_grade_choices
from .models import ApprovalStep, Delegation, StepState
from .selectors import attach_people, queue_for, steps_of


def _summary(step) -> str:
    return _("%(ref)s: “%(step)s” %(decision)s.") % {
        "ref": step.subject.short_name,
        "step": step.label,
        "decision": step.get_state_display().lower(),
    }


def focused_step(request) -> int | None:
    """`?step=<pk>`: a list shows that one card (the link of a notification about it)."""
    return parse_id(request.GET.get("step", ""))


class QueueView(PermissionRequiredMixin, PageQueryMixin, FilterView):
    """The steps waiting for the reader's decision, as cards. What a card shows of its
    subject, the filters and the order are the subject app's (approvals.cards)."""

    permission_required = "approvals.view_approvalstep"
    template_name = "approvals/queue.html"
    # A decision card is a screenful of facts and a form: ten a page are what one reads
    # before deciding (bulk approval works on the page's selection), and render in a third
    # of the time of 25.
    paginate_by = 10
    # the queue's total ("12 steps waiting") comes with the page's rows, not in a count of its
    # own: building and compiling queue_for's filters again cost ~1 ms (2026-12-07, 100,000
    # visits)
    paginator_class = WindowCountPaginator

    def get_filterset_class(self):
        return cards.screens().filterset

    @cached_property
    def grades(self) -> list[tuple[int, str]]:
        """The current grades, read once for the decision forms and the grade filter."""
        return current_grade_choices()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "grade_choices": self.grades}

    def get_queryset(self):
        # The addressees come in one query of their own (attach_people): joined with the
        # rest, planning the query cost more than running it; the subject's app joins and
        # reads what its cards show (cards.screens().queue, .prepare).
        steps = cards.screens().queue(
            queue_for(self.request.user)
            .select_related(None)
            .select_related("subject", "role", "escalated_to")
        )
        step = focused_step(self.request)
        return steps if step is None else steps.filter(pk=step)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["screens"] = cards.screens()
        context["filtering"] = any(
            self.request.GET.get(f) for f in self.get_filterset_class().base_filters
        )
        context["focused"] = focused_step(self.request) is not None
        # Unfiltered, the paginator has counted the queue already.
        paginator = context.get("paginator")
        context["pending"] = (
            paginator.count
            if paginator is not None and not context["filtering"] and not context["focused"]
            else queue_for(self.request.user).count()
        )
        context["rows"] = self.cards(attach_people(context["object_list"]))
        context["filter_key"] = self.filter_key()
        return context

    def filter_key(self) -> tuple:
        """The filter form is kept rendered ({% cache %} in queue.html; a GET form, no token)
        under what it shows: the query's values and the page's address, the current grades
        and every other filter's choices (the sites). Kept, the form is not even built: it
        cost ~1.5 ms of the queue's ~15 (2026-12-07, 100,000 visits)."""
        choices = []
        for name, filter_ in self.filterset.filters.items():
            offered = filter_.extra.get("choices")
            if callable(offered):
                offered = offered()
            if offered:
                choices.append((name, [(value, str(label)) for value, label in offered]))
        return (self.request.get_full_path(), self.grades, choices)

    def cards(self, steps: list) -> list[dict]:
        """The page's cards. Each is kept rendered whole ({% cache %} in queue.html, its form
        and token with it, for this browser), keyed by everything it shows: the step, the
        reader's capacity, the grades offered, what it shows of its subject (the subject's
        app gives that key, cards.keys, more cheaply than the facts themselves), the reader,
        the language and the page. The subject's facts are read (cards.prepare, for the whole
        page at once) only for the cards not kept."""
        request, user = self.request, self.request.user
        grades = self.grades
        subject_keys = cards.keys([step.subject for step in steps], user)
        common = (grades, *kept.per_browser(request))
        rows = []
        for step in steps:
            # queue_for left out the rounds in which the user decided another step
            capacity = services.authority(step, user, decided_rounds=set())
            subject_key = subject_keys.get(step.subject_id)
            vary_on, cache_key = kept.key(
                "queue_card",
                step.pk,
                step.state,
                step.round,
                step.label,
                step.approver_label,
                step.grades_visit,
                step.escalated_at,
                step.escalation_target_label,
                step.escalation_reason,
                capacity.on_behalf_of,
                subject_key,
                *common,
            )
            rows.append(
                {
                    "step": step,
                    "form": SimpleLazyObject(
                        partial(DecisionForm, step=step, grade_choices=grades)
                    ),
                    "capacity": capacity,
                    "kept_as": vary_on if subject_key else "",
                    "cache_key": cache_key,
                }
            )
        held = caches["template_fragments"].get_many([r["cache_key"] for r in rows if r["kept_as"]])
        # the subject's app reads what its cards show for the whole page, not card by card
        cards.prepare([r["step"].subject for r in rows if r["cache_key"] not in held], user)
        return rows


class StepView(View):
    """Where a link about one step lands (approvals.links.step_link): its decision card while
    it waits for the reader, on the oversight page for an administrator it was escalated to;
    otherwise the page of what it approves, saying what became of the step ("already decided
    by … on behalf of … at …"). A step that was never anyone's business of the reader's
    answers 404, as if it did not exist."""

    def get(self, request, pk):
        user = request.user
        step = get_object_or_404(
            ApprovalStep.objects.select_related(
                "subject", "role", "user", "decided_by", "on_behalf_of", "escalated_to"
            ),
            pk=pk,
        )
        overseer = user.has_perm("approvals.oversee_approvals")
        overseen = (
            overseer
            and step.state == StepState.PENDING
            and services.overseen_steps().filter(pk=pk).exists()
        )
        to_administrators = step.escalated_to_id and step.escalated_to.name == Role.ADMINISTRATOR
        if overseen and to_administrators:
            return redirect(links.focused("approvals:oversight", step))
        if step.state == StepState.PENDING and queue_for(user).filter(pk=pk).exists():
            return redirect(links.focused("approvals:queue", step))
        if overseen:
            return redirect(links.focused("approvals:oversight", step))
        subject = links.subject_page(step, user)
        if subject is None and not self.concerns(step, user, overseer):
            raise Http404
        messages.info(request, links.step_status(step, user))
        return redirect(subject or "approvals:queue")

    @staticmethod
    def concerns(step, user, overseer: bool) -> bool:
        """Addressed to the reader (by role, name, escalation or delegation), or decided by
        them or on their behalf, or the reader oversees approvals."""
        return (
            overseer
            or user.pk in (step.decided_by_id, step.on_behalf_of_id)
            or steps_of(user).filter(pk=step.pk).exists()
        )


class DecideView(PermissionRequiredMixin, View):
    """Approve, return or reject a step: in place with htmx, or as a plain form post."""

    permission_required = "approvals.view_approvalstep"

    def post(self, request, pk):
        step = get_object_or_404(
            cards.screens().lines(steps_of(request.user).select_related("subject")), pk=pk
        )
        form = DecisionForm(request.POST, step=step)
        outcome, error = None, None
        if form.is_valid():
            try:
                outcome = services.decide(
                    step=step,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    grade=form.cleaned_data.get("grade"),
                )
            except RuleError as exc:
                error = exc.message
        if request.htmx:
            context = {
                "step": outcome or step,
                "form": form,
                "error": error,
                "done": outcome,
                "queue_url": self.next_url(),
                "screens": cards.screens(),
            }
            if outcome:
                outcome.subject.refresh_from_db()
            context["pending"] = queue_for(request.user).count()  # swapped out of band
            return render(request, "approvals/_step_row.html", context)
        if outcome:
            messages.success(request, _summary(outcome))
        else:
            messages.error(
                request,
                error
                or _("The decision was not saved: %(errors)s")
                % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)},
            )
        return redirect(self.next_url())

    def next_url(self) -> str:
        return safe_next(self.request, "approvals:queue")


class BulkApproveView(PermissionRequiredMixin, View):
    """Approve several selected cards at once, after one confirmation. Each step is decided
    through services.decide; what it refuses is reported beside what it approved."""

    permission_required = "approvals.view_approvalstep"

    def post(self, request):
        ids = parse_ids(request.POST.getlist("steps"))[:100]
        steps = list(cards.screens().lines(queue_for(request.user).filter(pk__in=ids)))
        if not steps:
            messages.warning(request, _("Select the requests to approve first."))
            return redirect("approvals:queue")
        if request.POST.get("confirmed") != "yes":
            return render(
                request,
                "approvals/bulk_confirm.html",
                {"steps": steps, "screens": cards.screens()},
            )
        approved, refused = [], []
        for step in steps:
            try:
                services.decide(step=step, by=request.user, decision=StepState.APPROVED)
            except RuleError as exc:
                refused.append(f"{step.subject.short_name}: {exc.message}")
            else:
                approved.append(step.subject.short_name)
        if approved:
            messages.success(request, _("Approved: %(refs)s.") % {"refs": ", ".join(approved)})
        for line in refused:
            messages.error(request, _("Not approved — %(why)s") % {"why": line})
        return redirect("approvals:queue")


class OversightView(PermissionRequiredMixin, PageQueryMixin, ListView):
    """Administrators: the steps that stalled (nobody could decide them) or waited too long,
    each with a form to decide it with a stated reason."""

    permission_required = "approvals.oversee_approvals"
    template_name = "approvals/oversight.html"
    paginate_by = 25

    def get_queryset(self):
        steps = cards.screens().lines(services.overseen_steps())
        step = focused_step(self.request)
        return steps if step is None else steps.filter(pk=step)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["focused"] = focused_step(self.request) is not None
        context["screens"] = cards.screens()
        grades = current_grade_choices()
        context["rows"] = [
            {"step": step, "form": AdministratorDecisionForm(step=step, grade_choices=grades)}
            for step in context["object_list"]
        ]
        return context


class AdministratorDecideView(PermissionRequiredMixin, View):
    permission_required = "approvals.oversee_approvals"

    def post(self, request, pk):
        step = get_object_or_404(
            ApprovalStep.objects.filter(state=StepState.PENDING).select_related("subject"), pk=pk
        )
        form = AdministratorDecisionForm(request.POST, step=step)
        if form.is_valid():
            try:
                done = services.decide(
                    step=step,
                    by=request.user,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    grade=form.cleaned_data.get("grade"),
                    as_administrator=True,
                )
            except RuleError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _summary(done))
        else:
            messages.error(
                request,
                _("The decision was not saved: %(errors)s")
                % {"errors": " ".join(str(e) for errs in form.errors.values() for e in errs)},
            )
        return redirect("approvals:oversight")


class DelegationView(PermissionRequiredMixin, View):
    """An approver's absences: who decides their steps meanwhile. Administrators set them for
    others in the admin."""

    permission_required = "approvals.view_approvalstep"
    template_name = "approvals/delegations.html"

    def get(self, request):
        return self.render(DelegationForm(approver=request.user))

    def post(self, request):
        form = DelegationForm(request.POST, approver=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                delegation = services.set_delegation(
                    approver=request.user,
                    delegate=data["delegate"],
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    note=data["note"],
                )
            except RuleError as error:
                form.add_error(None, error.message)
                return self.render(form, status=400)
            messages.success(
                request,
                _("From %(start)s to %(end)s, %(delegate)s decides your steps on your behalf.")
                % {
                    "start": delegation.starts_on,
                    "end": delegation.ends_on,
                    "delegate": delegation.delegate,
                },
            )
            return redirect("approvals:delegations")
        return self.render(form, status=400)

    def render(self, form, status=200):
        user = self.request.user
        today = timezone.localdate()
        mine = Delegation.objects.select_related("approver", "delegate").filter(ends_on__gte=today)
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "given": mine.filter(approver=user),
                "received": mine.filter(delegate=user),
                "today": today,
            },
            status=status,
        )


class EndDelegationView(PermissionRequiredMixin, View):
    permission_required = "approvals.view_approvalstep"

    def post(self, request, pk):
        delegation = Delegation.objects.filter(approver=request.user, pk=pk).first()
        if delegation is None:
            raise Http404
        services.withdraw_delegation(delegation=delegation, by=request.user)
        messages.info(
            request,
            _("The delegation to %(delegate)s is withdrawn.") % {"delegate": delegation.delegate},
        )
        return redirect("approvals:delegations")
