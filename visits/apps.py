from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self):
        # The API's scopes for what visits offers (reception keeps the token, visits the words).
        from .api.common import register_visit_scopes

        register_visit_scopes()
        # What visits tells other systems: its webhook event kinds, and the receivers that
        # emit them (visits/services/webhooks.py).
        from .services import webhooks

        webhooks.register()
        # Approvals announces decisions through signals; the visit reacts (layers: visits
        # imports approvals, never the other way round). The visit is approvals' subject
        # (settings.APPROVALS_SUBJECT_MODEL): visits says how approvals' pages show it.
        from approvals import cards

        from .filters import ApprovalQueueFilter
        from .selectors import approval_cards, approval_lines, approval_queue, decision_card_keys
        from .services import approval

        approval.connect()
        cards.register(
            cards.SubjectScreens(
                card="visits/approvals/_step_card.html",
                line="visits/approvals/_subject_line.html",
                filterset=ApprovalQueueFilter,
                queue=approval_queue,
                lines=approval_lines,
                prepare=approval_cards,
                keys=decision_card_keys,
            )
        )
        _register_menu_entries()
        _grant_role_defaults()
        # Accept a walk-in, tick a task on the card in the IM apps.
        from .services import card_actions

        card_actions.register()


def _register_menu_entries() -> None:
    """The visits' entries in the shared menu (the order places them among the other apps':
    approvals 20-30, reception 110-120) and its section of the client page."""
    # local: apps.py is imported before the app registry is ready
    from reception.navigation import ACCOUNT, Entry, Panel, register_menu_entries, register_panels

    register_menu_entries(
        Entry(
            "visits",
            _("Visit requests"),
            _("Reception applications: their approval, preparation and timeline."),
            "bi-journal-text",
            "visits:list",
            perm="visits.view_visitrequest",
            order=10,
        ),
        Entry(
            "tasks",
            _("Preparation tasks"),
            _("Your departments' preparation tasks for upcoming visits."),
            "bi-list-check",
            "visits:tasks",
            rule="visits.see_department_tasks",
            order=40,
        ),
        Entry(
            "my_tasks",
            _("My tasks"),
            _("The preparation tasks you hold by name: tick, undo and note them."),
            "bi-person-check",
            "visits:my_tasks",
            order=50,
        ),
        Entry(
            "preparation",
            _("Preparation overview"),
            _("Every department's readiness for the coming visits, the riskiest first."),
            "bi-speedometer2",
            "visits:preparation",
            perm="visits.track_preparation",
            order=60,
        ),
        Entry(
            "board",
            _("Arrivals board"),
            _("Today's expected visitors, check-in and check-out."),
            "bi-door-open",
            "visits:board",
            perm="visits.view_arrivals",
            order=70,
        ),
        Entry(
            "walk_ins",
            _("Walk-ins"),
            _("Record unannounced visitors at the gate; the person they ask for is told at once."),
            "bi-person-exclamation",
            "visits:walk_ins",
            perm="visits.view_walkin",
            order=80,
        ),
        Entry(
            "gate",
            _("The gate"),
            _(
                "Deliveries, contractors, interviews and official guests; who is on site now, "
                "the roll call and the watch list."
            ),
            "bi-shield-check",
            "visits:gate",
            rule="visits.use_gate",
            order=85,
        ),
        Entry(
            "summaries",
            _("Work summaries"),
            _("After each visit, the lessons learned and improvements, which close the visit."),
            "bi-clipboard-check",
            "visits:summaries",
            perm="visits.add_visitsummary",
            order=90,
        ),
        Entry(
            "reports",
            _("Reports"),
            _(
                "Visits, spending against the standard, preparation on time, approval lead "
                "time; CSV and .xlsx exports."
            ),
            "bi-bar-chart",
            "visits:reports",
            perm="visits.view_reports",
            order=100,
        ),
        # under the user's name in the navbar
        Entry(
            "calendar_feed",
            _("My calendar feed"),
            "",
            "bi-calendar-event",
            "visits:calendar_feed",
            order=10,
            menu=ACCOUNT,
        ),
    )
    register_panels(
        "client",
        Panel(
            "visits",
            _("Visit history"),
            _("Show the visits of this client"),
            "visits:client_visits",
            order=10,
        ),
    )


def _grant_role_defaults() -> None:
    """The visits' permissions each role starts with (reception/accounts/roles.py grants them
    once)."""
    # local: apps.py is imported before the app registry is ready
    from reception.accounts.roles import APPLICANT_ROLES, APPROVER_ROLES, Role, grant_defaults

    filers = APPLICANT_ROLES  # the office files non-commercial visits only
    department = [Role.DEPARTMENT_MEMBER, Role.DEPARTMENT_HEAD]
    # who sees visit requests and may be named a host
    grant_defaults(
        [*filers, *APPROVER_ROLES, Role.RECEPTIONIST, *department, Role.HR],
        ["visits.view_visitrequest", "visits.host_visitors"],
    )
    grant_defaults(filers, ["visits.add_visitrequest", "visits.change_visitrequest"])
    grant_defaults([Role.SALES, Role.PROJECT_ENGINEER], ["visits.file_commercial"])
    # who writes a part of the work summary (department heads: their department's)
    grant_defaults(
        [*filers, *APPROVER_ROLES, Role.DEPARTMENT_HEAD, Role.HR], ["visits.add_visitsummary"]
    )
    grant_defaults(
        [Role.MARKETING_HEAD, Role.DEPUTY_GM, Role.GENERAL_MANAGER], ["visits.view_reports"]
    )
    grant_defaults(
        [Role.RECEPTIONIST, Role.FRONT_DESK],
        ["visits.view_arrivals", "visits.check_in_visitors", "visits.add_walkin"],
    )
    grant_defaults([Role.RECEPTIONIST, Role.FRONT_DESK, Role.SECURITY], ["visits.view_walkin"])
    grant_defaults([Role.SECURITY], ["visits.view_arrivals", "visits.add_walkin"])
    grant_defaults([Role.RECEPTIONIST], ["visits.track_preparation"])
    grant_defaults(department, ["visits.view_preptask", "visits.change_preptask"])
    grant_defaults([Role.DEPARTMENT_HEAD], ["visits.assign_preptask"])
