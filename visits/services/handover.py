"""What happens once a visit request is finally approved: it is handed over to reception."""

from django.db import transaction

from reception.accounts.roles import Role
from reception.organisation.selectors import users_with_role

from .. import reminders
from ..models import VisitRequest
from . import itinerary, notifications, preparation


def on_approved(visit: VisitRequest) -> None:
    """Assign the receptionist if the company has exactly one, tell reception and the host,
    give every department its preparation tasks, and draft the itinerary. A late approval
    hands the visitor information over at once when its T−2 moment has passed."""
    if visit.receptionist_id is None:
        receptionists = list(users_with_role(Role.RECEPTIONIST)[:2])
        if len(receptionists) == 1:
            visit.receptionist = receptionists[0]
            visit.save(update_fields=["receptionist", "updated_at"])
    notifications.approved(visit)
    preparation.on_approval(visit)
    itinerary.default_itinerary(visit)
    transaction.on_commit(lambda: reminders.hand_over_now(visit))
