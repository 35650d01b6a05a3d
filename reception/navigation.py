"""What each user's navbar and home page offer, decided by their permissions and roles."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    key: str
    label: str | Promise
    description: str | Promise
    icon: str
    url_name: str
    perm: str | None = None
    rule: str | None = None  # a django-rules rule, named (the app that defines it is above)

    def url(self) -> str:
        return reverse(self.url_name)

    def allows(self, user) -> bool:
        if self.rule is not None:  # rules are django-rules permissions: has_perm asks them
            return user.has_perm(self.rule)
        return self.perm is None or user.has_perm(self.perm)


ENTRIES = [
    Entry(
        "visits",
        _("Visit requests"),
        _("Reception applications: their approval, preparation and timeline."),
        "bi-journal-text",
        "visits:list",
        perm="visits.view_visitrequest",
    ),
    Entry(
        "queue",
        _("Approval queue"),
        _("The approval steps waiting for your decision."),
        "bi-check2-square",
        "approvals:queue",
        perm="approvals.view_approvalstep",
    ),
    Entry(
        "oversight",
        _("Stalled and overdue steps"),
        _("Approval steps nobody could decide or that waited too long; decide with a reason."),
        "bi-exclamation-triangle",
        "approvals:oversight",
        perm="approvals.oversee_approvals",
    ),
    Entry(
        "tasks",
        _("Preparation tasks"),
        _("Your departments' preparation tasks for upcoming visits."),
        "bi-list-check",
        "visits:tasks",
        rule="visits.see_department_tasks",
    ),
    Entry(
        "my_tasks",
        _("My tasks"),
        _("The preparation tasks you hold by name: tick, undo and note them."),
        "bi-person-check",
        "visits:my_tasks",
    ),
    Entry(
        "preparation",
        _("Preparation overview"),
        _("Every department's readiness for the coming visits, the riskiest first."),
        "bi-speedometer2",
        "visits:preparation",
        perm="visits.track_preparation",
    ),
    Entry(
        "board",
        _("Arrivals board"),
        _("Today's expected visitors, check-in and check-out."),
        "bi-door-open",
        "visits:board",
        perm="visits.view_arrivals",
    ),
    Entry(
        "walk_ins",
        _("Walk-ins"),
        _("Record unannounced visitors at the gate; the person they ask for is told at once."),
        "bi-person-exclamation",
        "visits:walk_ins",
        perm="visits.view_walkin",
    ),
    Entry(
        "summaries",
        _("Work summaries"),
        _("After each visit, the lessons learned and improvements, which close the visit."),
        "bi-clipboard-check",
        "visits:summaries",
        perm="visits.add_visitsummary",
    ),
    Entry(
        "reports",
        _("Reports"),
        _(
            "Visits, spending against the standard, preparation on time, approval lead time; "
            "CSV and .xlsx exports."
        ),
        "bi-bar-chart",
        "visits:reports",
        perm="visits.view_reports",
    ),
    Entry(
        "clients",
        _("Clients"),
        _("Client companies, their contacts and categories."),
        "bi-buildings",
        "reception:client_list",
        perm="reception.view_client",
    ),
    Entry(
        "admin",
        _("Policy administration"),
        _("Grades, standards, departments, roles and every other rule, as editable data."),
        "bi-sliders",
        "admin:index",
        perm="reception.change_receptionpolicy",
    ),
]


NAVBAR_SHOWN = 3  # entries in the bar of a wide screen; the rest are under "More"


def entries_for(user) -> list[Entry]:
    if not user.is_authenticated:
        return []
    return [e for e in ENTRIES if e.allows(user)]
