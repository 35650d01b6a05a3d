"""Who may do what, defined once: every "may X" of the visits app is one rule of django-rules'
permission set (`rules.add_perm("visits.X", ...)`), asked through `user.has_perm` by views
(`RuleRequiredMixin` in visits/views/access.py, on rules' PermissionRequiredMixin, with the
rule's name and the object), templates (`{% has_perm "visits.X" user obj as may_x %}`) and
services (`require()` below, after the predicates they check one by one for a precise message)
alike. docs/architecture.md, "Permissions", lists them and says how to add one.

A rule may wrap a role's Django permission (`visits.check_in_visitors`, granted with the role
in reception/accounts/roles.py) and the object's state (the visit's status, from the status sets in
visits/models/requests.py). Django answers "yes" to every superuser before asking any backend;
`reception.models.User.has_perm` asks a rule as it is instead, so the state holds for
administrators too (nobody checks guests in to a closed visit). A rule's name is never a
Django permission's codename (tests/visits/test_permission_vocabulary.py).
"""

import rules
from django.utils import timezone

from approvals.models import ApprovalChain, ApprovalChainStep
from reception.accounts import access
from reception.accounts.roles import APPROVER_ROLES, Role, has_role
from reception.accounts.roles import is_administrator as _is_administrator
from reception.errors import RuleError
from reception.models import Department, StaffMembership

from .models import (
    ARRANGEABLE_STATUSES,
    BOARD_STATUSES,
    CANCELLABLE_STATUSES,
    CHECK_IN_STATUSES,
    EDITABLE_STATUSES,
    LEFT_STATUSES,
    SUBMITTABLE_STATUSES,
    GuestPolicy,
    VisitStatus,
    WalkInStatus,
)


def _superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


# ---- who ----------------------------------------------------------------------------------


def holds(permission: str) -> rules.Predicate:
    """The role's Django permission (granted with the role, reception/accounts/roles.py), as a
    predicate a rule composes with the object's state."""
    return rules.predicate(lambda user: user.has_perm(permission), name=f"holds:{permission}")


@rules.predicate
def is_applicant(user, visit) -> bool:
    return visit.applicant_id == user.pk


@rules.predicate
def is_main_host(user, visit) -> bool:
    return visit.main_host_id is not None and visit.main_host_id == user.pk


@rules.predicate
def is_approver(user) -> bool:
    """Holds a role that decides steps somewhere in a chain (or administers everything)."""
    return _superuser(user) or has_role(user, *APPROVER_ROLES)


@rules.predicate
def is_customer_receptionist(user) -> bool:
    return has_role(user, Role.RECEPTIONIST)


@rules.predicate
def tracks_preparation(user) -> bool:
    """The customer receptionist's part: arrangements, the itinerary, the overview."""
    return user.has_perm("visits.track_preparation")


@rules.predicate
def checks_in_guests(user) -> bool:
    return user.has_perm("visits.check_in_visitors")


@rules.predicate
def is_department_member(user, task) -> bool:
    """Belongs to or heads the department the preparation task is for."""
    if task.department.head_id == user.pk:
        return True
    return StaffMembership.objects.filter(user=user, department_id=task.department_id).exists()


# The role permission of the department task page (reception.accounts.roles grants it).
DEPARTMENT_PAGE_PERM = "visits.view_preptask"


@rules.predicate
def works_in_a_department(user) -> bool:
    """Belongs to or heads any department: its tasks are theirs to see and tick, whatever
    their role (an engineer in the technology department, a host who heads one). Asked on
    every page (the navbar): kept with the user's permissions (reception.accounts.access)."""
    return access.works_in_a_department(user)


@rules.predicate
def has_department_page_permission(user) -> bool:
    return user.has_perm(DEPARTMENT_PAGE_PERM)


@rules.predicate
def is_task_holder(user, task) -> bool:
    """Holds the preparation task by name (assigned, or given through the visit's roles)."""
    return task.assignee_id is not None and task.assignee_id == user.pk


@rules.predicate
def is_department_head(user, task) -> bool:
    return _superuser(user) or task.department.head_id == user.pk


@rules.predicate
def is_front_desk(user) -> bool:
    return has_role(user, Role.FRONT_DESK)


is_administrator = rules.predicate(_is_administrator, name="is_administrator")


@rules.predicate
def is_asked_for(user, walk_in) -> bool:
    """The person a walk-in asked to see: the would-be host."""
    return walk_in.wants_to_see_id == user.pk


@rules.predicate
def is_hr(user) -> bool:
    return has_role(user, Role.HR)


@rules.predicate
def is_office(user) -> bool:
    return has_role(user, Role.OFFICE)


def visited_departments(visit):
    """The visited department: the department(s) the applicant belongs to (marketing for
    sales staff, technology for project engineers), as the reminder rules define it."""
    return Department.objects.filter(memberships__user=visit.applicant_id)


@rules.predicate
def speaks_for_visited_department(user, visit) -> bool:
    """The head of the visited department, or one of its members named on the visit (the
    applicant, the main host, accompanying staff)."""
    if visit.applicant_id == user.pk:
        return True
    departments = visited_departments(visit)
    if departments.filter(head=user).exists():
        return True
    named = user.pk == visit.main_host_id or visit.accompanying_staff.filter(pk=user.pk).exists()
    return named and departments.filter(memberships__user=user).exists()


def approving_step(visit) -> ApprovalChainStep | None:
    """Who approves spending over the grade's standard: the step of the grade's chain after
    the one that fixes the grade (the last step when there is no later one)."""
    grade = visit.grade
    if grade is None:
        return None
    chain = ApprovalChain.objects.applying(grade, visit.site)
    if chain is None:
        return None
    steps = list(chain.steps.select_related("role", "user").order_by("position"))
    for index, step in enumerate(steps):
        if step.grades_visit and index + 1 < len(steps):
            return steps[index + 1]
    return steps[-1] if steps else None


@rules.predicate
def approves_spending(user, visit) -> bool:
    if _superuser(user):
        return True
    step = approving_step(visit)
    return step is not None and step.can_be_decided_by(user)


@rules.predicate
def owns_follow_up(user, action) -> bool:
    return action.owner_id == user.pk


# ---- the visit's state --------------------------------------------------------------------


@rules.predicate
def is_editable(user, visit) -> bool:
    return visit.status in EDITABLE_STATUSES


@rules.predicate
def is_invitable(user, visit) -> bool:
    """Invitations go out once the visit is approved, or earlier where the guest policy allows
    (not for a visit that is over or cancelled)."""
    if visit.status in CHECK_IN_STATUSES:
        return True
    return (
        visit.status
        in SUBMITTABLE_STATUSES
        | {
            VisitStatus.SUBMITTED,
            VisitStatus.IN_APPROVAL,
        }
        and GuestPolicy.get().invite_before_approval
    )


@rules.predicate
def is_submittable(user, visit) -> bool:
    return visit.status in SUBMITTABLE_STATUSES


@rules.predicate
def is_cancellable(user, visit) -> bool:
    return visit.status in CANCELLABLE_STATUSES and not visit.has_arrived


@rules.predicate
def is_over(user, visit) -> bool:
    """Rejected, cancelled, closed, or the guests have left: nothing is arranged any more."""
    return visit.is_terminal or visit.status == VisitStatus.COMPLETED


@rules.predicate
def is_terminal(user, visit) -> bool:
    return visit.is_terminal


@rules.predicate
def guests_on_site(user, visit) -> bool:
    return visit.status == VisitStatus.IN_PROGRESS


@rules.predicate
def guests_have_left(user, visit) -> bool:
    """Completed (waiting for its summary) or closed."""
    return visit.status in LEFT_STATUSES


@rules.predicate
def awaits_summary(user, visit) -> bool:
    return visit.status == VisitStatus.COMPLETED


@rules.predicate
def is_draft(user, visit) -> bool:
    return visit.status == VisitStatus.DRAFT


@rules.predicate
def awaits_check_in(user, visit) -> bool:
    return visit.status in CHECK_IN_STATUSES


@rules.predicate
def is_on_the_board(user, visit) -> bool:
    return visit.status in BOARD_STATUSES


@rules.predicate
def is_arrangeable(user, visit) -> bool:
    """From the approval on, while the desk still works on the visit."""
    return visit.status in ARRANGEABLE_STATUSES


@rules.predicate
def made_the_check(user, event) -> bool:
    """Checked these visitors in or out (the check-in or check-out event is theirs)."""
    return event.actor_id == user.pk


# ---- walk-ins -----------------------------------------------------------------------------


@rules.predicate
def walk_in_waiting(user, walk_in) -> bool:
    return walk_in.status == WalkInStatus.WAITING


@rules.predicate
def walk_in_unanswered(user, walk_in) -> bool:
    """The person asked for let the policy's answer time pass."""
    return timezone.now() >= walk_in.answer_due_at


# ---- the rules pages ask ------------------------------------------------------------------

# Reception, approvers and the applicant change the main host and receptionist; once the
# guests are on site only an approver may (seed 000: the staff stay the same until they leave).
may_change_staff = is_approver | is_customer_receptionist | is_applicant
may_arrange_itinerary = tracks_preparation | is_applicant | is_main_host

# Visitors' phone numbers (PIPL): in full only to those who call the guests; everyone else
# (colleagues, departments preparing, the gate) sees them masked, PDFs included.
sees_every_phone = is_customer_receptionist | is_front_desk | is_administrator

# A rule's name says what the user does ("visits.check_in"); the role permission it may wrap
# says what the role is granted ("visits.check_in_visitors"). tests/visits/
# test_permission_vocabulary.py checks that no rule is named like a Django permission.
rules.add_perm("visits.see_phones", sees_every_phone | is_applicant | is_main_host)
rules.add_perm("visits.see_walk_in_phone", sees_every_phone | is_asked_for)
# The applicant's own request (the role's change_visitrequest: the office and sales roles).
files_visits = holds("visits.change_visitrequest")
rules.add_perm("visits.edit_visit", files_visits & is_applicant & is_editable)
rules.add_perm("visits.invite_guests", files_visits & is_applicant & is_invitable)
rules.add_perm("visits.submit_visit", files_visits & is_applicant & is_submittable)
rules.add_perm("visits.cancel_visit", files_visits & is_applicant & is_cancellable)
rules.add_perm(
    "visits.change_staff",
    ~is_over & ~is_draft & (is_approver | (~guests_on_site & may_change_staff)),
)
rules.add_perm("visits.edit_itinerary", ~is_terminal & may_arrange_itinerary)
# The desk: the role's check_in_visitors and the visit's state. Adding a visitor at the desk
# checks them in, so it is the same rule.
rules.add_perm("visits.check_in", checks_in_guests & awaits_check_in)
rules.add_perm("visits.check_out", checks_in_guests & guests_on_site)
# A pass scanned (or its code typed) checks its visitor in: the desk, and the gate too.
rules.add_perm("visits.check_in_by_pass", holds("visits.view_arrivals") & awaits_check_in)
# Badges: the desk, for an approved visit until its guests left (printed at check-in).
rules.add_perm("visits.print_badges", holds("visits.view_arrivals") & is_on_the_board)
rules.add_perm("visits.undo_check", checks_in_guests & made_the_check)
rules.add_perm("visits.make_arrangements", tracks_preparation & is_arrangeable)
# Who came, when, to see whom: the desk, and the report readers (auditors).
rules.add_perm("visits.export_visitor_log", checks_in_guests | holds("visits.view_reports"))
rules.add_perm("visits.tick_task", is_task_holder | is_department_member)
# The department task page: granted with the role, and open to everyone who belongs to or
# heads a department, since its tasks are theirs to tick (visits.tick_task).
rules.add_perm(
    "visits.see_department_tasks", has_department_page_permission | works_in_a_department
)
# The person asked for decides; once they let the answer time pass, the front desk may on
# their behalf (seed 000 D). Gate security never does.
rules.add_perm(
    "visits.decide_walk_in",
    walk_in_waiting & (is_asked_for | (is_front_desk & walk_in_unanswered)),
)
rules.add_perm("visits.assign_task", holds("visits.assign_preptask") & is_department_head)
# After the visit (seed 000 工作小结): the visited department and HR each write their part;
# HR may close the visit with the department's part waived.
rules.add_perm("visits.write_department_summary", awaits_summary & speaks_for_visited_department)
rules.add_perm("visits.write_hr_summary", awaits_summary & is_hr)
rules.add_perm("visits.waive_department_summary", awaits_summary & is_hr)
rules.add_perm("visits.close_follow_up", owns_follow_up)
# Spending (seed 001 九): the receptionist or the office enters it once the guests have left;
# a line over the standard is decided by the grade's approver.
rules.add_perm(
    "visits.record_expenses",
    guests_have_left & (is_customer_receptionist | is_office | is_administrator),
)
rules.add_perm("visits.approve_expense", approves_spending)


def require(user, rule: str, obj, message) -> None:
    """A service's last word: refuse with `message` what the rule refuses, so a service never
    allows what the page would not offer (the checks before it give the precise reasons)."""
    if not user.has_perm(rule, obj):
        raise RuleError(message)


# exports (visits/services/exports.py): whoever may export a list may have it written as a job
rules.add_perm("visits.export_visit_list", holds("visits.view_visitrequest"))

# The gate (docs/gate.md): whoever records walk-ins records every kind of arrival, sees who is
# on site and runs a roll call; the watch list and its reasons are security's and the
# administrators' only.
is_security = rules.predicate(lambda user: has_role(user, Role.SECURITY), name="is_security")
rules.add_perm("visits.use_gate", holds("visits.add_walkin"))


@rules.predicate
def is_told_of_arrival(user, arrival) -> bool:
    """The arrival's kind tells this person of it (the person seen, the receiving department,
    the roles and departments of its policy): their notification opens the arrival's page."""
    from .services.arrivals import told_of  # the services import this module

    return any(person.pk == user.pk for person in told_of(arrival))


# reading an arrival's page for those its notification went to (the gate of its site reaches
# it through visits.use_gate: visits/views/gate.py)
rules.add_perm("visits.read_told_arrival", is_told_of_arrival)
rules.add_perm("visits.keep_watch_list", is_security | is_administrator)
