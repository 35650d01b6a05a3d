from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self):
        # Approvals announces decisions through signals; the visit reacts (layers: visits
        # imports approvals, never the other way round). The visit is approvals' subject
        # (settings.APPROVALS_SUBJECT_MODEL): visits says how approvals' pages show it.
        from approvals import cards

        from .filters import ApprovalQueueFilter
        from .selectors import approval_cards, approval_lines, approval_queue
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
            )
        )
