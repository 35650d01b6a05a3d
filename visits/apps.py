from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visits")

    def ready(self):
        # Approvals announces decisions through signals; the visit reacts (layers: visits
        # imports approvals, never the other way round).
        from approvals import cards

        from .selectors import prepare_decision_cards
        from .services import approval

        approval.connect()
        cards.on_cards(prepare_decision_cards)
