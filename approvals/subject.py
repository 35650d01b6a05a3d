"""What approvals approves: its subject, named by settings.APPROVALS_SUBJECT_MODEL (as Django
names the user by AUTH_USER_MODEL). Approvals reads nothing of it but what Subject declares;
everything else a page shows of it comes from the app that owns it (approvals.cards,
approvals.links), and what a decision means for it goes out through approvals.signals.
"""

from typing import Any, Protocol, runtime_checkable

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reception.models import ReceptionGrade, User


@runtime_checkable
class Subject(Protocol):
    """The subject's side of the contract.

    - ``pk``: its primary key; decisions lock its row (select_for_update) and steps point at
      it through ``ApprovalStep.subject``.
    - ``applicant`` / ``applicant_id``: who asked for it, a foreign key to the user model
      (approvals filters on ``subject__applicant``): nobody approves their own request, nor
      decides it as delegate or escalation.
    - ``grade``: the reception grade that applies (None before one is known): its approval
      chain is the one a round copies; the grading step starts from it.
    - ``reference``: the short text that names it to people (a field: the admin searches it),
      in messages, timeline lines and the cards' checkboxes.
    - ``str(subject)``: its one-line name, where a step is named (the admin, logs).
    """

    pk: Any
    applicant_id: int
    reference: str | None

    @property
    def applicant(self) -> User: ...

    @property
    def grade(self) -> ReceptionGrade | None: ...


def get_subject_model() -> Any:
    """The model settings.APPROVALS_SUBJECT_MODEL names (like get_user_model)."""
    try:
        return apps.get_model(settings.APPROVALS_SUBJECT_MODEL, require_ready=False)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "APPROVALS_SUBJECT_MODEL must be of the form 'app_label.model_name'"
        ) from exc
    except LookupError as exc:
        raise ImproperlyConfigured(
            f"APPROVALS_SUBJECT_MODEL refers to model {settings.APPROVALS_SUBJECT_MODEL!r} "
            "that has not been installed"
        ) from exc
