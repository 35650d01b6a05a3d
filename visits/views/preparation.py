"""Department task pages, the receptionist's preparation overview, staff changes."""

import hashlib
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import urlencode
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from reception import fragments as kept
from reception.http import safe_next
from reception.models import Department, ReceptionGrade, Site, User
from reception.validators import parse_id

from .. import links
from ..forms.preparation import TaskNoteForm
from ..models import PrepStatus, PrepTask, VisitRequest
from ..selectors import (
    HORIZON_DAYS,
    TASK_ROW_FACTS,
    assignable_members,
    department_board,
    departments_of,
    expenses_awaiting,
    follow_ups_of,
    held_tasks,
    held_tasks_of_visit,
    overdue_task,
    preparation_rows,
    task_rows,
    tasks_in_reach,
    upcoming_preparation,
    visit_tasks_of_departments,
)
from ..services import preparation
from ..services.lifecycle import VisitError
from .site_choice import desk_sites, several_sites


def headed_departments(user) -> set[int]:
    """The departments this user heads: their tasks may be assigned from the row."""
    return set(Department.objects.filter(head=user).values_list("pk", flat=True))


def task_context(task, user, headed) -> dict:
    """One task row's facts, for a row not kept rendered. Its "assign" form (a <select> of the
    department's members) is loaded on demand (TaskAssigneeView), so a row costs the same in a
    department of 5 or of 900."""
    return {
        "task": task,
        "quantity": preparation.quantity_hint(task),
        "standard": preparation.standard_hint(task),
        "recheck": preparation.recheck_lines(task) if task.needs_recheck else [],
        "may_assign": task.department_id in headed,
        "note_prefix": note_prefix(task),  # the inputs' names; TaskNoteForm reads them back
    }


# Everything a task row shows (visits/_task_rows.html), read as values for its kept copy's key
# (kept_task_rows): the task's version and what a bulk update moves without it; what it shows
# of other rows (the visit, its client and site, the department, the people, the template's
# rules, the pick-up car); and what its hints are worked out from (the visit's numbers and
# grade). The language, the reader and the browser are added by kept_task_rows.
USER_NAME = ("full_name", "first_name", "last_name", "username")  # what User.__str__ reads
TASK_ROW_KEY = (
    "pk",
    "updated_at",
    "status",
    "needs_recheck",
    "recheck_fields",
    "recheck_changes",
    "due_date",
    "urgent",
    "name",
    "name_en",
    "department_id",
    "visit__reference",
    "visit__arrival_at",
    "visit__pickup_car",
    "visit__pickup_driver",
    "visit__headcount",
    "visit__meal_staff",
    "visit__meals",
    "visit__rooms",
    "visit__nights",
    "visit__proposed_grade_id",
    "visit__final_grade_id",
    "visit__client__name",
    "visit__client__name_en",
    "visit__site__name",
    "visit__site__name_en",
    "department__name",
    "department__name_en",
    *(f"{who}__{name}" for who in ("assignee", "done_by") for name in USER_NAME),
    "template__assign_to",
    "template__standard_hint",
    "template__quantity_hint",
)


class KeptRow(dict):
    """A row of a page that keeps its rows rendered: its key (`kept_as`) and what is known of
    it; for a row kept, no more. Should the template ask for more (the kept copy fell out of
    the cache between the page's look-up and the row's render), `load` reads the rest then."""

    def __init__(self, kept_as: str, load, **known):
        super().__init__(kept_as=kept_as, **known)
        self._load = load

    def __missing__(self, name):
        self.update(self._load())
        return self[name]


def kept_task_rows(request, tasks, facts: list[dict], headed, **shown) -> list[dict]:
    """The rows of `facts` (`tasks` read as TASK_ROW_KEY values, in the page's order), each kept
    rendered whole, its forms and their CSRF tokens with it (as the approval queue keeps its
    cards), under everything it shows, the reader, this browser (the token is one this
    browser's secret accepts), the page's address (the "assign" link's next), the language and
    what the page shows beside it (`shown`: the sites' count, an htmx answer's error). The
    tasks' objects are read (from `tasks`, in one query) only for the rows not kept.

    Measured on the 100,000-visit company (/tasks/ as the office head, least of 15, CPU of one
    warm request, in turns with the commit before): 18.6-21.0 ms with each row kept up to its
    first form's token, included once per row, and all 30 rows' objects read; 10.3-12.8 ms
    so (the same 8 queries warm; one more for the rows not kept)."""
    user = request.user
    ids = {pk for f in facts for pk in (f["visit__final_grade_id"], f["visit__proposed_grade_id"])}
    ids.discard(None)
    grades = ReceptionGrade.objects.select_related("standard").in_bulk(ids) if ids else {}
    common = (*kept.per_browser(request), *sorted(shown.items()))
    keys = []
    for f in facts:
        grade = grades.get(f["visit__final_grade_id"]) or grades.get(f["visit__proposed_grade_id"])
        standard = grade.standard if grade else None
        parts = (
            *f.values(),
            PrepTask.past_due(f["status"], f["due_date"]),
            f["department_id"] in headed,
            standard and (standard.car_label, standard.hotel_label, standard.meal_per_person),
        )
        digest = hashlib.md5(repr(parts).encode(), usedforsecurity=False).hexdigest()
        keys.append(kept.key("task_row", f["pk"], digest, *common))
    held = caches["template_fragments"].get_many([cache_key for _v, cache_key in keys])
    missing = [f["pk"] for f, (_v, key) in zip(facts, keys, strict=True) if key not in held]

    def read(pks) -> dict[int, dict]:
        objects = task_rows(tasks.filter(pk__in=pks).order_by(), grades)
        return {t.pk: task_context(t, user, headed) for t in objects}

    contexts = read(missing) if missing else {}
    return [
        KeptRow(vary_on, lambda pk=f["pk"]: read([pk])[pk], **contexts.get(f["pk"], {}))
        for f, (vary_on, _k) in zip(facts, keys, strict=True)
    ]


def note_prefix(task) -> str:
    return f"task{task.pk}"


def visit_param(request) -> int | None:
    """`?visit=<pk>`: a task page shows that visit's tasks only (a notification's link)."""
    return parse_id(request.GET.get("visit", ""))


# What the board's rows never read (the visit's, its client's and the template's long texts and
# lists): not decoded into 30 rows' 7 objects each. Read one anyway, it costs a query a row, which
# tests/test_query_budgets.py would show.
BOARD_UNREAD = (
    "description",
    "description_en",
    "visit__purposes",
    "visit__services",
    "visit__late_reason_message",
    "visit__reason",
    "visit__purpose_other",
    "visit__banner_text",
    "visit__banner_text_en",
    "visit__service_other",
    "visit__notes",
    "visit__client__notes",
    "visit__client__referred_by",
    "template__description",
    "template__description_en",
    "template__purposes",
    "template__client_categories",
    "template__services",
    "template__arrival_modes",
    "template__guest_kinds",
)


class TaskBoardView(PermissionRequiredMixin, TemplateView):
    """The department page: open to those with the role's permission and to everyone who
    belongs to or heads a department (visits.see_department_tasks)."""

    template_name = "visits/task_board.html"
    PAGE_SIZE = 30

    def has_permission(self):
        return self.request.user.has_perm("visits.see_department_tasks")

    def get_context_data(self, **kwargs):
        user = self.request.user
        departments = departments_of(user)
        headed = {pk for pk, head in departments.items() if head == user.pk}
        visit_id = visit_param(self.request)
        if visit_id is None:
            board = department_board(user, departments)
        else:
            board = visit_tasks_of_departments(departments, visit_id)
        board = board.defer(*BOARD_UNREAD)
        # Departments work for every site: a filter by the visit's site, where there are several.
        sites = list(Site.objects.all())
        site = next((s for s in sites if s.code == self.request.GET.get("site")), None)
        if site is not None and visit_id is None:
            board = board.filter(visit__site=site)
        # A page of rows, overdue ones first: a busy department's fortnight runs to hundreds
        # of tasks, and each row is a few forms. One query counts, one reads the page.
        counts = board.order_by().aggregate(
            total=Count("pk"), overdue=Count("pk", filter=overdue_task())
        )
        # One visit's tasks (a notification's link) are a handful a department: one page.
        size = self.PAGE_SIZE if visit_id is None else max(counts["total"], 1)
        paginator = Paginator(board.values(*TASK_ROW_KEY, "overdue"), size)
        paginator.count = counts["total"]
        page = paginator.get_page(self.request.GET.get("page"))
        facts = list(page.object_list)
        rows = kept_task_rows(self.request, board, facts, headed, several_sites=len(sites) > 1)
        overdue = [row for row, f in zip(rows, facts, strict=True) if f["overdue"]]
        groups = [
            (day, [row for row, _f in items])
            for day, items in groupby(
                ((row, f) for row, f in zip(rows, facts, strict=True) if not f["overdue"]),
                key=lambda pair: timezone.localtime(pair[1]["visit__arrival_at"]).date(),
            )
        ]
        return super().get_context_data(
            overdue=overdue,
            overdue_count=counts["overdue"],
            groups=groups,
            page_obj=page,
            query_string=f"visit={visit_id}" if visit_id else (f"site={site.code}" if site else ""),
            sites=sites,
            several_sites=len(sites) > 1,
            site=site,
            visit_id=visit_id,
            shown_visit=rows[0]["task"].visit if rows and visit_id else None,
            is_head=bool(headed),
            task_count=counts["total"],
            horizon_days=HORIZON_DAYS,
            assign_next=urlencode(self.request.get_full_path()),  # the rows' "Assign" links
            **kwargs,
        )


class MyTasksView(TemplateView):
    """The tasks a person holds by name (the applicant's, the main host's, the receptionist's,
    or assigned by a department head): tick, undo and note them, on a phone too."""

    template_name = "visits/my_tasks.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        headed = headed_departments(user)
        visit_id = visit_param(self.request)
        tasks = held_tasks(user) if visit_id is None else held_tasks_of_visit(user, visit_id)
        facts = list(tasks.values(*TASK_ROW_KEY))
        sites = several_sites()
        rows = kept_task_rows(self.request, tasks, facts, headed, several_sites=sites)
        to_do, done, cancelled = [], [], []
        for row, f in zip(rows, facts, strict=True):
            if f["status"] == PrepStatus.OPEN or f["needs_recheck"]:
                to_do.append(row)
            elif f["status"] == PrepStatus.CANCELLED:
                cancelled.append(row)
            else:
                done.append(row)
        return super().get_context_data(
            to_do=to_do,
            done=done,
            cancelled=cancelled,
            visit_id=visit_id,
            shown_visit=rows[0]["task"].visit if rows and visit_id else None,
            has_department_page=user.has_perm("visits.see_department_tasks"),
            several_sites=sites,
            follow_ups=list(follow_ups_of(user)),
            expenses=expenses_awaiting(user),
            today=timezone.localdate(),
            **kwargs,
        )


class TaskOpenView(View):
    """Where one task's link lands (visits.links.task): "My tasks" for its holder, else the
    department page, each filtered to the task's visit and scrolled to the task. A task out of
    the reader's reach (given to someone else since) is said to be so, on "My tasks"."""

    def get(self, request, pk):
        user = request.user
        task = tasks_in_reach(user).filter(pk=pk).values("visit_id", "assignee_id").first()
        if task is None:
            messages.info(
                request, _("That task is no longer yours or your departments' to prepare.")
            )
            return redirect("visits:my_tasks")
        held = task["assignee_id"] == user.pk or not user.has_perm("visits.see_department_tasks")
        return redirect(links.visit_tasks(task["visit_id"], held=held, task_id=pk))


def _home_of_tasks(user) -> str:
    return "visits:tasks" if user.has_perm("visits.see_department_tasks") else "visits:my_tasks"


class TaskActionView(View):
    """Tick off, reopen, confirm after a change, assign, or take (a member takes a task of
    their department nobody holds): in place with htmx. Open to the task's holder and to its
    department's people; any other task answers 404."""

    actions = ("done", "reopen", "recheck", "assign", "take")

    def post(self, request, pk, action):
        if action not in self.actions:
            return redirect(_home_of_tasks(request.user))
        task = get_object_or_404(tasks_in_reach(request.user), pk=pk)
        error = None
        try:
            task = self.apply(task, action)
        except VisitError as exc:
            error = exc.message
        if request.htmx:
            tasks = tasks_in_reach(request.user).select_related(*TASK_ROW_FACTS)
            shown = {"error": error, "several_sites": several_sites()}
            if error:  # give back what was typed, to shorten it
                shown["note_value"] = request.POST.get(f"task{task.pk}-note", "")
            facts = list(tasks.filter(pk=task.pk).values(*TASK_ROW_KEY))
            rows = kept_task_rows(request, tasks, facts, headed_departments(request.user), **shown)
            return render(request, "visits/_task_rows.html", {"rows": rows, **shown})
        if error:
            messages.error(request, error)
        return redirect(safe_next(request, _home_of_tasks(request.user)))

    def apply(self, task, action):
        user = self.request.user
        if action == "done":
            form = TaskNoteForm(self.request.POST, prefix=note_prefix(task))
            if not form.is_valid():  # the task stays open; the note is not lost in silence
                problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
                raise VisitError(_("The task stays open: %(problems)s") % {"problems": problems})
            data = form.cleaned_data
            return preparation.complete_task(
                task=task, by=user, note=data["note"], car=data["car"], driver=data["driver"]
            )
        if action == "reopen":
            return preparation.reopen_task(task=task, by=user)
        if action == "recheck":
            return preparation.confirm_recheck(task=task, by=user)
        if action == "take":
            task = preparation.take_task(task=task, by=user)
            if not self.request.htmx:
                messages.success(
                    self.request, _("“%(task)s” is yours now: it is on My tasks.") % {"task": task}
                )
            return task
        if not user.has_perm("visits.assign_preptask"):
            raise VisitError(_("Only the head of the department assigns its tasks."))
        assignee_id = parse_id(self.request.POST.get("assignee", ""))
        assignee = User.objects.filter(pk=assignee_id).first() if assignee_id else None
        return preparation.assign_task(task=task, by=user, assignee=assignee)


class TaskAssigneeView(View):
    """The "assign" form of one task: the members of its department, for its head. htmx loads
    it into the task's row; without JavaScript it is a page of its own. The choice is checked
    again when posted (preparation.assign_task)."""

    def get(self, request, pk):
        if not request.user.has_perm("visits.assign_preptask"):
            raise PermissionDenied
        task = get_object_or_404(
            tasks_in_reach(request.user).select_related("department", "visit__client", "assignee"),
            pk=pk,
            status=PrepStatus.OPEN,
        )
        if not request.user.has_perm("visits.assign_task", task):
            raise PermissionDenied
        members = assignable_members(task)
        template = "visits/_task_assign.html" if request.htmx else "visits/task_assign.html"
        in_row = bool(request.htmx)
        return render(
            request,
            template,
            {
                "task": task,
                "members": members,
                "in_row": in_row,
                "next": safe_next(request, "visits:tasks"),
            },
        )


class PreparationView(PermissionRequiredMixin, TemplateView):
    """The customer receptionist's overview: upcoming visits, riskiest first."""

    permission_required = "visits.track_preparation"
    template_name = "visits/preparation.html"

    paginate_by = 30

    def get_context_data(self, **kwargs):
        # Readiness is counted for every visit of the horizon (one aggregate over their own
        # tasks) to sort the riskiest first; only a page of them is rendered.
        sites = desk_sites(self.request)
        visits, counts = upcoming_preparation(self.request.user, sites.q())
        page = Paginator(visits, self.paginate_by).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            rows=self.rows(page.object_list, counts),
            page_obj=page,
            today=timezone.localdate(),
            horizon_days=HORIZON_DAYS,
            sites=sites,
            **kwargs,
        )

    @staticmethod
    def rows(ids, counts: dict[int, dict]) -> list[dict]:
        """The page's rows, in this order: each kept rendered but for its arrival cell
        (preparation.html), under everything it shows (the visit's version, its client's and
        grade's names, its task counts) and the language, read as values in one query; the
        visits' objects are read (preparation_rows) only for the rows not kept.

        Measured on the 100,000-visit company (receptionist, least of 15, CPU of one warm
        request, in turns with the commit before): 13.9-14.9 ms reading the page's 30 visits
        with their client, people and grades as objects; 11.5-13.9 ms so (7 queries)."""
        ids = list(ids)
        facts = {
            f["pk"]: f for f in VisitRequest.objects.filter(pk__in=ids).values(*PREPARATION_ROW_KEY)
        }
        scope = kept.scope()
        keyed = []
        for pk in ids:
            f = facts.get(pk)
            if f is None:
                continue
            c = counts.get(pk, {})
            vary_on, cache_key = kept.key(
                "preparation_row",
                *f.values(),
                c.get("live", 0),
                c.get("done", 0),
                c.get("overdue", 0),
                scope,
            )
            keyed.append((f, vary_on, cache_key))
        held = caches["template_fragments"].get_many([k for _f, _v, k in keyed])
        missing = [f["pk"] for f, _v, k in keyed if k not in held]

        def read(pks) -> dict[int, VisitRequest]:
            return {v.pk: v for v in preparation_rows(pks, counts)}

        visits = read(missing) if missing else {}
        return [
            KeptRow(
                vary_on,
                lambda pk=f["pk"]: {"visit": read([pk])[pk]},
                arrival_at=f["arrival_at"],
                **({"visit": visits[f["pk"]]} if f["pk"] in visits else {}),
            )
            for f, vary_on, _k in keyed
        ]


# Everything a row of the preparation overview shows (preparation.html), read as values for its
# kept copy's key: the visit's version and what it shows of other rows (the client's and the
# grade's names); its task counts and the language are added by PreparationView.rows.
PREPARATION_ROW_KEY = (
    "pk",
    "updated_at",
    "arrival_at",
    "client__name",
    "client__name_en",
    "final_grade_id",
    "final_grade__name",
    "final_grade__name_en",
    "proposed_grade_id",
    "proposed_grade__name",
    "proposed_grade__name_en",
)
