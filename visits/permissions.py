"""Who may do what to a visit, defined once (django-rules predicates) and read by views,
templates (`{% test_rule %}`) and services alike.

Rules are registered with `rules.add_rule` and tested with `rules.test_rule` rather than
through Django's `user.has_perm`, because Django answers "yes" to every superuser before any
backend is asked: these rules depend on the visit's state (nobody edits a closed visit, not
even an administrator), so they must be asked as they are. Page-level access ("may open the
desk at all") stays with Django's model permissions on the role groups
(reception/accounts/roles.py).

Services check the predicates one by one, so each refusal has its own message; the composed
rules below are what pages ask to decide which buttons to show.
"""

import rules
from django.utils import timezone

from approvals.models import ApprovalChain, ApprovalChainStep
from reception.accounts import access
from reception.accounts.roles import APPROVER_ROLES, Role, has_role
from reception.models import Department, StaffMembership

from .models import VisitStatus, WalkInStatus

# The applicant edits freely before submission and after a return; after approval every
# change is logged and announced; while approvers are deciding, the request is frozen.
EDITABLE = {VisitStatus.DRAFT, VisitStatus.RETURNED, VisitStatus.APPROVED, VisitStatus.IN_PROGRESS}
SUBMITTABLE = {VisitStatus.DRAFT, VisitStatus.RETURNED}
CANCELLABLE = {
    VisitStatus.DRAFT,
    VisitStatus.SUBMITTED,
    VisitStatus.IN_APPROVAL,
    VisitStatus.RETURNED,
    VisitStatus.APPROVED,
}
# Visits the desk checks guests in to.
CHECK_IN_STATUSES = {VisitStatus.APPROVED, VisitStatus.IN_PROGRESS}


def _superuser(user) -> bool:
    return bool(getattr(user, "is_superuser", False))


# ---- who ----------------------------------------------------------------------------------


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


@rules.predicate
def is_administrator(user) -> bool:
    return _superuser(user) or has_role(user, Role.ADMINISTRATOR)


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
    try:
        chain = grade.approval_chain
    except ApprovalChain.DoesNotExist:
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
    return visit.status in EDITABLE


@rules.predicate
def is_submittable(user, visit) -> bool:
    return visit.status in SUBMITTABLE


@rules.predicate
def is_cancellable(user, visit) -> bool:
    return visit.status in CANCELLABLE and not visit.has_arrived


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
    return visit.status in (VisitStatus.COMPLETED, VisitStatus.CLOSED)


@rules.predicate
def awaits_summary(user, visit) -> bool:
    return visit.status == VisitStatus.COMPLETED


@rules.predicate
def is_draft(user, visit) -> bool:
    return visit.status == VisitStatus.DRAFT


@rules.predicate
def awaits_check_in(user, visit) -> bool:
    return visit.status in CHECK_IN_STATUSES


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

rules.add_rule("visits.see_phones", sees_every_phone | is_applicant | is_main_host)
rules.add_rule("visits.see_walk_in_phone", sees_every_phone | is_asked_for)
rules.add_rule("visits.edit_visit", is_applicant & is_editable)
rules.add_rule("visits.submit_visit", is_applicant & is_submittable)
rules.add_rule("visits.cancel_visit", is_applicant & is_cancellable)
rules.add_rule(
    "visits.change_staff",
    ~is_over & ~is_draft & (is_approver | (~guests_on_site & may_change_staff)),
)
rules.add_rule("visits.edit_itinerary", ~is_terminal & may_arrange_itinerary)
rules.add_rule("visits.check_in", checks_in_guests & awaits_check_in)
rules.add_rule("visits.tick_task", is_task_holder | is_department_member)
# The department task page: granted with the role, and open to everyone who belongs to or
# heads a department, since its tasks are theirs to tick (visits.tick_task).
rules.add_rule(
    "visits.see_department_tasks", has_department_page_permission | works_in_a_department
)
# The person asked for decides; once they let the answer time pass, the front desk may on
# their behalf (seed 000 D). Gate security never does.
rules.add_rule(
    "visits.decide_walk_in",
    walk_in_waiting & (is_asked_for | (is_front_desk & walk_in_unanswered)),
)
rules.add_rule("visits.assign_task", is_department_head)
# After the visit (seed 000 工作小结): the visited department and HR each write their part;
# HR may close the visit with the department's part waived.
rules.add_rule("visits.write_department_summary", awaits_summary & speaks_for_visited_department)
rules.add_rule("visits.write_hr_summary", awaits_summary & is_hr)
rules.add_rule("visits.waive_department_summary", awaits_summary & is_hr)
rules.add_rule("visits.close_follow_up", owns_follow_up)
# Spending (seed 001 九): the receptionist or the office enters it once the guests have left;
# a line over the standard is decided by the grade's approver.
rules.add_rule(
    "visits.record_expenses",
    guests_have_left & (is_customer_receptionist | is_office | is_administrator),
)
rules.add_rule("visits.approve_expense", approves_spending)


def may(user, rule: str, obj=None) -> bool:
    """rules.test_rule with the app's prefix: may(user, "edit_visit", visit)."""
    return rules.test_rule(f"visits.{rule}", user, obj)
