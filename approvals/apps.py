from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self):
        # local: apps.py is imported before the app registry is ready
        from reception.accounts.roles import APPROVER_ROLES, grant_defaults
        from reception.navigation import Entry, register_menu_entries
        from reception.notifications.channels.actions import register_card_action

        from . import access  # noqa: F401  (signal receivers)
        from .card_actions import ACTION, decide_from_card

        # "Approve" on the card in the IM apps (reception names no app above it).
        register_card_action(ACTION, decide_from_card)

        # What approvals adds to the shared menu and to the roles' default permissions
        # (reception names neither: the order places the entries among the other apps').
        register_menu_entries(
            Entry(
                "queue",
                _("Approval queue"),
                _("The approval steps waiting for your decision."),
                "bi-check2-square",
                "approvals:queue",
                perm="approvals.view_approvalstep",
                order=20,
            ),
            Entry(
                "oversight",
                _("Stalled and overdue steps"),
                _(
                    "Approval steps nobody could decide or that waited too long; decide with a "
                    "reason."
                ),
                "bi-exclamation-triangle",
                "approvals:oversight",
                perm="approvals.oversee_approvals",
                order=30,
            ),
        )
        grant_defaults(APPROVER_ROLES, ["approvals.view_approvalstep"])
